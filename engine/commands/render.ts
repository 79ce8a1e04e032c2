// `ringmaster render` (placeholder until its issue lands).
import { RingError } from '../errors/index.js';
import type { CommandDef } from './types.js';

export const renderCommand: CommandDef = {
  name: 'render',
  summary: '(not yet implemented)',
  help: 'ringmaster render: not yet implemented',
  async run() {
    throw new RingError('E_USAGE', '`ringmaster render` is not implemented yet');
  },
};
