// node:util parseArgs with ringmaster's errors: an unknown flag is E_USAGE with a did-you-mean.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { RingError } from '../errors/index.js';
import { suggest } from '../validate/suggest.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses `argv` strictly against `options` (positionals allowed); usage errors name the nearest flag. */
export function parseFlags<O extends Options>(argv: string[], options: O, command: string) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    const msg = (e as Error).message;
    const flag = /'(-{1,2}[^'\s]+)'/.exec(msg)?.[1];
    const longs = Object.keys(options);
    const near = flag?.startsWith('--') ? suggest(flag.slice(2).split('=')[0], longs) : undefined;
    const first = msg.split(/\.\s/)[0].replace(/\.$/, '');
    throw new RingError('E_USAGE', `${first}${near ? `; did you mean '--${near}'?` : ''}`, { hint: `run \`ringmaster ${command} --help\` for its options` });
  }
}
