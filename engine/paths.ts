// Where the package's own files (schemas/, playbooks/) are, from source or from dist/.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The folder holding ringmaster's package.json (works from engine/ and from dist/engine/). */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('ringmaster: cannot find the package root');
    dir = up;
  }
  root = dir;
  return dir;
}

export function schemasDir(): string {
  return join(packageRoot(), 'schemas');
}
