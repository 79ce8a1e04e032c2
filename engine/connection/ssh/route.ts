// Resolves a host into its route: the jump hosts (ProxyJump, recursively, loop-checked) followed by the target.
import { RingError } from '../../errors/index.js';
import { draftEndpoint, type Endpoint, type EndpointContext, type Inherited } from './endpoint.js';
import type { HopRef } from './proxy-jump.js';

/** Looks up an inventory host's variables by name; undefined when it is not an inventory host. */
export type HostLookup = (name: string) => Record<string, unknown> | undefined;

const MAX_HOPS = 16;

/** The endpoints to connect through, in order; the last one is the host itself. */
export function resolveRoute(name: string, vars: Record<string, unknown>, ctx: EndpointContext, lookup: HostLookup): Endpoint[] {
  return chainFor(name, vars, ctx, lookup, [], undefined);
}

function chainFor(name: string, vars: Record<string, unknown>, ctx: EndpointContext, lookup: HostLookup, stack: string[], inherit: Inherited | undefined): Endpoint[] {
  const draft = draftEndpoint(name, vars, ctx, inherit);
  const here = [...stack, name];
  if (draft.jumps.length === 0) return [draft.endpoint];
  const passOn: Inherited = inherit ?? {
    identityFiles: draft.endpoint.identityFiles.filter((f) => f.explicit).map((f) => ({ ...f, explicit: false })),
    knownHostsFiles: draft.endpoint.knownHostsFiles,
    passphraseEnv: draft.endpoint.passphraseEnv,
  };
  const hops: Endpoint[] = [];
  draft.jumps.forEach((ref, i) => {
    // Like `ssh -J a,b`: only the first hop's own ProxyJump is followed; later hops are reached through earlier ones.
    const sub = hopChain(ref, ctx, lookup, here, passOn, draft.jumpSetting, i === 0);
    hops.push(...sub);
  });
  const route = [...hops, draft.endpoint];
  if (route.length > MAX_HOPS) {
    throw new RingError('E_SSH_CONFIG', `host ${stack[0] ?? name}: more than ${MAX_HOPS} jump hosts (${draft.jumpSetting}); is there a loop?`, { host: stack[0] ?? name });
  }
  return route;
}

function hopChain(ref: HopRef, ctx: EndpointContext, lookup: HostLookup, stack: string[], inherit: Inherited, setting: string, followOwnJump: boolean): Endpoint[] {
  if (stack.includes(ref.host)) {
    const root = stack[0];
    throw new RingError('E_SSH_CONFIG', `host ${root}: ProxyJump loop ${[...stack, ref.host].join(' → ')} (${setting})`, {
      host: root,
      hint: 'a jump host must not (directly or through its own ProxyJump) jump through itself; set `ProxyJump none` for the bastion',
    });
  }
  const inventoryVars = lookup(ref.host);
  const vars: Record<string, unknown> = inventoryVars ? { ...inventoryVars } : { ansible_host: ref.host };
  if (ref.port !== undefined) vars.ansible_port = ref.port;
  if (ref.user !== undefined) vars.ansible_user = ref.user;
  if (ref.privateKeyFile !== undefined) vars.ansible_ssh_private_key_file = ref.privateKeyFile;
  if (ref.knownHosts !== undefined) vars.ringmaster_known_hosts = ref.knownHosts;
  if (!followOwnJump) {
    delete vars.ringmaster_proxy_jump;
    vars.ansible_ssh_common_args = '-o ProxyJump=none';
    delete vars.ansible_ssh_extra_args;
  }
  return chainFor(ref.host, vars, ctx, lookup, stack, inherit);
}
