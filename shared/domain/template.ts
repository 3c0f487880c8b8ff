import { createHash } from 'node:crypto';
import Handlebars from 'handlebars';
import { convert } from 'html-to-text';
import { isPrototypeKey } from './own-keys.ts';

/**
 * Email templates: Handlebars with a closed set of variables (`contact.*`,
 * `company.*`, `unsubscribeUrl`) and only the built-in helpers. Templates are
 * checked when saved, so a campaign never discovers a broken one while sending.
 */
export interface TemplateSource {
  readonly subject: string;
  readonly html: string;
  readonly text?: string | undefined;
}

export interface TemplateVariables {
  readonly contact: Readonly<Record<string, unknown>>;
  readonly company?: Readonly<Record<string, unknown>> | undefined;
  readonly unsubscribeUrl: string;
}

export interface RenderedEmail {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}

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

export interface CompiledTemplate {
  /** sha256 of the source parts: what the per-container cache is keyed by. */
  readonly hash: string;
  render(variables: TemplateVariables): RenderedEmail;
}

/** An environment of our own: nothing registered elsewhere (helpers, partials) leaks in. */
const engine = Handlebars.create();
// `log` is left out: a template has no business writing to the sender's logs.
const builtInHelpers = new Set(['if', 'unless', 'each', 'with', 'lookup']);
const rootVariables = new Set(['contact', 'company', 'unsubscribeUrl']);

type Node = hbs.AST.Node & { loc?: hbs.AST.SourceLocation };

/**
 * Checks what compiling alone would let through: unescaped output in HTML,
 * partials and decorators, helpers we do not ship, and variables outside the
 * documented ones (a typo would otherwise render as an empty string).
 */
function checkTree(program: hbs.AST.Program, part: TemplatePart): void {
  const fail = (node: Node, reason: string): never => {
    throw new TemplateError(part, node.loc?.start.line, reason);
  };
  const checkPath = (path: hbs.AST.PathExpression, scoped: boolean) => {
    // Inside each/with the context is an element, so only the root context is checked.
    if (path.data || scoped || path.depth > 0) return;
    const head = path.parts[0];
    if (head === undefined || path.original === 'this' || path.original === '.') return;
    if (!rootVariables.has(head))
      fail(path, `unknown variable "${path.original}"; use contact.*, company.* or unsubscribeUrl`);
    // No field is stored under such a name (shared/domain/own-keys.ts); Handlebars would only find the inherited one.
    const inherited = path.parts.find(isPrototypeKey);
    if (inherited !== undefined)
      fail(path, `unknown variable "${path.original}": no field is named "${inherited}"`);
  };
  const checkExpression = (node: hbs.AST.Expression, scoped: boolean) => {
    if (node.type === 'PathExpression') checkPath(node as hbs.AST.PathExpression, scoped);
    if (node.type === 'SubExpression') checkCall(node as hbs.AST.SubExpression, scoped);
  };
  const checkCall = (
    node: {
      path: hbs.AST.PathExpression | hbs.AST.Literal;
      params: hbs.AST.Expression[];
      hash: hbs.AST.Hash;
    },
    scoped: boolean,
  ) => {
    const isCall = node.params.length > 0 || (node.hash?.pairs.length ?? 0) > 0;
    if (node.path.type === 'PathExpression') {
      const path = node.path as hbs.AST.PathExpression;
      if (isCall && !builtInHelpers.has(path.original))
        fail(path, `unknown helper "${path.original}"; only ${[...builtInHelpers].join(', ')} are available`);
      if (!isCall) checkPath(path, scoped);
    }
    for (const param of node.params) checkExpression(param, scoped);
    for (const pair of node.hash?.pairs ?? []) checkExpression(pair.value, scoped);
  };
  const visit = (statements: hbs.AST.Statement[], scoped: boolean) => {
    for (const statement of statements) {
      switch (statement.type) {
        case 'MustacheStatement': {
          const mustache = statement as hbs.AST.MustacheStatement;
          if (!mustache.escaped && part === 'html')
            fail(
              mustache,
              'unescaped output ({{{ }}} or {{& }}) is not allowed in HTML: a contact-supplied value could inject markup or scripts',
            );
          checkCall(mustache, scoped);
          break;
        }
        case 'BlockStatement': {
          const block = statement as hbs.AST.BlockStatement;
          const name = block.path.original;
          if (!builtInHelpers.has(name) || name === 'lookup')
            fail(block, `unknown block helper "${name}"; use if, unless, each or with`);
          for (const param of block.params) checkExpression(param, scoped);
          const inner = scoped || name === 'each' || name === 'with';
          visit(block.program?.body ?? [], inner);
          visit(block.inverse?.body ?? [], scoped);
          break;
        }
        case 'PartialStatement':
        case 'PartialBlockStatement':
          fail(statement, 'partials are not supported');
          break;
        case 'Decorator':
        case 'DecoratorBlock':
          fail(statement, 'decorators are not supported');
          break;
      }
    }
  };
  visit(program.body, false);
}

const lineOf = (error: unknown): number | undefined => {
  const line = (error as { lineNumber?: unknown }).lineNumber;
  if (typeof line === 'number') return line;
  const match = /line (\d+)/i.exec(String((error as Error).message));
  return match ? Number(match[1]) : undefined;
};

/** A short reason: Handlebars parse errors list every expected token, which helps nobody. */
const reasonOf = (error: unknown) => {
  const message = String((error as Error).message ?? error);
  const got = /got '([^']+)'/.exec(message)?.[1];
  if (message.startsWith('Parse error'))
    return `does not parse: unexpected ${got === undefined || got === 'EOF' ? 'end of template' : got}`;
  return (message.split('\n')[0] ?? message).replace(/\s+-\s+\d+:\d+$/, '');
};

type Render = (context: unknown) => string;

function compilePart(source: string, part: TemplatePart): Render {
  let program: hbs.AST.Program;
  try {
    program = engine.parse(source);
  } catch (error) {
    throw new TemplateError(part, lineOf(error), reasonOf(error));
  }
  checkTree(program, part);
  try {
    const render = engine.compile(program, {
      knownHelpersOnly: true,
      // Subject and text are not HTML: escaping would show "&amp;" to the reader.
      noEscape: part !== 'html',
      strict: false,
    });
    // Handlebars compiles lazily; one render with empty data surfaces compile errors now.
    render({});
    return render;
  } catch (error) {
    if (error instanceof TemplateError) throw error;
    throw new TemplateError(part, lineOf(error), reasonOf(error));
  }
}

/** Mail clients show text versions as is: links in brackets, images dropped. */
export function htmlToText(html: string): string {
  return convert(html, {
    wordwrap: 100,
    selectors: [
      { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
      { selector: 'img', format: 'skip' },
    ],
  });
}

const CACHE_SIZE = 500;
const cache = new Map<string, CompiledTemplate>();

export const templateHash = (source: TemplateSource): string =>
  createHash('sha256')
    .update(JSON.stringify([source.subject, source.html, source.text ?? null]))
    .digest('hex');

/**
 * Compiles the three parts, or throws a TemplateError naming the part and line.
 * Compiled templates are kept per container by content hash, so a campaign's
 * sender compiles each template once.
 */
export function compileTemplate(source: TemplateSource): CompiledTemplate {
  const hash = templateHash(source);
  const cached = cache.get(hash);
  if (cached) return cached;
  const subject = compilePart(source.subject, 'subject');
  const html = compilePart(source.html, 'html');
  const text = source.text === undefined ? undefined : compilePart(source.text, 'text');
  const compiled: CompiledTemplate = {
    hash,
    render(variables) {
      const context = {
        contact: variables.contact,
        company: variables.company ?? {},
        unsubscribeUrl: variables.unsubscribeUrl,
      };
      const renderedHtml = html(context);
      return {
        // A subject is one header line: a line break in a value must not start another header.
        subject: subject(context)
          .replace(/[\r\n]+/g, ' ')
          .trim(),
        html: renderedHtml,
        text: text ? text(context) : htmlToText(renderedHtml),
      };
    },
  };
  if (cache.size >= CACHE_SIZE) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  cache.set(hash, compiled);
  return compiled;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the characters refused
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

/** Every part that does not compile (empty when the template is fine), for a 400 that lists them all. */
export function templateProblems(source: TemplateSource): TemplateError[] {
  const parts: [TemplatePart, string | undefined][] = [
    ['subject', source.subject],
    ['html', source.html],
    ['text', source.text],
  ];
  return parts.flatMap(([part, text]) => {
    if (text === undefined) return [];
    // A subject is one header line (RFC 5322 2.2): CR or LF would break it, other controls garble it.
    if (part === 'subject' && CONTROL_CHARACTER.test(text))
      return [new TemplateError(part, undefined, 'must not contain control characters (CR, LF, NUL, C0/C1)')];
    try {
      compilePart(text, part);
      return [];
    } catch (error) {
      if (error instanceof TemplateError) return [error];
      throw error;
    }
  });
}

/** Renders a template (compiled or source) for one contact. */
export function renderTemplate(
  template: TemplateSource | CompiledTemplate,
  variables: TemplateVariables,
): RenderedEmail {
  const compiled = 'render' in template ? template : compileTemplate(template);
  return compiled.render(variables);
}
