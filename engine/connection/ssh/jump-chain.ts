// Opens routes through jump hosts, sharing every connection (bastion or target) by its route so each is opened once.
import type { Duplex } from 'node:stream';
import type { AuthContext } from './auth.js';
import type { Endpoint } from './endpoint.js';
import { endpointLabel, openClient, tcpSocket, transient, unreachable, type LiveClient } from './hop-client.js';

function routeKey(route: Endpoint[]): string {
  return route.map(endpointLabel).join(' > ');
}

/** All SSH clients of a run, keyed by route; closing it closes targets before the bastions they go through. */
export class ClientPool {
  private readonly clients = new Map<string, Promise<LiveClient>>();
  private readonly opened: LiveClient[] = [];
  /** After closeAll, a client that finishes connecting (an interrupted connect) is closed at once. */
  private shut = false;

  constructor(private readonly ctx: AuthContext) {}

  /** The client for the last endpoint of `route`, opening the hops before it as needed (each once). */
  get(route: Endpoint[]): Promise<LiveClient> {
    const key = routeKey(route);
    const existing = this.clients.get(key);
    if (existing) return existing;
    const p = this.open(route);
    this.clients.set(key, p);
    p.then(
      (live) => {
        if (this.shut) return void closeClient(live);
        this.opened.push(live);
        live.onClose.add(() => this.clients.delete(key));
      },
      () => this.clients.delete(key),
    );
    return p;
  }

  private async open(route: Endpoint[]): Promise<LiveClient> {
    const ep = route[route.length - 1];
    if (route.length === 1) return openClient(ep, tcpSocket(ep, this.ctx.signal), this.ctx);
    const parent = await this.get(route.slice(0, -1));
    return openClient(ep, () => forward(parent, ep), this.ctx);
  }

  /** Closes every client, last opened first (targets before their bastions), and waits for the sockets to go. */
  async closeAll(): Promise<void> {
    this.shut = true;
    const all = [...this.opened].reverse();
    this.opened.length = 0;
    this.clients.clear();
    for (const live of all) await closeClient(live);
  }
}

/** A channel through `parent` to `ep` — the socket of the next hop. */
function forward(parent: LiveClient, ep: Endpoint): Promise<Duplex> {
  return new Promise<Duplex>((resolve, reject) => {
    if (parent.closed) {
      reject(transient(unreachable(ep, `jump host ${parent.label} is no longer connected (${parent.closeReason})`)));
      return;
    }
    parent.client.forwardOut('127.0.0.1', 0, ep.hostname, ep.port, (err, stream) => {
      if (!err) return resolve(stream);
      // RFC 4254 reason 1 = administratively prohibited (a policy: no retry); 2 = connect failed (maybe not up yet).
      const prohibited = (err as Error & { reason?: number }).reason === 1 || /prohibited/i.test(err.message);
      const why = prohibited
        ? `refused to forward to ${ep.hostname}:${ep.port} (${err.message}; is AllowTcpForwarding disabled on ${parent.endpoint.name}?)`
        : `could not reach ${ep.hostname}:${ep.port}: ${err.message}`;
      const e = unreachable(ep, `jump host ${parent.endpoint.name} (${parent.label}) ${why}`, err);
      reject(prohibited ? e : transient(e));
    });
  });
}

function closeClient(live: LiveClient): Promise<void> {
  if (live.closed) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      // A peer that does not answer the disconnect must not hang the end of the run.
      (live.client as unknown as { _sock?: { destroy(): void } })._sock?.destroy();
      resolve();
    }, 2000);
    live.client.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    live.client.end();
  });
}
