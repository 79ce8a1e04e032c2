// `lab fail` / `lab heal`: fault injection on one lab host, recorded in the state so heal undoes exactly what fail did.
import { RingError } from '../errors/index.js';
import { memberHealthy } from './etcd-query.js';
import { memberIdOf, repairedSince } from './fault-stale.js';
import { hostShell } from './hosts.js';
import { sleep, waitFor } from './proc.js';
import { findHost, type LabSpec } from './spec.js';
import { specOf, writeState, type FaultMode, type LabState } from './state.js';
import { setBridgePort } from './topology.js';

/** Every mode and what it does to the node (shown by `lab fail --help`). */
export const FAULT_MODES: Readonly<Record<FaultMode, string>> = {
  stop: 'moves etcd.yaml out of /etc/kubernetes/manifests (to /etc/kubernetes/lab-stopped/): the static-pod runner stops etcd cleanly. heal: moves it back (not over a manifest a playbook wrote since).',
  kill: 'SIGKILLs the etcd process (an unclean crash) and holds the static-pod runner so etcd stays down. heal: releases the runner; etcd restarts on its data.',
  wipe: 'stops etcd, moves /var/lib/etcd aside (to /var/lib/ringmaster-lab-fault/) and restarts etcd on an empty data dir: the member has lost its data. heal: puts the data back (not once the member was replaced or has rejoined on new data).',
  corrupt: 'stops etcd, keeps a copy of member/snap/db, overwrites its first 8 KiB (both bbolt meta pages) and restarts etcd, which cannot open it and crash-loops. heal: restores the copy (not once the member was rebuilt).',
  partition: "takes the node's port on the lab bridge down: peers and the bastion cannot reach it; its etcd keeps running alone. heal: brings the port up.",
  'ssh-down': "stops the node's sshd (etcd keeps running): SSH to the node is refused. heal: sshd starts again.",
};

export function isFaultMode(s: string): s is FaultMode {
  return Object.hasOwn(FAULT_MODES, s);
}

const HOLD = '/run/static-pods/hold';
/** Prints the PID of the runner's etcd (empty when it runs none); node is on every lab node. */
const ETCD_PID = `node -e 'const s=JSON.parse(require("fs").readFileSync("/run/static-pods/status.json","utf8"));const p=s.pods.find(x=>x.name==="etcd"&&x.pid);console.log(p?p.pid:"")'`;
/** Prints "etcd" while the runner still has an etcd pod (running or stopping). */
export const ETCD_POD = `node -e 'const s=JSON.parse(require("fs").readFileSync("/run/static-pods/status.json","utf8"));console.log(s.pods.some(x=>x.name==="etcd")?"etcd":"")'`;
const AWAY = '/var/lib/ringmaster-lab-fault';
const DB = '/var/lib/etcd/member/snap/db';
/** Holds the runner, then stops etcd (TERM, KILL after 10 s) and waits until it has exited. */
const STOP_HELD = `touch ${HOLD}
pid=$(${ETCD_PID})
if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null; i=0; while kill -0 "$pid" 2>/dev/null; do i=$((i+1)); [ $i -eq 100 ] && kill -KILL "$pid"; sleep 0.1; done; fi
mkdir -p ${AWAY}`;
const RELEASE = `rm -f ${HOLD}`;

const INJECT: Record<FaultMode, string | undefined> = {
  stop: `mkdir -p /etc/kubernetes/lab-stopped && mv /etc/kubernetes/manifests/etcd.yaml /etc/kubernetes/lab-stopped/etcd.yaml
i=0; while [ -n "$(${ETCD_POD})" ]; do i=$((i+1)); [ $i -gt 150 ] && exit 1; sleep 0.1; done`,
  kill: `touch ${HOLD}; pid=$(${ETCD_PID}); [ -n "$pid" ] && kill -KILL "$pid"; true`,
  wipe: `${STOP_HELD}\nrm -rf ${AWAY}/etcd && mv /var/lib/etcd ${AWAY}/etcd && mkdir -m 700 /var/lib/etcd && ${RELEASE}`,
  // prints the corrupted file's hash: heal restores the copy only onto that very file
  corrupt: `${STOP_HELD}\ncp -a ${DB} ${AWAY}/db && dd if=/dev/urandom of=${DB} bs=4096 count=2 conv=notrunc 2>/dev/null && sha256sum < ${DB} && ${RELEASE}`,
  partition: undefined,
  'ssh-down': 'touch /run/lab/ssh-down; kill -TERM "$(cat /run/lab/sshd.pid)"; while kill -0 "$(cat /run/lab/sshd.pid)" 2>/dev/null; do sleep 0.05; done',
};

/** Printed by an undo that found the node changed since the fault (a line `stale: why`) and so restored nothing. */
const STALE = 'stale: ';

/**
 * Undoing a data or manifest fault puts the pre-fault copy back, which is right only while nothing has replaced
 * what the fault left: once etcd rejoined on the wiped dir or a playbook rebuilt the member (new data, maybe a new
 * member ID, a new manifest), the old copy is stale and restoring it crash-loops the member ("tocommit(N) is out of
 * range"). labHeal asks the cluster first (fault-stale.ts); the undo scripts check what only the node can tell.
 */
const UNDO: Record<FaultMode, string | undefined> = {
  stop: `if [ -e /etc/kubernetes/manifests/etcd.yaml ]; then echo '${STALE}a new etcd.yaml was written to /etc/kubernetes/manifests since the fault (a playbook repaired the node)'; exit 0; fi
[ -e /etc/kubernetes/lab-stopped/etcd.yaml ] && mv /etc/kubernetes/lab-stopped/etcd.yaml /etc/kubernetes/manifests/etcd.yaml; true`,
  kill: RELEASE,
  wipe: `${STOP_HELD}
[ -d ${AWAY}/etcd ] && rm -rf /var/lib/etcd && mv ${AWAY}/etcd /var/lib/etcd; ${RELEASE}`,
  corrupt: `${STOP_HELD}
if [ "$(sha256sum < ${DB} 2>/dev/null)" != "$RINGMASTER_CORRUPTED" ]; then ${RELEASE}; echo '${STALE}${DB} is no longer the file the fault corrupted (a playbook rebuilt the member)'; exit 0; fi
[ -f ${AWAY}/db ] && cp -a ${AWAY}/db ${DB} && rm -f ${AWAY}/db; ${RELEASE}`,
  partition: undefined,
  'ssh-down': 'rm -f /run/lab/ssh-down; old=$(cat /run/lab/sshd.pid); i=0; while [ $i -lt 100 ]; do i=$((i+1)); p=$(cat /run/lab/sshd.pid); [ "$p" != "$old" ] && grep -q \':0016 00000000:0000 0A\' /proc/net/tcp && exit 0; sleep 0.05; done; exit 1',
};

async function inNode(state: LabState, node: string, script: string, what: string): Promise<string> {
  const r = await hostShell(state, node, `set -u\n${script}`, 60_000);
  if (r.code !== 0) throw new RingError('E_LAB', `${what} on ${node} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().slice(-400)}`);
  return r.stdout;
}

/** Where each data fault keeps the pre-fault copy (said when heal leaves it there). */
const STASH: Partial<Record<FaultMode, string>> = { wipe: `${AWAY}/etcd`, corrupt: `${AWAY}/db`, stop: '/etc/kubernetes/lab-stopped/etcd.yaml' };

/** What `lab heal` did about one fault: undone, or left alone because the node was repaired since (and why). */
export interface HealOutcome {
  healed: FaultMode[];
  notRestored: Array<{ mode: FaultMode; why: string }>;
}

function checkTarget(spec: LabSpec, node: string, mode: FaultMode): void {
  const h = findHost(spec, node);
  if (h.role === 'bastion' && mode !== 'partition' && mode !== 'ssh-down') {
    throw new RingError('E_USAGE', `mode ${mode} needs an etcd node; the bastion runs no etcd`, { hint: 'the bastion takes --mode partition or ssh-down' });
  }
  // stop, kill, wipe and corrupt work through the static-pod runner; an rke node's etcd is a docker container.
  if (spec.flavor === 'rke' && h.role === 'node' && mode !== 'partition' && mode !== 'ssh-down') {
    throw new RingError('E_USAGE', `mode ${mode} is not built for the rke flavour yet (etcd runs in a docker container there)`, {
      hint: `use --mode partition or ssh-down, or \`ringmaster lab exec --name ${spec.name} ${node} -- docker stop etcd\``,
    });
  }
  // a systemd node's etcd and sshd are units of its systemd, not of the lab's runner and sshd loop.
  if (spec.flavor === 'systemd' && h.role === 'node' && mode !== 'partition') {
    throw new RingError('E_USAGE', `mode ${mode} is not built for the systemd flavour yet (etcd and sshd are systemd units there)`, {
      hint: `use --mode partition, or \`ringmaster lab exec --name ${spec.name} ${node} -- systemctl stop etcd\``,
    });
  }
}

/** Injects `mode` on `node` and records it; returns once the effect is in place. */
export async function labFail(state: LabState, node: string, mode: FaultMode): Promise<void> {
  const spec = specOf(state);
  checkTarget(spec, node, mode);
  const active = state.faults[node] ?? [];
  if (active.includes(mode)) throw new RingError('E_LAB', `${node} already has fault ${mode}`, { hint: `run \`ringmaster lab heal ${node}\`` });
  // the member's ID before a data fault: heal restores nothing over a member that replaced it
  const memberId = mode === 'wipe' || mode === 'corrupt' ? (await memberIdOf(spec, state, node)).id : undefined;
  let said = '';
  if (mode === 'partition') await setBridgePort(spec, findHost(spec, node).bridgePort, false);
  else said = (await inNode(state, node, INJECT[mode]!, `injecting ${mode}`)).trim();
  if (memberId) (state.faultEvidence ??= {})[node] = { ...state.faultEvidence?.[node], memberId };
  if (mode === 'corrupt') (state.faultEvidence ??= {})[node] = { ...state.faultEvidence?.[node], corruptedSha: said };
  state.faults[node] = [...active, mode];
  writeState(state);
}

/**
 * Undoes every recorded fault of `node` (last first) and returns once its etcd member is healthy again. A data or
 * manifest fault the node was repaired from since (see UNDO) is not undone: its record is cleared and the outcome
 * says why, with where the pre-fault copy stays.
 */
export async function labHeal(state: LabState, node: string, timeoutMs: number): Promise<HealOutcome> {
  const spec = specOf(state);
  const h = findHost(spec, node);
  const active = [...(state.faults[node] ?? [])];
  const out: HealOutcome = { healed: [], notRestored: [] };
  const evidence = state.faultEvidence?.[node] ?? {};
  for (const mode of [...active].reverse()) {
    const repaired = mode === 'wipe' || mode === 'corrupt' ? await repairedSince(spec, state, node, evidence.memberId) : undefined;
    if (repaired) out.notRestored.push({ mode, why: repaired });
    else if (mode === 'partition') await setBridgePort(spec, h.bridgePort, true);
    else {
      const env = mode === 'corrupt' ? `RINGMASTER_CORRUPTED='${(evidence.corruptedSha ?? '').replace(/[^0-9a-f -]/g, '')}'\n` : '';
      const said = await inNode(state, node, env + UNDO[mode]!, `healing ${mode}`);
      const stale = said.split('\n').find((l) => l.startsWith(STALE));
      if (stale) out.notRestored.push({ mode, why: stale.slice(STALE.length) });
    }
    const skipped = out.notRestored.find((n) => n.mode === mode);
    if (skipped && STASH[mode]) skipped.why += `; the pre-fault copy stays in ${STASH[mode]} on ${node}`;
    if (!out.notRestored.some((n) => n.mode === mode)) out.healed.push(mode);
    state.faults[node] = (state.faults[node] ?? []).filter((m) => m !== mode);
    writeState(state);
  }
  delete state.faults[node];
  if (state.faultEvidence) delete state.faultEvidence[node];
  writeState(state);
  if (h.role === 'node' && active.some((m) => m !== 'ssh-down')) {
    await sleep(200);
    await waitFor(`${node}'s etcd member to be healthy again`, timeoutMs, async () => ((await memberHealthy(spec, state, node)) ? true : undefined), 300);
  }
  return out;
}
