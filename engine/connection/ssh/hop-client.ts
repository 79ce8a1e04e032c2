// One authenticated ssh2 Client to one endpoint over a given socket, with connect retries and clear errors.
import { connect as tcpConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import ssh2, { type Client } from 'ssh2';
import { RingError, isRingError } from '../../errors/index.js';
import { authAttempts, type AuthAttempt, type AuthContext } from './auth.js';
import type { Endpoint } from './endpoint.js';
import { preferredHostKeyAlgorithms, verifyHostKey, type HostKeyOutcome } from './host-key.js';

/** An open, authenticated SSH connection to one endpoint (target or bastion). */
export interface LiveClient {
  client: Client;
  endpoint: Endpoint;
  /** `user@host:port`, as shown in hop lists. */
  label: string;
  auth: string;
  hostKey: string;
  /** Set when accept-new recorded this key (type, fingerprint, file): the run warns about it. */
  hostKeyRecorded?: string;
  closed: boolean;
  /** Why it closed (connection lost), for the errors of channels that were open. */
  closeReason?: string;
  onClose: Set<() => void>;
}

/** Opens the byte stream the SSH session will run over (a TCP socket, or a channel forwarded by a bastion). */
export type SocketMaker = () => Promise<Duplex>;

const TRANSIENT = new WeakSet<object>();

/** `user@host:port` of an endpoint. */
export function endpointLabel(ep: Endpoint): string {
  return `${ep.user}@${ep.hostname}:${ep.port}`;
}

/** Marks an error as worth a retry (refused, reset, timed out, lost before the handshake ended). */
export function transient<E extends object>(e: E): E {
  TRANSIENT.add(e);
  return e;
}

/** E_ABORTED for a connect the run's interrupt stopped (not a transport failure: the host is not to blame). */
function interrupted(ep: Endpoint): RingError {
  return new RingError('E_ABORTED', `host ${ep.name}: interrupted while connecting`, { host: ep.name });
}

/** A direct TCP connection with TCP_NODELAY (without it every small exec waits ~40 ms for delayed ACKs). */
export function tcpSocket(ep: Endpoint, signal?: AbortSignal): SocketMaker {
  return () =>
    new Promise<Duplex>((resolve, reject) => {
      if (signal?.aborted) return reject(interrupted(ep));
      const sock = tcpConnect({ host: ep.hostname, port: ep.port });
      const onAbort = () => {
        clearTimeout(timer);
        sock.destroy();
        reject(interrupted(ep));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        sock.destroy();
        reject(transient(unreachable(ep, `no answer from ${ep.hostname}:${ep.port} within ${ep.connectTimeoutMs / 1000}s`)));
      }, ep.connectTimeoutMs);
      sock.once('connect', () => {
        signal?.removeEventListener('abort', onAbort);
        clearTimeout(timer);
        sock.setNoDelay(true);
        sock.removeAllListeners('error');
        resolve(sock);
      });
      sock.once('error', (e: NodeJS.ErrnoException) => {
        signal?.removeEventListener('abort', onAbort);
        clearTimeout(timer);
        const err = unreachable(ep, `cannot connect to ${ep.hostname}:${ep.port}: ${e.code ?? e.message}`, e);
        reject(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN'].includes(e.code ?? '') ? transient(err) : err);
      });
    });
}

/** Connects and authenticates, retrying transient failures with exponential back-off (250 ms, 500 ms, ...). */
export async function openClient(ep: Endpoint, makeSocket: SocketMaker, ctx: AuthContext): Promise<LiveClient> {
  const attempts = await authAttempts(ep, ctx);
  for (let attempt = 0; ; attempt++) {
    if (ctx.signal?.aborted) throw interrupted(ep);
    try {
      return await handshake(ep, await makeSocket(), attempts, ctx.signal);
    } catch (e) {
      if (ctx.signal?.aborted) throw interrupted(ep);
      if (!(typeof e === 'object' && e !== null && TRANSIENT.has(e)) || attempt >= ep.retries) throw e;
      ctx.note(`ssh ${ep.name}: ${(e as Error).message}; retry ${attempt + 1}/${ep.retries}`);
      await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
    }
  }
}

function handshake(ep: Endpoint, sock: Duplex, attempts: AuthAttempt[], signal?: AbortSignal): Promise<LiveClient> {
  return new Promise<LiveClient>((resolve, reject) => {
    const client = new ssh2.Client();
    // An interrupt during the handshake (a slow or stalled server) ends it at once instead of after readyTimeout.
    const onAbort = () => {
      reject(interrupted(ep));
      client.end();
      sock.destroy();
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    client.once('ready', () => signal?.removeEventListener('abort', onAbort));
    client.once('close', () => signal?.removeEventListener('abort', onAbort));
    const hostKey: HostKeyOutcome = {};
    const queue = [...attempts];
    let current: AuthAttempt | undefined;
    const tried: string[] = [];
    let ready = false;
    let serverMethods: string[] | undefined;
    client.on('ready', () => {
      ready = true;
      const live: LiveClient = { client, endpoint: ep, label: endpointLabel(ep), auth: current?.describe ?? 'none', hostKey: hostKey.summary ?? '', hostKeyRecorded: hostKey.recorded, closed: false, onClose: new Set() };
      client.on('close', () => {
        live.closed = true;
        live.closeReason ??= 'the connection was closed';
        for (const f of live.onClose) f();
      });
      client.on('error', (e: Error) => {
        live.closeReason = e.message;
      });
      resolve(live);
    });
    client.on('error', (e: Error & { level?: string }) => {
      if (ready) return;
      sock.destroy();
      if (hostKey.error) return reject(hostKey.error);
      if (e.level === 'client-authentication') {
        const offered = serverMethods ? `; the server accepts: ${serverMethods.join(', ')}` : '';
        return reject(new RingError('E_AUTH', `host ${ep.name}: authentication as ${ep.user} at ${endpointLabel(ep)} failed (tried ${tried.join(', ') || 'nothing'}${offered})`, { host: ep.name, hint: 'check the user, the key (and that its public half is in authorized_keys) or the agent', cause: e }));
      }
      const err = isRingError(e) ? e : unreachable(ep, `ssh handshake with ${endpointLabel(ep)} failed: ${e.message}`, e);
      reject(e.level === 'client-timeout' || /lost|reset|ECONN|closed/i.test(e.message) ? transient(err) : err);
    });
    client.on('close', () => {
      if (!ready) reject(transient(unreachable(ep, `${endpointLabel(ep)} closed the connection during the handshake`)));
    });
    const algos = preferredHostKeyAlgorithms(ep);
    client.connect({
      sock,
      username: ep.user,
      readyTimeout: ep.connectTimeoutMs,
      keepaliveInterval: ep.keepaliveMs,
      keepaliveCountMax: 3,
      ...(algos ? { algorithms: { serverHostKey: algos as never } } : {}),
      hostVerifier: (key: Buffer) => verifyHostKey(ep, key, hostKey),
      authHandler: (methodsLeft, _partial, next) => {
        if (methodsLeft) serverMethods = methodsLeft;
        while (queue.length > 0) {
          const a = queue.shift() as AuthAttempt;
          const kind = a.method.type === 'agent' ? 'publickey' : a.method.type;
          if (methodsLeft && !methodsLeft.includes(kind as never)) continue;
          current = a;
          tried.push(a.describe);
          return next(a.method);
        }
        return next(false as never);
      },
    });
  });
}

/** E_UNREACHABLE naming the endpoint; never includes a secret. */
export function unreachable(ep: Endpoint, message: string, cause?: unknown): RingError {
  return new RingError('E_UNREACHABLE', `host ${ep.name}: ${message}`, { host: ep.name, cause });
}
