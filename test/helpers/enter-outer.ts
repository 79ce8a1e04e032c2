// Test helper: plays the operator's `ringmaster run` that re-runs itself in the lab (argv: state JSON, inner script).
import { runInClient } from '../../engine/lab/enter.js';
import type { LabState } from '../../engine/lab/state.js';

const [stateJson, inner] = process.argv.slice(2);
const code = await runInClient(JSON.parse(stateJson) as LabState, [process.execPath, inner], process.cwd());
process.stdout.write(`outer: inner exited ${code}\n`);
process.exitCode = code;
