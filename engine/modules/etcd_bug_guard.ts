// `etcd_bug_guard`: refuses (abort, exit code 8) an operation on a member whose etcd has a known bug for it, unless accepted.
import { cmd } from '../connection/command.js';
import { FORCE_NEW_CLUSTER_BUG, forceNewClusterVerdict } from '../etcd/known-bugs.js';
import { imageVersion, tagVersion } from '../etcd/versions.js';
import type { EtcdBugGuardArgs } from '../generated/schema-types.js';
import { defineModule, type ModuleContext, type ModuleResult } from './define.js';
import { etcdError, varStr } from './etcd-common.js';
import { DESTS } from './etcd_manifest.js';
import { containerWhere, readContainer } from './etcd-container.js';

export const etcdBugGuardModule = defineModule<EtcdBugGuardArgs>({
  name: 'etcd_bug_guard',
  description: "Refuse (abort the run with exit code 8) an operation this host's etcd version has a known bug for (`force-new-cluster`: learners left behind before 3.5.25 / 3.6.6, and on every 3.4), unless `accept_known_bug` is true.",
  schema: 'modules/etcd_bug_guard.json',
  supportsCheckMode: true,
  idempotent: true,
  example: `- name: Refuse to force a new cluster on an etcd with the learner bug
  etcd_bug_guard:
    operation: force-new-cluster
    accept_known_bug: false
  when: inventory_hostname == survey.survivor
`,
  async run(ctx, args) {
    const found = await liveVersion(ctx);
    const bug = FORCE_NEW_CLUSTER_BUG;
    const accepted = args.accept_known_bug === true;
    const base: ModuleResult = { changed: false, operation: args.operation, version: found.version, version_source: found.source, fixed_in: bug.fixedIn, accepted };
    const verdict = found.version === undefined ? undefined : forceNewClusterVerdict(found.version);
    if (verdict && !verdict.affected) return { ...base, affected: false, msg: `${ctx.host} runs etcd ${found.version} (${found.source}): ${verdict.reason}, ${args.operation} is safe from the known learner bug` };
    const what = verdict
      ? `${ctx.host} runs etcd ${found.version} (${found.source}), which has a known bug: ${bug.title}; ${verdict.reason} (${bug.fixedText})`
      : `cannot tell which etcd ${ctx.host} runs (${found.source}), so it may have a known bug: ${bug.title} (${bug.fixedText})`;
    if (accepted) {
      const text = `${what}; proceeding because accept_known_bug=true: the member list is checked after the forced start, and a leftover learner fails the run`;
      ctx.warn(text);
      return { ...base, affected: verdict?.affected ?? 'unknown', warnings: [text], msg: `warning: ${text}` };
    }
    return {
      ...base,
      affected: verdict?.affected ?? 'unknown',
      failed: true,
      abort: true,
      msg: `${what}. Refusing ${args.operation}; nothing was changed. Upgrade this member's etcd binary/image to a fixed release first `
        + '(3.5 → 3.5.25 or later, 3.6 → 3.6.6 or later; 3.4 has no fix: move to 3.5.25 or later), or run again with '
        + '-e accept_known_bug=true to proceed knowing the risk (a learner of the old cluster may stay in the member list: the run then stops and names it)',
    };
  },
});

/**
 * The version that will run the forced start, read now on this host: the image in the manifest (static pod) or
 * docker-run script, else `etcd --version` of the binary (the unit's ExecStart for systemd). The inventory's
 * etcd_version is never trusted here, and with quorum lost the member may not answer endpoint status.
 */
async function liveVersion(ctx: ModuleContext): Promise<{ version?: string; source: string }> {
  const flavor = varStr(ctx.vars, 'etcd_flavor', 'static-pod');
  if (flavor === 'docker') {
    // RKE keeps no file: the container's image is what docker starts.
    const def = await readContainer(ctx);
    const version = def ? tagVersion(def.image) : undefined;
    if (version) return { version, source: `image ${def!.image} of ${containerWhere(ctx)}` };
  }
  const file = varStr(ctx.vars, 'etcd_manifest', DESTS[flavor] ?? DESTS['static-pod']);
  const text = await readIfPresent(ctx, file);
  if (flavor !== 'systemd' && text !== undefined) {
    const version = flavor === 'docker' ? /\betcd:v?(\d+\.\d+\.\d+)/.exec(text)?.[1] : imageVersion(text);
    if (version) return { version, source: `image in ${file}` };
  }
  const execStart = flavor === 'systemd' ? /^ExecStart=-?(\S+)/m.exec(text ?? '')?.[1] : undefined;
  const binary = execStart ?? varStr(ctx.vars, 'etcd_binary', 'etcd');
  const r = await ctx.exec(cmd('sh', '-c', 'command -v "$1" >/dev/null 2>&1 || exit 3; "$1" --version', 'version', binary));
  const version = r.code === 0 ? /^etcd Version:\s*v?(\d+\.\d+\.\d+)/m.exec(r.stdout)?.[1] : undefined;
  if (version) return { version, source: `\`${binary} --version\` on the host` };
  const fileSays = text === undefined ? `${file} does not exist` : `${file} names no etcd version`;
  return { source: `${fileSays}; \`${binary} --version\` ${r.code === 3 ? 'found no such program' : 'printed no version'}` };
}

async function readIfPresent(ctx: ModuleContext, path: string): Promise<string | undefined> {
  const r = await ctx.exec(cmd('sh', '-c', 'if [ -e "$1" ]; then cat -- "$1"; else exit 3; fi', 'read', path));
  if (r.code === 3) return undefined;
  if (r.code !== 0) throw etcdError(ctx, `cannot read ${path}: ${r.stderr.trim() || `exit code ${r.code}`}`, 'check that the user may read it (become: true)');
  return r.stdout;
}
