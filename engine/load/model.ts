// The normalized shapes the loader hands to the executor: plays, blocks, tasks and the inventory.
// Keys keep Ansible's snake_case names so a task reads the same in YAML and in code.
import type { Location } from '../errors/index.js';

/** Keywords a task or block may carry (and pass down from a block to its tasks). */
export interface TaskKeywords {
  name?: string;
  when?: string[];
  tags?: string[];
  become?: boolean;
  become_user?: string;
  become_method?: 'sudo' | 'su' | 'none';
  vars?: Record<string, unknown>;
  environment?: Record<string, string>;
  ignore_errors?: boolean;
  ignore_unreachable?: boolean;
  any_errors_fatal?: boolean;
  run_once?: boolean;
  delegate_to?: string;
  check_mode?: boolean;
  no_log?: boolean;
  timeout?: number;
}

/** One task: exactly one module with its raw (not yet templated) arguments. */
export interface TaskNode extends TaskKeywords {
  kind: 'task';
  /** Registry name of the module. */
  module: string;
  /** Arguments after free-form normalization (`command: ls` → `{cmd: 'ls'}`), still untemplated. */
  args: Record<string, unknown>;
  register?: string;
  loop?: unknown;
  loop_control?: { loop_var?: string; index_var?: string; label?: string; pause?: number; extended?: boolean };
  until?: string;
  retries?: number;
  delay?: number;
  changed_when?: string[];
  failed_when?: string[];
  notify?: string[];
  /** Handlers only: extra topics this handler listens to. */
  listen?: string[];
  loc: Location;
}

export interface BlockNode extends TaskKeywords {
  kind: 'block';
  block: Node[];
  rescue: Node[];
  always: Node[];
  loc: Location;
}

export type Node = TaskNode | BlockNode;

export interface PlayNode {
  name: string;
  /** A host pattern (`etcd`, `all:!node3`, `a:&b`). */
  hosts: string;
  vars: Record<string, unknown>;
  /** Already resolved to absolute paths; loaded at play start. */
  vars_files: string[];
  /** Batch sizes: numbers or percentages ('30%'); empty = all hosts at once. */
  serial: Array<number | string>;
  any_errors_fatal: boolean;
  max_fail_percentage?: number;
  gather_facts: boolean;
  become?: boolean;
  become_user?: string;
  become_method?: 'sudo' | 'su' | 'none';
  environment?: Record<string, string>;
  tags: string[];
  check_mode?: boolean;
  no_log?: boolean;
  pre_tasks: Node[];
  tasks: Node[];
  post_tasks: Node[];
  handlers: TaskNode[];
  loc: Location;
}

export interface Playbook {
  /** Absolute path of the playbook file. */
  file: string;
  /** Folder used to resolve relative `src`, `template` and `vars_files` paths. */
  dir: string;
  plays: PlayNode[];
}

export interface InventoryHost {
  name: string;
  /** The host's own vars (inventory line, `hosts:` entry, host_vars/). */
  vars: Record<string, unknown>;
  /** Groups that list this host directly. */
  groups: string[];
  loc?: Location;
}

export interface InventoryGroup {
  name: string;
  /** Hosts listed directly in this group. */
  hosts: string[];
  children: string[];
  vars: Record<string, unknown>;
  loc?: Location;
}

/** Every host and group from all `-i` sources merged; `all` and `ungrouped` always exist. */
export interface Inventory {
  hosts: Map<string, InventoryHost>;
  groups: Map<string, InventoryGroup>;
  sources: string[];
}
