// `ringmaster validate` (placeholder until its issue lands).
import { RingError } from '../errors/index.js';
import type { CommandDef } from './types.js';

export const validateCommand: CommandDef = {
  name: 'validate',
  summary: '(not yet implemented)',
  help: 'ringmaster validate: not yet implemented',
  async run() {
    throw new RingError('E_USAGE', '`ringmaster validate` is not implemented yet');
  },
};
