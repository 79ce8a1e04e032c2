// `ringmaster inventory` (placeholder until its issue lands).
import { RingError } from '../errors/index.js';
import type { CommandDef } from './types.js';

export const inventoryCommand: CommandDef = {
  name: 'inventory',
  summary: '(not yet implemented)',
  help: 'ringmaster inventory: not yet implemented',
  async run() {
    throw new RingError('E_USAGE', '`ringmaster inventory` is not implemented yet');
  },
};
