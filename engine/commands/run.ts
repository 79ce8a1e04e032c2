// `ringmaster run` (placeholder until its issue lands).
import { RingError } from '../errors/index.js';
import type { CommandDef } from './types.js';

export const runCommand: CommandDef = {
  name: 'run',
  summary: '(not yet implemented)',
  help: 'ringmaster run: not yet implemented',
  async run() {
    throw new RingError('E_USAGE', '`ringmaster run` is not implemented yet');
  },
};
