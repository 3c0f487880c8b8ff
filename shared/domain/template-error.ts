/**
 * A template part that does not compile, naming the part and line: apart from
 * the runtime (template.ts), so that the syntax check (template-syntax.ts)
 * does not bring the runtime along.
 */
export type TemplatePart = 'subject' | 'html' | 'text';

export class TemplateError extends Error {
  constructor(
    readonly part: TemplatePart,
    readonly line: number | undefined,
    readonly reason: string,
  ) {
    super(`${part}${line === undefined ? '' : ` line ${line}`}: ${reason}`);
    this.name = 'TemplateError';
  }
}
