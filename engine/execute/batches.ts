// `serial`: the successive batches of a play's hosts (numbers, percentages, or a list of either).
import { RingError } from '../errors/index.js';

/** [2, '50%'] over 7 hosts → [[a,b],[c,d,e],[f,g]]: the last size repeats until every host has had its turn. */
export function batchesOf(hosts: string[], serial: Array<number | string>): string[][] {
  if (serial.length === 0 || hosts.length === 0) return hosts.length ? [hosts] : [];
  const sizes = serial.map((s) => sizeOf(s, hosts.length));
  const out: string[][] = [];
  let i = 0;
  let k = 0;
  while (i < hosts.length) {
    const size = sizes[Math.min(k, sizes.length - 1)];
    out.push(hosts.slice(i, i + size));
    i += size;
    k++;
  }
  return out;
}

function sizeOf(s: number | string, total: number): number {
  if (typeof s === 'number') {
    if (!Number.isInteger(s) || s < 0) throw new RingError('E_SCHEMA', `serial: ${s} is not a whole number of hosts`);
    return s === 0 ? total : s;
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(s) ?? /^\s*(\d+)\s*$/.exec(s);
  if (!m) throw new RingError('E_SCHEMA', `serial: '${s}' is neither a number nor a percentage`);
  if (!s.includes('%')) return Number(m[1]) || total;
  return Math.max(1, Math.floor((total * Number(m[1])) / 100));
}
