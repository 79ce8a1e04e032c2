// Splits a free-form command line (or ssh argument string) into words as a POSIX shell would (quotes, backslashes), nothing more.
import { RingError } from '../errors/index.js';

/**
 * `echo "a b" 'c d' e\ f` → ['echo', 'a b', 'c d', 'e f'].
 * No expansion of any kind happens: `$HOME`, `*` and `~` stay literal, as Ansible's `command` does.
 */
export function splitWords(line: string, what = 'command'): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < line.length && '"\\$`\n'.includes(line[i + 1])) word += line[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\') {
      if (i + 1 < line.length) word += line[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new RingError('E_TASK_SHAPE', `unterminated ${quote === "'" ? 'single' : 'double'} quote in ${what}: ${line}`);
  if (inWord) words.push(word);
  return words;
}
