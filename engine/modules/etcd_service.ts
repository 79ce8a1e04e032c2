// `etcd_service`: stops or starts the local etcd member for its flavour (static pod, docker, systemd) and waits for the outcome.
import { cmd, raw, type Command } from '../connection/command.js';
import type { EtcdServiceArgs } from '../generated/schema-types.js';
import { deterministicLine, HINT } from '../etcd/etcdctl-errors.js';
import { defineModule, type ModuleContext, type ModuleResult } from './define.js';
import { checkStep } from '../etcd/quorum.js';
import { etcdctlCommand, etcdError, hostPort, label, sleep, varStr } from './etcd-common.js';
import { clusterView } from './etcd-view.js';
import { heldManifest, liveManifest } from '../etcd/manifest-paths.js';


type Flavor = 'static-pod' | 'docker' | 'systemd';

/** Prints `running` or `stopped` — the only read a plan needs. Paths arrive as positional parameters. */
const STATE: Record<Flavor, (ctx: ModuleContext, args: EtcdServiceArgs) => Command> = {
  'static-pod': (ctx, args) => cmd('sh', '-c', 'if [ -e "$1" ]; then echo running; elif [ -e "$2" ]; then echo stopped; else echo missing; fi', 'state', manifest(ctx), held(ctx, args)),
  docker: (ctx) => cmd('sh', '-c', 'docker inspect -f "{{.State.Running}}" "$1" 2>/dev/null | grep -q true && echo running || echo stopped', 'state', varStr(ctx.vars, 'etcd_container', 'etcd')),
  systemd: (ctx) => cmd('sh', '-c', 'systemctl is-active --quiet "$1" && echo running || echo stopped', 'state', varStr(ctx.vars, 'etcd_service_name', 'etcd')),
};

function manifest(ctx: ModuleContext): string {
  return liveManifest(ctx.vars);
}

/** The stopped member's manifest lives outside manifests/, where the kubelet does not look. */
function held(ctx: ModuleContext, args: EtcdServiceArgs): string {
  return heldManifest(ctx.vars, args.holding_dir);
}


function change(ctx: ModuleContext, args: EtcdServiceArgs, flavor: Flavor, to: 'stopped' | 'started'): Command {
  if (flavor === 'docker') return cmd('docker', to === 'stopped' ? 'stop' : 'start', varStr(ctx.vars, 'etcd_container', 'etcd'));
  if (flavor === 'systemd') return cmd('systemctl', to === 'stopped' ? 'stop' : 'start', varStr(ctx.vars, 'etcd_service_name', 'etcd'));
  const [from, dest] = to === 'stopped' ? [manifest(ctx), held(ctx, args)] : [held(ctx, args), manifest(ctx)];
  const dir = dest.slice(0, dest.lastIndexOf('/')) || '/';
  return cmd('mkdir', '-p', dir, raw('&&'), 'mv', '-f', '--', from, dest);
}

/** One remote loop until the client port is closed (or open): no nc needed, bash's /dev/tcp is enough. */
function portWait(host: string, port: number, open: boolean, timeoutS: number): Command {
  const probe = `timeout 1 bash -c 'exec 3<>/dev/tcp/${host}/${port}' 2>/dev/null`;
  const cond = open ? probe : `! ${probe}`;
  return cmd('bash', '-c', `for i in $(seq ${timeoutS}); do if ${cond}; then exit 0; fi; sleep 1; done; exit 1`);
}

export const etcdServiceModule = defineModule<EtcdServiceArgs>({
  name: 'etcd_service',
  description: 'Stop or start the local etcd member (static-pod manifest moved out of/back into the manifests folder, docker stop/start, or systemctl stop/start) and wait until it is down or healthy.',
  schema: 'modules/etcd_service.json',
  supportsCheckMode: true,
  idempotent: true,
  example: `- name: Stop etcd on node3
  etcd_service:
    state: stopped
    timeout: 60
`,
  async run(ctx, args) {
    const flavor = (args.flavor ?? varStr(ctx.vars, 'etcd_flavor', 'static-pod')) as Flavor;
    const timeoutS = args.timeout ?? 60;
    const r = await ctx.exec(STATE[flavor](ctx, args));
    const now = r.stdout.trim();
    if (now === 'missing' && args.state === 'stopped') {
      // A member someone already stopped by moving its manifest elsewhere: stopped is what we want, if the port agrees.
      const { port } = hostPort(varStr(ctx.vars, 'etcd_client_url', 'https://127.0.0.1:2379'));
      const closed = await ctx.exec(portWait('127.0.0.1', port, false, 2), { timeoutMs: 15_000 });
      if (closed.code === 0) return { changed: false, flavor, msg: `etcd (${flavor}) already stopped: no manifest at ${manifest(ctx)} nor at ${held(ctx, args)} and port ${port} is closed` };
    }
    if (now === 'missing' && args.state === 'started' && ctx.check) {
      // A plan: the task that writes the manifest (etcd_manifest render) ran in check mode too and wrote nothing.
      return { changed: true, flavor, msg: `check mode: would start etcd (${flavor}) from ${manifest(ctx)}, which does not exist yet (nor ${held(ctx, args)}): an earlier task must write it, or the real run fails here` };
    }
    if (now === 'missing') {
      throw etcdError(ctx, `no etcd manifest at ${manifest(ctx)} nor at ${held(ctx, args)}`, 'write one with etcd_manifest first');
    }
    const want = args.state;
    const already = (want === 'stopped' && now === 'stopped') || (want === 'started' && now === 'running');
    const commands: string[] = [];
    // In check mode the earlier planned changes (a stale member's removal) did not happen, so the live state is not the
    // one this stop would meet: the plan's guard (etcd_quorum_guard) judged that sequence; the real run re-checks here.
    const recheck = !already && want === 'stopped' && (args.guard_endpoints?.length ?? 0) > 0;
    if (recheck && !ctx.check) {
      const refused = await recheckStop(ctx, args.guard_endpoints!);
      if (refused) return refused;
    }
    if (!already) {
      const c = change(ctx, args, flavor, want);
      commands.push(c.display());
      if (ctx.check) return { changed: true, flavor, commands, msg: `check mode: would ${recheck ? 're-check the quorum against the live members, then ' : ''}${want === 'stopped' ? 'stop' : 'start'} etcd (${flavor}) and wait up to ${timeoutS}s` };
      const done = await ctx.exec(c);
      if (done.code !== 0) throw etcdError(ctx, `${c.display()} failed: ${done.stderr.trim() || `exit code ${done.code}`}`);
    } else if (ctx.check) {
      return { changed: false, flavor, msg: `etcd (${flavor}) already ${want}` };
    }
    const waited = await waitFor(ctx, args, want, timeoutS);
    const where = flavor === 'static-pod' ? ` (manifest ${want === 'stopped' ? `held at ${held(ctx, args)}` : `at ${manifest(ctx)}`})` : '';
    const result: ModuleResult = { changed: !already, flavor, commands, waited, held_manifest: flavor === 'static-pod' ? held(ctx, args) : undefined };
    return { ...result, msg: `etcd (${flavor}) ${already ? 'already ' : ''}${want}${where}` };
  },
});

/**
 * Right before stopping, the live facts the guard task relied on are read again from `guard_endpoints`: a member
 * someone else stopped in between would make this stop the one that loses quorum. The member is this host's, found
 * by its peer URL. Returns the refusal, or undefined to go on.
 */
async function recheckStop(ctx: ModuleContext, endpoints: string[]): Promise<ModuleResult | undefined> {
  const view = await clusterView(ctx, endpoints);
  const peer = varStr(ctx.vars, 'etcd_peer_url', '');
  const me = view.list.members.find((m) => m.peerURLs.includes(peer));
  if (!me) return undefined; // not a member (any more): stopping it cannot change the quorum
  const verdict = checkStep(view.list.members, view.healthy, { kind: 'stop', memberId: me.id }, `stopping ${label(me)}`);
  ctx.log(`re-checked before stopping: ${verdict.explanation}`);
  if (verdict.safe) return undefined;
  return { changed: false, failed: true, abort: true, msg: `${ctx.host}: quorum guard (re-checked right before the stop): ${verdict.explanation}` };
}

/** Stopped: the client port no longer answers. Started: the local endpoint is healthy (or its port answers). */
async function waitFor(ctx: ModuleContext, args: EtcdServiceArgs, want: 'stopped' | 'started', timeoutS: number): Promise<string> {
  const { port } = hostPort(varStr(ctx.vars, 'etcd_client_url', 'https://127.0.0.1:2379'));
  const wait = want === 'stopped' ? 'port-closed' : args.wait ?? 'healthy';
  if (wait === 'none') return 'none';
  if (wait !== 'healthy') {
    const r = await ctx.exec(portWait('127.0.0.1', port, want === 'started', timeoutS), { timeoutMs: (timeoutS + 10) * 1000 });
    if (r.code !== 0) {
      throw etcdError(ctx, `etcd's client port ${port} still ${want === 'stopped' ? 'answers' : 'does not answer'} after ${timeoutS}s`,
        want === 'stopped' ? 'another etcd may be running (check the process list and the manifests folder)' : 'check the etcd logs (crictl logs / docker logs / journalctl -u etcd)');
    }
    return wait;
  }
  const health = etcdctlCommand(ctx, undefined, 'endpoint', 'health');
  const deadline = Date.now() + timeoutS * 1000;
  let last = '';
  for (;;) {
    const r = await ctx.exec(health);
    if (r.code === 0) return 'healthy';
    // A member still starting is waited for; etcdctl refusing its flags or TLS files never gets better.
    const fatal = deterministicLine(r.stderr, r.code);
    if (fatal !== undefined) throw etcdError(ctx, `${health.display()} failed: ${fatal}`, HINT);
    last = (r.stderr.trim().split('\n').pop() ?? '').slice(0, 300);
    if (Date.now() >= deadline) break;
    await sleep(1000, ctx.signal);
  }
  throw etcdError(ctx, `etcd did not become healthy within ${timeoutS}s: ${last}`, 'check the etcd logs; a member restored alone cannot be healthy without its peers (use wait: port or none)');
}
