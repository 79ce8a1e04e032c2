// Walks a task list: tasks and blocks in order; block failures go to rescue, always runs for every host that entered.
import type { BlockNode, Node } from '../load/model.js';
import { blockScope, effectiveTask, type Scope } from './scope.js';
import type { PlayState } from './state.js';
import { runTask } from './task-step.js';

/** Runs `nodes` on `hosts`; returns the hosts whose failure escaped (they skipped the remaining nodes). */
export async function runNodes(play: PlayState, nodes: Node[], hosts: string[], scope: Scope): Promise<Set<string>> {
  const failed = new Set<string>();
  for (const node of nodes) {
    const active = play.activeOf(hosts).filter((h) => !failed.has(h));
    if (active.length === 0) break;
    const now = node.kind === 'task' ? await runTask(play, effectiveTask(node, scope), active) : await runBlock(play, node, active, scope);
    for (const h of now) {
      failed.add(h);
      if (scope.topLevel) play.run.host(h).failed = true;
    }
  }
  return failed;
}

async function runBlock(play: PlayState, block: BlockNode, hosts: string[], scope: Scope): Promise<Set<string>> {
  const hasRescue = block.rescue.length > 0;
  const inBlock = await runNodes(play, block.block, hosts, blockScope(scope, block, hasRescue || scope.rescuable));
  let escaped = inBlock;
  if (hasRescue && inBlock.size > 0) {
    const rescuing = play.activeOf([...inBlock]);
    const inRescue = await runNodes(play, block.rescue, rescuing, blockScope(scope, block, scope.rescuable));
    for (const h of rescuing) if (!inRescue.has(h)) play.run.host(h).stats.rescued++;
    escaped = new Set([...inRescue, ...[...inBlock].filter((h) => !rescuing.includes(h))]);
  }
  if (block.always.length > 0) {
    // always runs for failed hosts too (but not for unreachable or ended ones, nor after end_play)
    const inAlways = await runNodes(play, block.always, play.activeOf(hosts), blockScope(scope, block, scope.rescuable));
    escaped = new Set([...escaped, ...inAlways]);
  }
  return escaped;
}
