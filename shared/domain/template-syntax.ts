import { parse } from 'handlebars/dist/cjs/handlebars/compiler/base.js';
import { isPrototypeKey } from './own-keys.ts';
import { TemplateError, type TemplatePart } from './template-error.ts';

/**
 * The checks of a template's source that need Handlebars' parser but not its
 * code generator: what the campaigns function runs on A/B variant subjects
 * (template-compiler.ts runs the same checks before it compiles). A source that
 * passes them compiles: Handlebars' compiler throws only for partials (refused
 * here), helpers outside knownHelpers (refused here) and malformed ASTs, which
 * the parser does not produce.
 */

// `log` is left out: a template has no business writing to the sender's logs.
const builtInHelpers = new Set(['if', 'unless', 'each', 'with', 'lookup']);
const rootVariables = new Set(['contact', 'company', 'unsubscribeUrl']);

type Node = hbs.AST.Node & { loc?: hbs.AST.SourceLocation };

/**
 * Checks what compiling alone would let through: unescaped output in HTML,
 * partials and decorators, helpers we do not ship, block helpers without
 * exactly one argument (Handlebars' if, unless, each and with throw for any
 * other count when they run, lib/handlebars/helpers/*.js), and variables
 * outside the documented ones (a typo would otherwise render as an empty string).
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
          if (block.params.length !== 1)
            fail(block, `#${name} takes exactly one argument, got ${block.params.length}`);
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
export const reasonOf = (error: unknown): string => {
  const message = String((error as Error).message ?? error);
  const got = /got '([^']+)'/.exec(message)?.[1];
  if (message.startsWith('Parse error'))
    return `does not parse: unexpected ${got === undefined || got === 'EOF' ? 'end of template' : got}`;
  return (message.split('\n')[0] ?? message).replace(/\s+-\s+\d+:\d+$/, '');
};

/** The error a Handlebars exception stands for, naming the part and line. */
export const templateErrorOf = (error: unknown, part: TemplatePart): TemplateError =>
  error instanceof TemplateError ? error : new TemplateError(part, lineOf(error), reasonOf(error));

/** The parsed and checked source of one part, or a TemplateError naming the part and line. */
export function checkedProgram(source: string, part: TemplatePart): hbs.AST.Program {
  let program: hbs.AST.Program;
  try {
    program = parse(source);
  } catch (error) {
    throw templateErrorOf(error, part);
  }
  checkTree(program, part);
  return program;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the characters refused
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * What is wrong with one part (undefined when it is fine). A subject is one
 * header line (RFC 5322 2.2): CR or LF would break it, other controls garble it.
 */
export function partProblem(source: string, part: TemplatePart): TemplateError | undefined {
  if (part === 'subject' && CONTROL_CHARACTER.test(source))
    return new TemplateError(part, undefined, 'must not contain control characters (CR, LF, NUL, C0/C1)');
  try {
    checkedProgram(source, part);
    return undefined;
  } catch (error) {
    if (error instanceof TemplateError) return error;
    throw error;
  }
}
