// Playbook loading: normalization into plays/tasks/blocks, module arguments, templates, imports.
import { expect } from 'chai';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RingErrors } from '../../engine/errors/index.js';
import { locationOf } from '../../engine/load/located.js';
import type { BlockNode, TaskNode } from '../../engine/load/model.js';
import { checkPlaybook, loadPlaybook, validateModuleArgs } from '../../engine/load/playbook.js';
import type { ModuleDefinition } from '../../engine/modules/define.js';
import { packageRoot } from '../../engine/paths.js';

function write(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ringmaster-pb-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

async function errorsOf(text: string, files: Record<string, string> = {}): Promise<string[]> {
  const dir = write({ 'pb.yml': text, ...files });
  const { errors } = await checkPlaybook(join(dir, 'pb.yml'));
  return errors.map((e) => `${e.location?.line}:${e.location?.col} ${e.message}`);
}

describe('load: playbook', () => {
  it('normalizes plays, tasks, blocks and handlers', async () => {
    const dir = write({
      'vars/main.yml': 'a: 1\n',
      'pb.yml': `- name: P
  hosts: [etcd, control]
  serial: 1
  vars_files: vars/main.yml
  tasks:
    - name: a
      command: ls {{ dir }}
      when: true
      tags: a, b
      notify: h
      loop: "{{ items }}"
    - block:
        - meta: flush_handlers
      rescue:
        - debug:
      when: [x, false]
      become: yes
  handlers:
    - name: h
      shell: echo
      listen: topic
`,
    });
    const pb = await loadPlaybook(join(dir, 'pb.yml'));
    expect(pb.dir).to.equal(dir);
    const [play] = pb.plays;
    expect(play).to.include({ name: 'P', hosts: 'etcd,control', gather_facts: false, any_errors_fatal: false });
    expect(play.serial).to.deep.equal([1]);
    expect(play.vars_files).to.deep.equal([join(dir, 'vars/main.yml')]);
    const [t, b] = play.tasks as [TaskNode, BlockNode];
    expect(t).to.deep.include({ kind: 'task', module: 'command', args: { cmd: 'ls {{ dir }}' }, when: ['true'], tags: ['a', 'b'], notify: ['h'], loop: '{{ items }}' });
    expect(t.loc).to.deep.equal({ file: join(dir, 'pb.yml'), line: 6, col: 7 });
    expect(locationOf(t, 'when')).to.deep.include({ line: 8, col: 13 });
    expect(b.kind).to.equal('block');
    expect(b.when).to.deep.equal(['x', 'false']);
    expect(b.become).to.equal(true);
    expect((b.block[0] as TaskNode).args).to.deep.equal({ action: 'flush_handlers' });
    expect((b.rescue[0] as TaskNode).args).to.deep.equal({});
    expect(play.handlers[0]).to.deep.include({ name: 'h', listen: ['topic'] });
  });

  it('throws RingErrors with every problem of the file', async () => {
    const dir = write({ 'pb.yml': '- hosts: x\n  tasks:\n    - comand: ls\n    - command: ls\n      retries: x\n' });
    const err = await loadPlaybook(join(dir, 'pb.yml')).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(RingErrors);
    expect((err as RingErrors).errors.map((e) => e.code)).to.deep.equal(['E_UNKNOWN_MODULE', 'E_SCHEMA']);
  });

  it('names a missing playbook file', async () => {
    const { errors } = await checkPlaybook('/nonexistent/pb.yml');
    expect(errors[0].code).to.equal('E_FILE_NOT_FOUND');
    expect(errors[0].message).to.contain('/nonexistent/pb.yml');
  });

  it('accepts {{ templates }} in module arguments wherever another type or value is expected', async () => {
    expect(await errorsOf(`- hosts: x
  tasks:
    - file:
        path: /x
        state: "{{ wanted }}"
        recurse: "{{ deep }}"
    - command:
        argv: "{{ words }}"
    - assert:
        that: "{{ checks }}"
`)).to.deep.equal([]);
  });

  it('still reports a wrong value next to a template', async () => {
    const errs = await errorsOf('- hosts: x\n  tasks:\n    - file:\n        path: "{{ p }}"\n        state: dir\n');
    expect(errs).to.have.length(1);
    expect(errs[0]).to.match(/^5:16 `file` argument `state`/);
  });

  it('re-validates rendered arguments strictly (no template leniency) for the executor', () => {
    const errs = validateModuleArgs('file', { path: '/x', state: '{{ s }}' }, { task: 'Folder', location: { file: 'pb.yml', line: 3, col: 7 } });
    expect(errs).to.have.length(1);
    expect(errs[0].message).to.contain("`file` argument `state` in task 'Folder' must be one of");
    expect(errs[0].location).to.deep.equal({ file: 'pb.yml', line: 3, col: 7 });
    expect(validateModuleArgs('file', { path: '/x', state: 'directory' })).to.deep.equal([]);
    expect(validateModuleArgs('fiel', {})[0].message).to.contain('did you mean `file`?');
  });

  it('maps a free-form string to the module\'s free-form argument and points its errors at the string', async () => {
    const errs = await errorsOf('- hosts: x\n  tasks:\n    - command: ""\n');
    expect(errs).to.deep.equal(["3:16 `command` argument `cmd` in the unnamed `command` task must not be empty"]);
  });

  it('checks that notify names a handler or a listen topic', async () => {
    expect(await errorsOf('- hosts: x\n  tasks:\n    - command: ls\n      notify: [t, h]\n  handlers:\n    - name: h\n      command: ls\n      listen: t\n')).to.deep.equal([]);
    const errs = await errorsOf('- hosts: x\n  tasks:\n    - command: ls\n      notify: [h, nope]\n  handlers:\n    - name: h\n      command: ls\n');
    expect(errs).to.deep.equal(["4:19 `notify: nope` in the unnamed `command` task names no handler of the play on 'x'"]);
  });

  it('refuses `listen` outside handlers', async () => {
    expect(await errorsOf('- hosts: x\n  tasks:\n    - command: ls\n      listen: t\n')).to.deep.equal(["4:7 `listen` is only for handlers (in the unnamed `command` task)"]);
  });

  it('reports a vars_files entry that does not exist', async () => {
    const errs = await errorsOf('- hosts: x\n  vars_files: [vars/none.yml, "{{ env }}.yml"]\n  tasks: []\n');
    expect(errs).to.have.length(1);
    expect(errs[0]).to.match(/^2:16 vars file not found: .*vars\/none\.yml/);
  });

  it('imports task files as blocks carrying the import\'s keywords, relative to the importing file', async () => {
    const dir = write({
      'pb.yml': '- hosts: x\n  tasks:\n    - import_tasks: tasks/a.yml\n      when: go\n      tags: [t]\n',
      'tasks/a.yml': '- name: inner\n  command: ls\n- import_tasks: b.yml\n',
      'tasks/b.yml': '- debug: {msg: deep}\n',
    });
    const pb = await loadPlaybook(join(dir, 'pb.yml'));
    const imp = pb.plays[0].tasks[0] as BlockNode;
    expect(imp).to.deep.include({ kind: 'block', name: 'import_tasks: tasks/a.yml', when: ['go'], tags: ['t'] });
    expect((imp.block[0] as TaskNode).loc.file).to.equal(join(dir, 'tasks/a.yml'));
    expect(((imp.block[1] as BlockNode).block[0] as TaskNode).args).to.deep.equal({ msg: 'deep' });
  });

  it('refuses an import cycle', async () => {
    const errs = await errorsOf('- hosts: x\n  tasks:\n    - import_tasks: a.yml\n', { 'a.yml': '- import_tasks: pb.yml\n' });
    expect(errs.some((e) => e.includes('imports itself'))).to.equal(true);
  });

  it('uses an injected module registry (tests, plugins) instead of the built-in one', async () => {
    const fake: ModuleDefinition = {
      name: 'ping',
      description: 'Answer pong.',
      schema: join(packageRoot(), 'test', 'fixtures', 'schemas', 'ping.json'),
      supportsCheckMode: true,
      idempotent: true,
      example: '- ping: {}',
      run: async () => ({ changed: false }),
    };
    const dir = write({ 'pb.yml': '- hosts: x\n  tasks:\n    - ping: {data: 1}\n    - command: ls\n' });
    const { errors } = await checkPlaybook(join(dir, 'pb.yml'), { modules: new Map([['ping', fake]]) });
    expect(errors.map((e) => e.message)).to.deep.equal([
      "`ping` argument `data` in the unnamed `ping` task must be a string, got the number 1",
      'unknown module `command` in an unnamed task',
    ]);
  });
});
