// `ringmaster lab` (placeholder until its issue lands).
import { RingError } from '../errors/index.js';
import type { CommandDef } from './types.js';

export const labCommand: CommandDef = {
  name: 'lab',
  summary: '(not yet implemented)',
  help: 'ringmaster lab: not yet implemented',
  async run() {
    throw new RingError('E_USAGE', '`ringmaster lab` is not implemented yet');
  },
};
