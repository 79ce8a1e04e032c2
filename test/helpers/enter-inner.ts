// Test helper: plays the run inside the lab: reports its PIDs, and on interrupt cleans up for 300 ms, then exits 8.
import { watchInterrupts } from '../../engine/commands/interrupt.js';

const interrupt = watchInterrupts(process.env);
process.stdout.write(`inner: ${JSON.stringify({ pid: process.pid, ppid: process.ppid })}\n`);
const keepAlive = setInterval(() => undefined, 1000);
interrupt.signal.addEventListener('abort', () => {
  process.stdout.write(`inner: aborted: ${String(interrupt.signal.reason)}\n`);
  setTimeout(() => {
    process.stdout.write('inner: cleaned up\n');
    clearInterval(keepAlive);
    interrupt.dispose();
    process.exitCode = 8;
  }, 300);
});
