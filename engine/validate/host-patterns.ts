// Host patterns of every play against the inventory: a malformed one is an error (validate and run refuse it).
import { RingError } from '../errors/index.js';
import { matchHosts } from '../inventory/pattern.js';
import { locationOf } from '../load/located.js';
import type { Inventory, Playbook } from '../load/model.js';
import { errorAt } from '../load/yaml.js';

/** A malformed pattern is an error; one that matches no host is worth a warning (the play would be skipped). */
export function checkHostPatterns(playbooks: Playbook[], inv: Inventory, errors: RingError[]): string[] {
  const warnings: string[] = [];
  for (const pb of playbooks) {
    for (const play of pb.plays) {
      if (play.hosts.includes('{{')) continue;
      try {
        if (!matchHosts(inv, play.hosts).length) warnings.push(`${play.loc.file}:${play.loc.line}: play '${play.name}': hosts '${play.hosts}' matches no host of the inventory`);
      } catch (e) {
        if (!(e instanceof RingError)) throw e;
        errors.push(errorAt(e.code, e.message, locationOf(play, 'hosts') ?? play.loc, undefined, e.hint));
      }
    }
  }
  return warnings;
}

