// `loop` and `loop_control`: the item list, the per-item variables (loop_var, index_var, ansible_loop) and labels.
import { RingError } from '../errors/index.js';
import type { EffectiveTask } from './scope.js';
import type { PlayState } from './state.js';

/** The rendered loop list; a template that does not yield a list fails the task. */
export function loopItems(play: PlayState, task: EffectiveTask, view: Record<string, unknown>): unknown[] {
  const origin = { task: task.name, location: task.node.loc, what: '`loop`' };
  const items = play.ctx.templates.renderValue(task.node.loop, view, origin);
  if (!Array.isArray(items)) {
    throw new RingError('E_TASK_FAILED', `\`loop\` must be a list, got ${items === null ? 'null' : typeof items}`, { task: task.name, location: task.node.loc });
  }
  return items;
}

/** Variables of item `i`: the loop var, the index var, and `ansible_loop` with `extended: true`. */
export function loopLayer(task: EffectiveTask, items: unknown[], i: number): Record<string, unknown> {
  const lc = task.node.loop_control ?? {};
  const layer: Record<string, unknown> = { [lc.loop_var ?? 'item']: items[i] };
  if (lc.index_var) layer[lc.index_var] = i;
  if (lc.extended) {
    const n = items.length;
    layer.ansible_loop = {
      index: i + 1, index0: i, revindex: n - i, revindex0: n - i - 1,
      first: i === 0, last: i === n - 1, length: n,
      previtem: i > 0 ? items[i - 1] : undefined,
      nextitem: i < n - 1 ? items[i + 1] : undefined,
      allitems: items,
    };
  }
  return layer;
}

/** `loop_control.label` rendered for the item, else a short JSON form of the item. */
export function loopLabel(play: PlayState, task: EffectiveTask, view: Record<string, unknown>, item: unknown): string {
  const label = task.node.loop_control?.label;
  if (label !== undefined) {
    try {
      return String(play.ctx.templates.render(label, view, { task: task.name, location: task.node.loc, what: '`loop_control.label`' }));
    } catch {
      // a bad label must not fail the task: fall back to the item
    }
  }
  const text = typeof item === 'string' ? item : JSON.stringify(item) ?? String(item);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
