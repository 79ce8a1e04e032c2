// Finding and rendering a flavour's manifest template: the one code path of etcd_manifest (mode=render) and
// `ringmaster render`, so what render prints is what a playbook writes for the same host and inputs.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { RingError } from '../errors/index.js';
import { packageRoot } from '../paths.js';
import { createTemplateEngine } from '../template/engine.js';
import type { TemplateOrigin as RenderWhere } from '../template/engine.js';
import { varStr } from './etcd-common.js';
import { manifestValues, type ManifestInputs } from './manifest-values.js';

/** The shipped template of each flavour, under playbooks/templates/. */
export const TEMPLATES: Record<string, string> = { 'static-pod': 'etcd-static-pod.yaml.hbs', docker: 'etcd-docker-run.sh.hbs', systemd: 'etcd.service.hbs' };

/** The template a render uses: `src` relative to the playbook folder, then to ringmaster's playbooks/. */
export function templatePath(src: string | undefined, flavor: string, baseDir: string): { path?: string; candidates: string[]; src: string } {
  const s = src ?? `templates/${TEMPLATES[flavor] ?? TEMPLATES['static-pod']}`;
  const candidates = [resolve(baseDir, s), join(packageRoot(), 'playbooks', s)];
  return { path: candidates.find((p) => existsSync(p)), candidates, src: s };
}

/** Problems that make `m` meaningless for this host (each names the variable to set). */
export function manifestInputProblems(vars: Readonly<Record<string, unknown>>): string[] {
  return ['etcd_peer_url', 'etcd_client_url'].filter((k) => !varStr(vars, k, '')).map((k) => `host variable ${k} is not set`);
}

/** Renders a template's text for one host: its variables, and `m` as etcd_manifest computes it. */
export function renderManifestText(text: string, vars: Record<string, unknown>, host: string, inputs: ManifestInputs, floor: string | undefined, where: RenderWhere): string {
  return createTemplateEngine().render(text, { ...vars, m: manifestValues(vars, host, inputs, floor) }, where);
}

/** Reads and renders a template file (see templatePath); a missing one is an error naming where it looked. */
export async function renderManifestFile(path: string, vars: Record<string, unknown>, host: string, inputs: ManifestInputs, floor: string | undefined, where: Omit<RenderWhere, 'what'>): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new RingError('E_FILE_UNREADABLE', `cannot read template ${path}: ${(e as Error).message}`, { cause: e });
  }
  return renderManifestText(text, vars, host, inputs, floor, { ...where, what: `template ${basename(path)}` });
}
