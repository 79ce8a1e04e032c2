// Handlers: run once per notified host, in the order they are defined, when the play flushes them.
import { playScope, effectiveTask } from './scope.js';
import type { PlayState } from './state.js';
import { runTask, warn } from './task-step.js';

/** Runs every notified handler (matched by name or `listen`) on its notified hosts that are still in the play. */
export async function flushHandlers(play: PlayState): Promise<void> {
  const scope = playScope(play.play);
  const known = new Set(play.play.handlers.flatMap((h) => [h.name ?? '', ...(h.listen ?? [])]));
  for (const topic of play.notified.keys()) {
    if (!known.has(topic)) {
      warn(play, `a task notified '${topic}', but no handler has that name or listens to it`);
      play.notified.delete(topic);
    }
  }
  for (const handler of play.play.handlers) {
    if (play.ended || play.run.stopped) return;
    const topics = [handler.name, ...(handler.listen ?? [])].filter((t): t is string => Boolean(t));
    const notified = new Set(topics.flatMap((t) => [...(play.notified.get(t) ?? [])]));
    if (notified.size === 0) continue;
    const hosts = play.activeOf(play.hosts.filter((h) => notified.has(h)));
    // a notification is consumed even by a host that can no longer run it (failed hosts do not run handlers)
    for (const t of topics) {
      const set = play.notified.get(t);
      if (set) for (const h of notified) set.delete(h);
      if (set?.size === 0) play.notified.delete(t);
    }
    if (hosts.length === 0) continue;
    const failed = await runTask(play, effectiveTask(handler, scope, true), hosts);
    for (const h of failed) play.run.host(h).failed = true;
  }
}
