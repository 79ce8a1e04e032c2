// `ringmaster modules` (placeholder until its issue lands).
import { RingError } from '../errors/index.js';
import type { CommandDef } from './types.js';

export const modulesCommand: CommandDef = {
  name: 'modules',
  summary: '(not yet implemented)',
  help: 'ringmaster modules: not yet implemented',
  async run() {
    throw new RingError('E_USAGE', '`ringmaster modules` is not implemented yet');
  },
};
