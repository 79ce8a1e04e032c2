// Runs a command for `command` and `shell`: creates/removes guards and chdir in the same round trip, Ansible's result shape.
import { cmd, raw, type Command } from '../connection/command.js';
import type { ModuleContext, ModuleResult } from './define.js';

/** The guards and options that `command` and `shell` share. */
export interface RunRequest {
  /** What runs (already quoted). */
  command: Command;
  /** What the result reports as `cmd` (Ansible: the argv list for command, the string for shell). */
  reported: string | string[];
  chdir?: string;
  creates?: string;
  removes?: string;
  stdin?: string;
  stdin_add_newline?: boolean;
}

/** Printed (alone) on stdout when a creates/removes guard says "skip"; nothing else can have run by then. */
export const SKIP_MARK = 'ringmaster:guard-skip';

/** The guard prefix: `test -e P && { printf MARK; exit 0; };` (creates) or `test -e P || {…}` (removes). */
function guards(req: RunRequest): Command[] {
  const out: Command[] = [];
  const skip = [raw('{'), 'printf', '%s', SKIP_MARK, raw(';'), 'exit', '0', raw(';'), raw('}'), raw(';')];
  if (req.creates) out.push(cmd('test', '-e', req.creates, raw('&&'), ...skip));
  if (req.removes) out.push(cmd('test', '-e', req.removes, raw('||'), ...skip));
  return out;
}

/** The full command line: guards, then `cd DIR &&`, then the command. */
export function buildCommand(req: RunRequest): Command {
  const parts = guards(req).flatMap((g) => [...g.parts]);
  if (req.chdir) parts.push('cd', req.chdir, raw('&&'));
  return cmd(...parts, ...req.command.parts);
}

const lines = (s: string): string[] => (s === '' ? [] : s.replace(/\n$/, '').split('\n'));

/** Runs (or in check mode plans) the command and shapes the result like Ansible's. */
export async function runCommand(ctx: ModuleContext, req: RunRequest): Promise<ModuleResult> {
  const display = req.command.display();
  if (ctx.check) return planInCheckMode(ctx, req, display);
  const full = buildCommand(req);
  const stdin = req.stdin === undefined ? undefined : req.stdin + (req.stdin_add_newline === false ? '' : '\n');
  const r = await ctx.exec(full, stdin === undefined ? undefined : { stdin });
  if (r.code === 0 && r.stdout === SKIP_MARK) return skippedByGuard(req, display);
  const result: ModuleResult = {
    changed: true,
    cmd: req.reported,
    commands: [display],
    rc: r.code,
    stdout: r.stdout.replace(/\n$/, ''),
    stderr: r.stderr.replace(/\n$/, ''),
    stdout_lines: lines(r.stdout),
    stderr_lines: lines(r.stderr),
    delta_ms: r.durationMs,
  };
  if (r.timedOut) return { ...result, failed: true, msg: `command timed out after ${r.durationMs} ms` };
  if (r.code !== 0) return { ...result, failed: true, msg: r.code === null ? `killed by signal ${r.signal ?? '?'}` : 'non-zero return code' };
  return result;
}

function skippedByGuard(req: RunRequest, display: string): ModuleResult {
  const msg = req.creates ? `skipped, since ${req.creates} exists` : `skipped, since ${req.removes} does not exist`;
  return { changed: false, cmd: req.reported, rc: 0, stdout: msg, stderr: '', stdout_lines: [msg], stderr_lines: [], msg, commands: [], planned: display };
}

/**
 * Check mode never runs the command. A creates/removes guard is only a read, so it is evaluated to make
 * the plan accurate ("would skip" versus "would run").
 */
async function planInCheckMode(ctx: ModuleContext, req: RunRequest, display: string): Promise<ModuleResult> {
  const g = guards(req);
  if (g.length > 0) {
    const r = await ctx.exec(cmd(...g.flatMap((x) => [...x.parts]), 'true'));
    if (r.code === 0 && r.stdout === SKIP_MARK) return skippedByGuard(req, display);
  }
  const where = req.chdir ? ` (in ${req.chdir})` : '';
  return { changed: true, cmd: req.reported, commands: [display], msg: `check mode: would run ${display}${where}` };
}
