// `stat`: describes a path on the host (type, size, mode, owner, mtime, sha256) in one round trip.
import type { StatArgs } from '../generated/schema-types.js';
import { defineModule } from './define.js';
import { remoteStat } from './remote-file.js';

export const statModule = defineModule<StatArgs>({
  name: 'stat',
  description: 'Read facts about a path on the host (exists, isdir, isreg, islnk, size, mode, uid, gid, mtime, sha256) in one round trip.',
  schema: 'modules/stat.json',
  supportsCheckMode: true,
  idempotent: true,
  example: `- name: Look at the etcd manifest
  stat:
    path: /etc/kubernetes/manifests/etcd.yaml
  register: manifest
`,
  async run(ctx, args) {
    const st = await remoteStat(ctx, args.path, args.checksum !== false);
    return { changed: false, stat: { ...st, path: args.path } };
  },
});
