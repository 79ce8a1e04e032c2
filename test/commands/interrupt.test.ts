// watchInterrupts: the first signal interrupts; only a second one a second or more later is a hard stop.
import { expect } from 'chai';
import { watchInterrupts } from '../../engine/commands/interrupt.js';

describe('run interrupts', () => {
  it('treats two signals within a second (a terminal Ctrl-C forwarded into a lab run) as one interrupt', async () => {
    const i = watchInterrupts({});
    try {
      process.emit('SIGINT', 'SIGINT');
      process.emit('SIGINT', 'SIGINT');
      expect(i.signal.aborted).to.equal(true);
      expect(i.hard.aborted, 'hard stop after two signals 0 ms apart').to.equal(false);
      await new Promise((r) => setTimeout(r, 1050));
      process.emit('SIGTERM', 'SIGTERM');
      expect(i.hard.aborted, 'a second signal a second later').to.equal(true);
    } finally {
      i.dispose();
    }
  });
});
