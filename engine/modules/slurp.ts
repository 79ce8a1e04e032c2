// `slurp`: reads a whole file from the host and returns it base64-encoded.
import type { SlurpArgs } from '../generated/schema-types.js';
import { defineModule } from './define.js';

export const slurpModule = defineModule<SlurpArgs>({
  name: 'slurp',
  description: 'Read a whole file from the host; `content` holds it base64-encoded (`encoding: base64`).',
  schema: 'modules/slurp.json',
  supportsCheckMode: true,
  idempotent: true,
  example: `- name: Read the etcd CA certificate
  slurp:
    src: /etc/kubernetes/pki/etcd/ca.crt
  register: etcd_ca
`,
  async run(ctx, args) {
    const data = await ctx.conn.get(args.src, { become: ctx.become });
    return { changed: false, content: data.toString('base64'), encoding: 'base64', source: args.src };
  },
});
