// The static-pod runner runs the binaries of the manifest's image (the lab's stand-in for pulling it), and an image the
// lab has not built does not start (ErrImagePull), as on a real node — so a manifest with an older image really runs it.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RUNNER = join(dirname(fileURLToPath(import.meta.url)), '../../engine/lab/node/static-pod-runner.js');
const manifest = (image: string, out: string) =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: etcd\nspec:\n  containers:\n  - name: etcd\n    image: ${image}\n    command:\n    - etcd\n    - ${out}\n`;

async function until<T>(what: string, probe: () => T | undefined, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('static-pod runner: images', function () {
  this.timeout(20_000);
  let dir: string;
  let runner: ChildProcess | undefined;
  const status = () => JSON.parse(readFileSync(join(dir, 'status.json'), 'utf8')) as { pods: Array<{ state: string; error?: string }> };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rm-runner-'));
    for (const v of ['3.5.35', '3.6.16']) {
      mkdirSync(join(dir, v));
      // A stand-in etcd that says which "image" it came from, then stays up like etcd does.
      writeFileSync(join(dir, v, 'etcd'), `#!/bin/sh\necho ${v} > "$1"\nexec sleep 60\n`, { mode: 0o755 });
    }
    writeFileSync(join(dir, 'images.json'), JSON.stringify({ '3.5.35': join(dir, '3.5.35'), '3.6.16': join(dir, '3.6.16') }));
    mkdirSync(join(dir, 'manifests'));
  });
  afterEach(() => {
    if (runner?.pid) {
      runner.kill('SIGTERM');
    }
    runner = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const startRunner = () => {
    runner = spawn(process.execPath, [RUNNER], {
      stdio: 'ignore',
      env: { PATH: '/usr/bin:/bin', RUNNER_MANIFESTS: join(dir, 'manifests'), RUNNER_STATUS: join(dir, 'status.json'), RUNNER_LOGS: join(dir, 'logs'), RUNNER_HOLD: join(dir, 'hold'), RUNNER_IMAGES: join(dir, 'images.json') },
    });
  };

  it('runs the binary of the image the manifest names, and the other one once the image changes', async () => {
    const out = join(dir, 'ran');
    writeFileSync(join(dir, 'manifests', 'etcd.yaml'), manifest('registry.k8s.io/etcd:3.5.35-0', out));
    startRunner();
    expect(await until('the 3.5 pod', () => (existsSync(out) ? readFileSync(out, 'utf8').trim() : undefined))).to.equal('3.5.35');
    rmSync(out);
    writeFileSync(join(dir, 'manifests', 'etcd.yaml'), manifest('registry.k8s.io/etcd:3.6.16-0', out));
    expect(await until('the 3.6 pod', () => (existsSync(out) ? readFileSync(out, 'utf8').trim() : undefined), 15_000)).to.equal('3.6.16');
  });

  it('does not start an image the lab has not built, saying which it has', async () => {
    const out = join(dir, 'ran');
    writeFileSync(join(dir, 'manifests', 'etcd.yaml'), manifest('registry.k8s.io/etcd:3.5.15-0', out));
    startRunner();
    const pod = await until('the status', () => (existsSync(join(dir, 'status.json')) ? status().pods[0] : undefined));
    expect(pod.state).to.equal('invalid');
    expect(pod.error).to.contain('registry.k8s.io/etcd:3.5.15-0: not available in the lab (ErrImagePull; the lab has etcd 3.5.35, 3.6.16)');
    expect(existsSync(out)).to.equal(false);
  });
});
