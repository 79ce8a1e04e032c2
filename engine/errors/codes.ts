// The registry of error codes: each with its exit code (DESIGN.md bit flags) and a generic fix.
// Add a code here when a new kind of failure needs its own name; keep the list sorted by group.

/** Exit codes are bit flags, as in Ansible: several can be OR-ed into one run's exit code. */
export const EXIT = {
  ok: 0,
  usage: 1,
  failed: 2,
  unreachable: 4,
  guard: 8,
  internal: 255,
} as const;

interface CodeInfo {
  exit: number;
  fix?: string;
}

export const ERROR_CODES = {
  // usage and input
  E_USAGE: { exit: EXIT.usage, fix: 'run `ringmaster --help` for the commands and their flags' },
  E_FILE_NOT_FOUND: { exit: EXIT.usage, fix: 'check the path; relative paths are resolved from the current directory' },
  E_FILE_UNREADABLE: { exit: EXIT.usage },
  E_YAML_SYNTAX: { exit: EXIT.usage, fix: 'fix the YAML syntax at the place shown' },
  E_INI_SYNTAX: { exit: EXIT.usage, fix: 'fix the inventory line shown (Ansible INI format)' },
  E_SCHEMA: { exit: EXIT.usage },
  E_UNKNOWN_KEY: { exit: EXIT.usage },
  E_UNKNOWN_MODULE: { exit: EXIT.usage, fix: 'run `ringmaster modules` to list the modules' },
  E_TASK_SHAPE: { exit: EXIT.usage },
  E_EXTRA_VARS: { exit: EXIT.usage, fix: 'use -e key=value, -e \'{"json": 1}\' or -e @file.yml' },
  E_LIMIT_NO_MATCH: { exit: EXIT.usage, fix: 'check the pattern against `ringmaster inventory --list`' },
  E_NO_HOSTS: { exit: EXIT.usage },
  E_BAD_PATTERN: { exit: EXIT.usage },
  E_START_AT_TASK: { exit: EXIT.usage, fix: 'give the exact name of a task in the playbook' },
  // templates and expressions
  E_UNDEFINED_VAR: { exit: EXIT.usage, fix: 'define the variable (inventory, vars, -e) or guard it with `{{#if}}` / `default`' },
  E_TEMPLATE_SYNTAX: { exit: EXIT.usage, fix: 'fix the Handlebars syntax' },
  E_EXPR_SYNTAX: { exit: EXIT.usage, fix: 'see "Conditions" in the README for the expression grammar' },
  E_EXPR_EVAL: { exit: EXIT.failed },
  // run time
  E_TASK_FAILED: { exit: EXIT.failed },
  E_UNREACHABLE: { exit: EXIT.unreachable, fix: 'check that the host is up and that the address, port, user and key are right' },
  E_HOSTKEY_UNKNOWN: { exit: EXIT.unreachable },
  E_HOSTKEY_CHANGED: { exit: EXIT.unreachable },
  E_AUTH: { exit: EXIT.unreachable },
  E_SSH_CONFIG: { exit: EXIT.usage },
  E_GUARD: { exit: EXIT.guard },
  E_ABORTED: { exit: EXIT.guard },
  // apply: the cluster is no longer what the plan was made on
  E_DRIFT: { exit: EXIT.guard, fix: 'make a new plan (ringmaster plan) on the cluster as it is now, and review it' },
  // lab
  E_LAB: { exit: EXIT.failed },
  // nothing was run: like a missing inventory, this is something to set up first
  E_LAB_NOT_UP: { exit: EXIT.usage },
  E_LAB_PREREQ: { exit: EXIT.usage },
  // everything else is a bug
  E_INTERNAL: { exit: EXIT.internal, fix: 'this is a bug in ringmaster: please report it with the debug log' },
} as const satisfies Record<string, CodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;
