// `etcd_version_guard`: refuses (abort, exit code 8) to add a member whose etcd would be older than the running cluster's.
import { cmd } from '../connection/command.js';
import { RingError } from '../errors/index.js';
import { binaryVersion, joinRefusal, minorOf, oldestVersion, parseVersion, tagVersion } from '../etcd/versions.js';
import type { EtcdVersionGuardArgs } from '../generated/schema-types.js';
import { defineModule, type ModuleContext } from './define.js';
import { etcdError, varStr } from './etcd-common.js';
import { manifestPlace, versionFloor } from './etcd_manifest.js';
import { manifestValues } from './manifest-values.js';

/** One place the joining member's etcd version was read from. */
export interface VersionSource {
  what: string;
  version: string;
}

export const etcdVersionGuardModule = defineModule<EtcdVersionGuardArgs>({
  name: 'etcd_version_guard',
  description: 'Refuse (abort the run with exit code 8) to add this host\'s member when the etcd it will run (the image etcd_manifest would render; with systemd, the unit\'s etcd binary) is older than the running members\' major.minor.',
  schema: 'modules/etcd_version_guard.json',
  supportsCheckMode: true,
  idempotent: true,
  example: `- name: Refuse to add node3 back with an etcd older than the cluster
  etcd_version_guard:
    running: ["3.6.16", "3.6.16"]
  when: inventory_hostname == 'node3'
  register: joining
`,
  async run(ctx, args) {
    const running = (args.running ?? []).map(String).filter((v) => parseVersion(v));
    if (running.length === 0) {
      throw etcdError(ctx, `etcd_version_guard: no running member's version in \`running\` (${JSON.stringify(args.running ?? [])})`,
        'pass the versions the running members report, e.g. `running: "{{ live.versions }}"` from etcd_health');
    }
    const sources = args.version ? [{ what: 'the `version` argument', version: args.version }] : await joiningSources(ctx);
    const accept = args.accept_version_skew === true || args.accept_version_skew === 'true';
    // `accept_version_skew` is returned so the add (etcd_member `version`, which checks again) can be given it too.
    const base = { changed: false, running, cluster_version: minorOf(oldestVersion(running)), sources, accept_version_skew: accept };
    const joining = oldestVersion(sources.map((s) => s.version));
    if (!joining) {
      const text = `${ctx.host}: cannot tell which etcd version its member will run (no version tag in the image, no etcd binary found): not checked against the cluster's ${running.join(', ')}`;
      ctx.warn(text);
      return { ...base, version: '', warnings: [text], msg: text };
    }
    const refusal = joinRefusal(joining, running);
    const from = sources.map((s) => `${s.what}: ${s.version}`).join('; ');
    if (!refusal) return { ...base, version: joining, msg: `${ctx.host}'s member will run etcd ${joining} (${from}): not older than the running members (${running.join(', ')})` };
    // No host prefix: the run's report puts the host in front of a guard's abort.
    const text = `version guard: ${ctx.host}'s member would run etcd ${joining} (${from}): ${refusal}`;
    if (accept) {
      ctx.warn(`${text}; adding it anyway (accept_version_skew)`);
      return { ...base, version: joining, warnings: [text], msg: `${text}; adding it anyway (accept_version_skew)` };
    }
    throw new RingError('E_GUARD', `${text}. The member was not added: give ${ctx.host} the cluster's version (etcd_version or etcd_image; with systemd, etcd_binary), or -e accept_version_skew=true to add it anyway`, { host: ctx.host, task: ctx.taskName });
  },
});

/** The oldest of the versions (unparsable ones ignored), as written. */
/**
 * Where the etcd this host's member will run comes from, with its version: what actually starts it.
 * - static-pod / docker: the image tag of the manifest etcd_manifest renders (the kubelet or docker runs the image;
 *   an etcd binary on the host's PATH never runs the member, and the lab's kubelet stand-in also runs the image's
 *   binaries). The floor is the one the render sees then: the target was stopped first, which (static-pod) holds
 *   its manifest outside the manifests folder, so the old file's image is no floor at render time and is none here
 *   (else an explicit older `etcd_version` would pass here and be written later). The default templates take the
 *   image from `etcd_image` / `etcd_version` as here.
 * - systemd: the unit's `etcd_binary`, `etcd --version` read on the host.
 */
export async function joiningSources(ctx: ModuleContext): Promise<VersionSource[]> {
  const { flavor } = manifestPlace(ctx, {});
  const sources: VersionSource[] = [];
  if (flavor !== 'systemd') {
    const image = String(manifestValues(ctx.vars, ctx.host, {}, await versionFloor(ctx, undefined)).image);
    const v = tagVersion(image);
    if (v) sources.push({ what: `image ${image} of the manifest etcd_manifest would write`, version: v });
    return sources;
  }
  const binary = varStr(ctx.vars, 'etcd_binary', '/usr/local/bin/etcd');
  // Exit 3: no such binary. The path is printed first, so the message names the file that was asked.
  const r = await ctx.exec(cmd('sh', '-c', 'b=$(command -v -- "$1") || exit 3; printf "%s\\n" "$b"; "$b" --version', 'version', binary));
  if (r.code === 0) {
    const path = r.stdout.split('\n')[0].trim();
    const v = binaryVersion(r.stdout);
    if (v) sources.push({ what: `etcd binary ${path} on ${ctx.host}`, version: v });
    else ctx.log(`${path} --version printed no "etcd Version:" line: ${r.stdout.trim().slice(0, 200)}`);
  } else if (r.code !== 3) {
    ctx.log(`${binary} --version failed (exit ${r.code}): ${r.stderr.trim().slice(0, 200)}`);
  }
  return sources;
}
