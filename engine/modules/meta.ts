// `meta`: asks the executor for a control action (flush handlers, end the play or the host, nothing).
import type { MetaArgs } from '../generated/schema-types.js';
import { defineModule } from './define.js';

const SAYS: Record<MetaArgs['action'], string> = {
  flush_handlers: 'running notified handlers now',
  end_play: 'ending the play',
  end_host: 'ending the play for this host',
  noop: 'nothing to do',
};

export const metaModule = defineModule<MetaArgs>({
  name: 'meta',
  description: 'Control the run: flush_handlers (run notified handlers now), end_play, end_host, or noop.',
  schema: 'modules/meta.json',
  freeForm: 'action',
  supportsCheckMode: true,
  idempotent: true,
  local: true,
  example: `- name: Restart what was notified before going on
  meta: flush_handlers
`,
  async run(_ctx, args) {
    return { changed: false, meta: args.action, msg: SAYS[args.action] };
  },
});
