// Keyword inheritance: play → block → task (when and tags accumulate, vars and environment layer, the rest override).
import type { BecomeSpec } from '../connection/types.js';
import type { BlockNode, PlayNode, TaskKeywords, TaskNode } from '../load/model.js';
import type { AnyModule } from './context.js';

/** What enclosing plays and blocks pass down to the tasks inside them. */
export interface Scope {
  keywords: TaskKeywords;
  when: string[];
  tags: string[];
  vars: Record<string, unknown>;
  environment: Record<string, string>;
  /** An enclosing block has a rescue section: a failure here is handled there. */
  rescuable: boolean;
  /** Directly in pre_tasks/tasks/post_tasks (not inside a block). */
  topLevel: boolean;
}

/** A task with everything it inherits resolved. */
export interface EffectiveTask {
  node: TaskNode;
  name: string;
  when: string[];
  tags: string[];
  blockVars: Record<string, unknown>;
  environment?: Record<string, string>;
  /** Without the password variable: that is per host (`ringmaster_become_password_env`). */
  become?: BecomeSpec;
  /** The play, a block or the task said `become:` (true or false); otherwise the host's `ansible_become` decides. */
  becomeExplicit: boolean;
  ignoreErrors: boolean;
  ignoreUnreachable: boolean;
  anyErrorsFatal: boolean;
  runOnce: boolean;
  delegateTo?: string;
  checkMode?: boolean;
  noLog: boolean;
  timeoutSec?: number;
  rescuable: boolean;
  handler: boolean;
  /** Engine-internal tasks (fact gathering) bypass tags, --step and --start-at-task. */
  internal?: AnyModule;
}

const INHERITED: Array<keyof TaskKeywords> = [
  'become', 'become_user', 'become_method', 'ignore_errors', 'ignore_unreachable', 'any_errors_fatal',
  'run_once', 'delegate_to', 'check_mode', 'no_log', 'timeout',
];

export function playScope(play: PlayNode): Scope {
  return {
    keywords: {
      become: play.become,
      become_user: play.become_user,
      become_method: play.become_method,
      any_errors_fatal: play.any_errors_fatal,
      check_mode: play.check_mode,
      no_log: play.no_log,
    },
    when: [],
    tags: [...(play.tags ?? [])],
    vars: {},
    environment: { ...(play.environment ?? {}) },
    rescuable: false,
    topLevel: true,
  };
}

/** The scope inside a block's block/rescue/always section. */
export function blockScope(parent: Scope, block: BlockNode, rescuable: boolean): Scope {
  return {
    keywords: overlay(parent.keywords, block),
    when: [...parent.when, ...(block.when ?? [])],
    tags: union(parent.tags, block.tags),
    vars: { ...parent.vars, ...(block.vars ?? {}) },
    environment: { ...parent.environment, ...(block.environment ?? {}) },
    rescuable,
    topLevel: false,
  };
}

export function effectiveTask(node: TaskNode, scope: Scope, handler = false): EffectiveTask {
  const k = overlay(scope.keywords, node);
  const env = { ...scope.environment, ...(node.environment ?? {}) };
  return {
    node,
    name: node.name ?? node.module,
    when: [...scope.when, ...(node.when ?? [])],
    tags: union(scope.tags, node.tags),
    blockVars: scope.vars,
    environment: Object.keys(env).length ? env : undefined,
    become: k.become ? { method: k.become_method ?? 'sudo', user: k.become_user ?? 'root' } : undefined,
    becomeExplicit: k.become !== undefined,
    ignoreErrors: k.ignore_errors === true,
    ignoreUnreachable: k.ignore_unreachable === true,
    anyErrorsFatal: k.any_errors_fatal === true,
    runOnce: k.run_once === true,
    delegateTo: k.delegate_to,
    checkMode: k.check_mode,
    noLog: k.no_log === true,
    timeoutSec: k.timeout,
    rescuable: scope.rescuable,
    handler,
  };
}

function overlay(base: TaskKeywords, over: TaskKeywords): TaskKeywords {
  const out: TaskKeywords = { ...base };
  for (const key of INHERITED) {
    if (over[key] !== undefined) (out as Record<string, unknown>)[key] = over[key];
  }
  return out;
}

function union(a: readonly string[], b: readonly string[] | undefined): string[] {
  return [...new Set([...a, ...(b ?? [])])];
}
