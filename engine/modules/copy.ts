// `copy`: places inline content or a controller file on the host (checksum first, atomic write, optional backup).
import { readFile, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { CopyArgs } from '../generated/schema-types.js';
import { defineModule } from './define.js';
import { placeFile } from './place-file.js';

export const copyModule = defineModule<CopyArgs>({
  name: 'copy',
  description: 'Place a file on the host from inline content or a controller file; compares sha256 first, writes atomically, can keep a backup.',
  schema: 'modules/copy.json',
  supportsCheckMode: true,
  idempotent: true,
  example: `- name: Write the etcd environment file
  copy:
    content: "ETCD_NAME={{ inventory_hostname }}\\n"
    dest: /etc/default/etcd
    mode: "0644"
    backup: true
`,
  async run(ctx, args) {
    let content: Buffer;
    let intoDirName: string | undefined;
    if (args.src !== undefined) {
      const path = resolve(ctx.playbookDir, args.src);
      const info = await stat(path).catch(() => undefined);
      if (!info) return { changed: false, failed: true, msg: `src ${args.src} not found (looked at ${path})` };
      if (info.isDirectory()) return { changed: false, failed: true, msg: `src ${args.src} is a directory; copy places single files` };
      content = await readFile(path);
      intoDirName = basename(path);
    } else {
      content = Buffer.from(args.content ?? '', 'utf8');
    }
    return placeFile(ctx, { ...args, content, intoDirName });
  },
});
