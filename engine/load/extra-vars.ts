// STUB (owned by the load/validate room): `-e key=value`, `-e '{json}'`, `-e @file.yml`.

export async function parseExtraVars(args: string[], cwd: string): Promise<Record<string, unknown>> {
  void args; void cwd;
  throw new Error('parseExtraVars: not implemented yet');
}
