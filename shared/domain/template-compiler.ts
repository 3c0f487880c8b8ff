import Handlebars from 'handlebars';
import { renderFromSpec, type TemplatePart } from './template.ts';
import { checkedProgram, templateErrorOf } from './template-syntax.ts';

/**
 * Handlebars' compiler: a part's source to the spec stored for the senders,
 * which render it with the runtime alone (template.ts). Carried by the
 * functions that write a template version (template-save.ts: the templates
 * function, the backfill) and by the campaign start, which compiles an A/B
 * campaign's variant subjects when it freezes the campaign's content.
 */

/** An environment of our own: nothing registered elsewhere (helpers, partials) leaks in. */
const engine = Handlebars.create();

const optionsOf = (part: TemplatePart) => ({
  knownHelpersOnly: true,
  // Subject and text are not HTML: escaping would show "&amp;" to the reader.
  noEscape: part !== 'html',
  strict: false,
});

/** The precompiled spec of one part (Handlebars.precompile), or a TemplateError naming the part and line. */
export function compilePart(source: string, part: TemplatePart): string {
  const program = checkedProgram(source, part);
  let spec: string;
  try {
    spec = String(engine.precompile(program, optionsOf(part)));
  } catch (error) {
    throw templateErrorOf(error, part);
  }
  try {
    // One render with empty data surfaces what Handlebars only finds when it runs.
    renderFromSpec(spec)({});
  } catch (error) {
    throw templateErrorOf(error, part);
  }
  return spec;
}

/** The revision of the specs this compiler writes (Handlebars' COMPILER_REVISION, which the runtime checks). */
export const compilerRevision: number = (Handlebars as unknown as { COMPILER_REVISION: number })
  .COMPILER_REVISION;

/** The compiler revision a spec was written by (its leading `"compiler":[<revision>, ...]`), or undefined. */
export const revisionOf = (spec: string): number | undefined => {
  const found = /^\{"compiler":\[(\d+),/.exec(spec)?.[1];
  return found === undefined ? undefined : Number(found);
};

/** A subject alone (an A/B variant's), compiled as a template's subject is. */
export const compileSubjectSpec = (subject: string): string => compilePart(subject, 'subject');
