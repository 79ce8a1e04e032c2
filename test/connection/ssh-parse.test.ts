// Pure parsing for the SSH transport: ProxyJump strings, ssh args, ssh config matching, known_hosts lookups.
import { expect } from 'chai';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkHostKey, fingerprint, keyTypeOf } from '../../engine/connection/ssh/known-hosts.js';
import { parseProxyJump } from '../../engine/connection/ssh/proxy-jump.js';
import { parseSshArgs } from '../../engine/connection/ssh/ssh-args.js';
import { SshConfig } from '../../engine/connection/ssh/ssh-config.js';
import { RingError } from '../../engine/errors/index.js';

const src = { host: 'node1', setting: 'ringmaster_proxy_jump of node1' };

function blob(type: string, body: string): Buffer {
  const t = Buffer.from(type);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(t.length);
  return Buffer.concat([len, t, Buffer.from(body)]);
}

describe('ssh parsing', () => {
  it('parses a ProxyJump chain with users, ports, IPv6 and ssh:// forms', () => {
    expect(parseProxyJump('admin@bastion:2222,inner,ssh://u@[::1]:22', src)).to.deep.equal([
      { host: 'bastion', user: 'admin', port: 2222 },
      { host: 'inner' },
      { host: '::1', user: 'u', port: 22 },
    ]);
    expect(parseProxyJump('none', src)).to.deep.equal([]);
  });

  for (const bad of ['a,,b', 'a@b:0', 'a@b:x', '@b', 'a b', 'x:1:2']) {
    it(`refuses the malformed ProxyJump '${bad}' naming host and setting`, () => {
      expect(() => parseProxyJump(bad, src)).to.throw(RingError, /host node1: malformed ProxyJump .* in ringmaster_proxy_jump of node1/);
    });
  }

  it('reads -o ProxyJump, -J, UserKnownHostsFile and StrictHostKeyChecking from ssh args and lists the rest as ignored', () => {
    const a = parseSshArgs([`-o ProxyJump="root@b1" -o 'UserKnownHostsFile=/k h' -oStrictHostKeyChecking=accept-new -C`, '-J other']);
    expect(a).to.deep.equal({ proxyJump: 'root@b1', userKnownHostsFiles: ['/k', 'h'], strictHostKeyChecking: 'accept-new', ignored: ['-C'] });
  });

  it('matches ssh config Host patterns with wildcards and negation, first value winning', () => {
    const cfg = SshConfig.parse(['User early', 'Host !node-9 node-*', '  HostName 10.0.0.%h', '  Port=2200', 'Host *', '  User late', '  IdentityFile ~/a', '  IdentityFile ~/b'].join('\n'), '/cfg', '/home/me');
    const m = cfg.lookup('node-1');
    expect(m).to.include({ user: 'early', hostName: '10.0.0.%h', port: '2200' });
    expect(m.identityFiles).to.deep.equal(['~/a', '~/b']);
    expect(m.where.port).to.equal('/cfg:4');
    expect(cfg.lookup('node-9').port).to.equal(undefined);
  });

  it('finds plain, [host]:port and hashed known_hosts entries and tells changed from unknown', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rm-kh-'));
    try {
      const key = blob('ssh-ed25519', 'AAAA');
      const other = blob('ssh-ed25519', 'BBBB');
      const salt = Buffer.from('0123456789abcdef0123');
      const hash = createHmac('sha1', salt).update('[10.0.0.5]:2222').digest('base64');
      const file = join(dir, 'kh');
      writeFileSync(file, [`plain.example ${keyTypeOf(key)} ${key.toString('base64')}`, `|1|${salt.toString('base64')}|${hash} ssh-ed25519 ${key.toString('base64')}`, `[p.example]:2200 ssh-ed25519 ${other.toString('base64')}`].join('\n'));
      expect(checkHostKey([file], 'plain.example', 22, key)).to.deep.equal({ kind: 'match', file, line: 1 });
      expect(checkHostKey([file], '10.0.0.5', 2222, key)).to.deep.equal({ kind: 'match', file, line: 2 });
      expect(checkHostKey([file], 'p.example', 2200, key)).to.deep.equal({ kind: 'changed', file, line: 3 });
      expect(checkHostKey([file], 'p.example', 22, key)).to.deep.equal({ kind: 'unknown' });
      expect(fingerprint(key)).to.match(/^SHA256:[A-Za-z0-9+/]{43}$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
