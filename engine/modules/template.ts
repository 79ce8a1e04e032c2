// `template`: renders a Handlebars file from the controller and places the result on the host exactly like copy.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { TemplateArgs } from '../generated/schema-types.js';
import { defineModule } from './define.js';
import { placeFile } from './place-file.js';

export const templateModule = defineModule<TemplateArgs>({
  name: 'template',
  description: 'Render a Handlebars template from the controller with the host\'s variables and place the result like `copy`.',
  schema: 'modules/template.json',
  supportsCheckMode: true,
  idempotent: true,
  example: `- name: Write the etcd static pod manifest
  template:
    src: templates/etcd.yaml.hbs
    dest: /etc/kubernetes/manifests/etcd.yaml
    mode: "0600"
`,
  async run(ctx, args) {
    const path = resolve(ctx.playbookDir, args.src);
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text === undefined) return { changed: false, failed: true, msg: `template ${args.src} not found (looked at ${path})` };
    const rendered = ctx.render(text, `template ${args.src}`);
    return placeFile(ctx, { ...args, content: Buffer.from(rendered, 'utf8') });
  },
});
