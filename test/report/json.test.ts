// The JSON Lines reporter: every event of a representative run is one line valid against schemas/events.schema.json.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { createEventBus } from '../../engine/report/index.js';
import { schemasDir } from '../../engine/paths.js';
import type { RunEvent } from '../../engine/report/events.js';
import { Capture, SECRET, sampleRun } from './sample-run.js';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function compileSchema() {
  const schema = JSON.parse(readFileSync(join(schemasDir(), 'events.schema.json'), 'utf8'));
  const ajv = new Ajv({ allErrors: true, strict: true });
  ajv.addFormat('date-time', ISO);
  return ajv.compile(schema);
}

async function jsonLines(events: RunEvent[]): Promise<string[]> {
  const stdout = new Capture();
  const bus = createEventBus({ output: 'json', verbose: 0, stdout, stderr: new Capture(), secrets: [SECRET] });
  for (const e of events) bus.emit(e);
  await bus.close();
  return stdout.lines().filter((l) => l !== '');
}

describe('report/json', () => {
  it('writes one JSON object per line, one line per event, secrets masked', async () => {
    const lines = await jsonLines(sampleRun());
    expect(lines).to.have.length(sampleRun().length);
    const parsed = lines.map((l) => JSON.parse(l) as RunEvent);
    expect(parsed.map((e) => e.type)).to.deep.equal(sampleRun().map((e) => e.type));
    expect(lines.join('\n')).not.to.contain(SECRET);
  });

  it('emits only events that the draft-07 events schema accepts', async () => {
    const validate = compileSchema();
    const lines = await jsonLines(sampleRun());
    const types = new Set<string>();
    for (const line of lines) {
      const event = JSON.parse(line);
      const ok = validate(event);
      expect(ok, `${line}\n${JSON.stringify(validate.errors, null, 2)}`).to.equal(true);
      types.add(event.type);
    }
    expect([...types].sort()).to.deep.equal(['host_result', 'play_end', 'play_start', 'recap', 'run_start', 'task_end', 'task_start', 'warning']);
  });

  it('has a schema that rejects a wrong status, an unknown key and a missing field', () => {
    const validate = compileSchema();
    const good = sampleRun().find((e) => e.type === 'host_result') as RunEvent;
    expect(validate(good)).to.equal(true);
    expect(validate({ ...good, status: 'exploded' })).to.equal(false);
    expect(validate({ ...good, colour: 'red' })).to.equal(false);
    const { host: _host, ...noHost } = good as { host: string };
    expect(validate(noHost)).to.equal(false);
    expect(validate({ type: 'no_such_event', ts: good.ts })).to.equal(false);
  });

  it('describes every event type and every property', () => {
    const schema = JSON.parse(readFileSync(join(schemasDir(), 'events.schema.json'), 'utf8'));
    expect(schema.$schema).to.equal('http://json-schema.org/draft-07/schema#');
    const undocumented: string[] = [];
    for (const [name, def] of Object.entries<Record<string, unknown>>(schema.definitions)) {
      if (!def.description) undocumented.push(name);
      for (const [prop, p] of Object.entries<Record<string, unknown>>((def.properties as Record<string, Record<string, unknown>>) ?? {})) {
        const inherited = p.$ref || p.const;
        if (!p.description && !inherited) undocumented.push(`${name}.${prop}`);
      }
    }
    expect(undocumented).to.deep.equal([]);
  });
});
