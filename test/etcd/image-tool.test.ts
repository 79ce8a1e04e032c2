// The member image's own tool on a host without etcd tools: the image the manifest names is mounted (a stand-in
// `ctr` records the calls here; the real one is proven on the lab by test/e2e/kubeadm-crictl.test.ts), the tool runs
// with the caller's arguments, its exit code is the command's, and the mount is removed on every exit.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { imageTool } from '../../engine/etcd/image-tool.js';

describe('image-tool: a tool of the member\'s image, mounted for one call', () => {
  let dir = '';
  const run = (image: string, live: string, held: string, code = 0) => {
    const c = imageTool(image, live, held, '/usr/local/bin/etcdctl', 'member', 'list', '--endpoints=https://a:2379');
    const argv = c.parts.map((p) => String(p));
    return spawnSync(argv[0], argv.slice(1), { env: { PATH: `${dir}/bin:/usr/bin:/bin`, TOOL_EXIT: String(code), LOG: `${dir}/ctr.log` }, encoding: 'utf8' });
  };
  const calls = () => (existsSync(`${dir}/ctr.log`) ? readFileSync(`${dir}/ctr.log`, 'utf8').trim().split('\n') : []);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ring-itool-'));
    mkdirSync(`${dir}/bin`);
    // ctr -n k8s.io images mount IMAGE DIR | images unmount --rm DIR
    writeFileSync(`${dir}/bin/ctr`, `#!/bin/sh
echo "$*" | sed "s#/run/ringmaster-image\\.[A-Za-z0-9]*#MNT#" >> "$LOG"
if [ "$3 $4" = "images mount" ]; then mkdir -p "$6/usr/local/bin"; printf '#!/bin/sh\\necho "ran $* API=$ETCDCTL_API"; exit $TOOL_EXIT\\n' > "$6/usr/local/bin/etcdctl"; chmod +x "$6/usr/local/bin/etcdctl"; fi
if [ "$4" = "unmount" ]; then rm -rf "$6/usr"; fi
`);
    chmodSync(`${dir}/bin/ctr`, 0o755);
    writeFileSync(`${dir}/live.yaml`, 'spec:\n  containers:\n  - command:\n    - etcd\n    image: "registry.k8s.io/etcd:3.6.16-0"\n');
    writeFileSync(`${dir}/held.yaml`, 'spec:\n  containers:\n  - image: registry.k8s.io/etcd:3.5.35-0\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const leftovers = () => readdirSync('/run').filter((f) => f.startsWith('ringmaster-image.') && !existsSync(`/run/${f}/usr`));

  it('mounts the image of the live manifest, runs its tool with the arguments and ETCDCTL_API=3, and unmounts it', () => {
    const before = leftovers();
    const r = run('', `${dir}/live.yaml`, `${dir}/held.yaml`);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout.trim()).to.equal('ran member list --endpoints=https://a:2379 API=3');
    expect(calls()).to.deep.equal(['-n k8s.io images mount registry.k8s.io/etcd:3.6.16-0 MNT', '-n k8s.io images unmount --rm MNT']);
    expect(leftovers()).to.deep.equal(before);
  });

  it('takes the held manifest\'s image when the live one is gone (a stopped member), or the image it is given', () => {
    expect(run('', `${dir}/nope.yaml`, `${dir}/held.yaml`).status).to.equal(0);
    expect(run('registry.k8s.io/etcd:3.7.3-0', `${dir}/live.yaml`, `${dir}/held.yaml`).status).to.equal(0);
    expect(calls().filter((c) => c.includes(' mount '))).to.deep.equal(['-n k8s.io images mount registry.k8s.io/etcd:3.5.35-0 MNT', '-n k8s.io images mount registry.k8s.io/etcd:3.7.3-0 MNT']);
  });

  it('keeps the tool\'s exit code and still unmounts; says so when no manifest names an image, mounting nothing', () => {
    const r = run('', `${dir}/live.yaml`, `${dir}/held.yaml`, 4);
    expect(r.status).to.equal(4);
    expect(calls().pop()).to.equal('-n k8s.io images unmount --rm MNT');
    rmSync(`${dir}/ctr.log`);
    const none = run('', `${dir}/nope.yaml`, `${dir}/nope2.yaml`);
    expect(none.status).to.equal(1);
    expect(none.stderr).to.contain('no etcd container runs here, and no etcd manifest').and.contain('nope.yaml');
    expect(calls()).to.deep.equal([]);
  });
});
