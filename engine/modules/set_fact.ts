// `set_fact`: sets variables on the host for the rest of the run (the executor merges `facts`).
import type { SetFactArgs } from '../generated/schema-types.js';
import { defineModule } from './define.js';

export const setFactModule = defineModule<SetFactArgs>({
  name: 'set_fact',
  description: 'Set variables on the host for the rest of the run; `cacheable` is accepted and ignored.',
  schema: 'modules/set_fact.json',
  supportsCheckMode: true,
  idempotent: true,
  local: true,
  factsFromArgs: true,
  example: `- name: Remember the member to replace
  set_fact:
    old_member: "{{ etcd_member_name }}"
    replace_started: true
`,
  async run(_ctx, args) {
    const { cacheable: _ignored, ...facts } = args as Record<string, unknown>;
    return { changed: false, facts };
  },
});
