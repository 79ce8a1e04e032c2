// Modules whose message IS their output (Ansible's debug): console reporters show it without -v.

const OUTPUT_MODULES: ReadonlySet<string> = new Set(['debug']);

export function showsMessage(module: string | undefined): boolean {
  return module !== undefined && OUTPUT_MODULES.has(module);
}
