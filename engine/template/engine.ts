// STUB (owned by the template room): the strict, isolated Handlebars environment.
import type { Location } from '../errors/index.js';

/** Says where a template came from, so an undefined variable can be reported with its place. */
export interface TemplateOrigin {
  task?: string;
  host?: string;
  location?: Location;
  /** e.g. 'argument `cmd`', 'template etcd.yaml.hbs' */
  what?: string;
}

export interface TemplateEngine {
  /** Render text; throws RingError E_UNDEFINED_VAR / E_TEMPLATE_SYNTAX naming the variable and origin. */
  render(text: string, vars: object, origin?: TemplateOrigin): string;
  /** Render every string inside a value (objects, arrays); a string that is exactly `{{ path }}` yields the native value. */
  renderValue(value: unknown, vars: object, origin?: TemplateOrigin): unknown;
  /** Check syntax without rendering (for validate). */
  check(text: string, origin?: TemplateOrigin): void;
}

export function createTemplateEngine(): TemplateEngine {
  throw new Error('template engine: not implemented yet');
}
