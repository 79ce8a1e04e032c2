// STUB (owned by the load/validate room): a YAML vars file (vars_files, group_vars) → a mapping.

export async function loadVarsFile(file: string): Promise<Record<string, unknown>> {
  throw new Error(`loadVarsFile(${file}): not implemented yet`);
}
