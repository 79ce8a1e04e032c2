// The host-key decision for one handshake: verify against known_hosts, record on accept-new, explain refusals.
import { RingError } from '../../errors/index.js';
import type { Endpoint } from './endpoint.js';
import { appendKnownHost, checkHostKey, fingerprint, knownHostName, knownKeyTypes, keyTypeOf } from './known-hosts.js';

/** The outcome of verification, kept so the connection can explain a refused handshake. */
export interface HostKeyOutcome {
  /** What -v shows: type, fingerprint and where it was found. */
  summary?: string;
  /** Set when the key was refused: the error to raise instead of ssh2's generic one. */
  error?: RingError;
  /** Set when accept-new recorded the key: type, fingerprint and file, for the warning every run shows. */
  recorded?: string;
}

const RSA_ALGOS = ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
const ALL_ALGOS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', ...RSA_ALGOS];

/** Server host key algorithms with the types already known for this host first (as OpenSSH does). */
export function preferredHostKeyAlgorithms(ep: Endpoint): string[] | undefined {
  if (ep.hostKeyMode === 'off') return undefined;
  const known = knownKeyTypes(ep.knownHostsFiles, ep.hostname, ep.port);
  if (known.length === 0) return undefined;
  const first = known.flatMap((t) => (t === 'ssh-rsa' ? RSA_ALGOS : ALL_ALGOS.includes(t) ? [t] : []));
  return [...new Set([...first, ...ALL_ALGOS])];
}

/** Decides whether to trust `key` for `ep`; fills `out` with the summary or the refusal. */
export function verifyHostKey(ep: Endpoint, key: Buffer, out: HostKeyOutcome): boolean {
  const type = keyTypeOf(key);
  const fp = fingerprint(key);
  const label = `${ep.name} (${knownHostName(ep.hostname, ep.port)})`;
  if (ep.hostKeyMode === 'off') {
    out.summary = `${type} ${fp} (NOT CHECKED: --host-key-checking off)`;
    return true;
  }
  const verdict = checkHostKey(ep.knownHostsFiles, ep.hostname, ep.port, key);
  if (verdict.kind === 'match') {
    out.summary = `${type} ${fp} (${verdict.file}:${verdict.line})`;
    return true;
  }
  if (verdict.kind === 'changed' || verdict.kind === 'revoked') {
    const what = verdict.kind === 'changed' ? 'HAS CHANGED' : 'IS REVOKED';
    out.error = new RingError('E_HOSTKEY_CHANGED', `host key of ${label} ${what}: the server offers ${type} ${fp}, which does not match ${verdict.file}:${verdict.line}`, {
      host: ep.name,
      hint: `if the host was really reinstalled, remove line ${verdict.line} of ${verdict.file} (ssh-keygen -R '${knownHostName(ep.hostname, ep.port)}' -f ${verdict.file}); otherwise someone may be intercepting the connection`,
    });
    return false;
  }
  if (verdict.kind === 'other-type') {
    // Known with another key type (the handshake asked for it first, the server did not offer it): a new key
    // of a new type is a changed key as far as trust goes, so accept-new must not record it.
    out.error = new RingError(
      'E_HOSTKEY_CHANGED',
      `host key of ${label} HAS CHANGED: known_hosts has a ${verdict.knownTypes.join(', ')} key for it (${verdict.file}:${verdict.line}), but the server offers only ${type} ${fp}`,
      {
        host: ep.name,
        hint: `if the host was really re-keyed, remove its old entry (ssh-keygen -R '${knownHostName(ep.hostname, ep.port)}' -f ${verdict.file}) and accept the new key (--host-key-checking accept-new); otherwise someone may be intercepting the connection`,
      },
    );
    return false;
  }
  if (ep.hostKeyMode === 'accept-new') {
    const file = ep.knownHostsFiles[0];
    if (file === undefined) {
      out.error = new RingError('E_HOSTKEY_UNKNOWN', `host ${label}: cannot record its ${type} key ${fp}: no known_hosts file is configured`, { host: ep.name });
      return false;
    }
    appendKnownHost(file, ep.hostname, ep.port, key);
    out.summary = `${type} ${fp} (new, recorded in ${file})`;
    out.recorded = `${type} ${fp}, recorded in ${file}`;
    return true;
  }
  out.error = new RingError('E_HOSTKEY_UNKNOWN', `host ${label} is not in known_hosts: it offers ${type} key ${fp}`, {
    host: ep.name,
    hint: `check the fingerprint, then accept it with --host-key-checking accept-new (records it in ${ep.knownHostsFiles[0] ?? '~/.ssh/known_hosts'}) or add it yourself: ssh-keyscan -p ${ep.port} ${ep.hostname} >> ${ep.knownHostsFiles[0] ?? '~/.ssh/known_hosts'}`,
  });
  return false;
}
