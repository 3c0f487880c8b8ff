import { createHash } from 'node:crypto';
import { convert } from 'html-to-text';
import {
  type CompiledTemplate,
  cached,
  renderFromSpec,
  renderParts,
  type TemplateError,
  type TemplatePart,
  type TemplateSource,
  type TemplateSpecs,
} from './template.ts';
import { compilePart } from './template-compiler.ts';
import { partProblem, templateErrorOf } from './template-syntax.ts';

/**
 * A whole template compiled when it is saved: its three parts, the text part
 * generated from the HTML when the template has none. This brings the
 * HTML-to-text converter along with the compiler, so only the templates
 * function and the backfill (`npm run templates:compile`) carry it.
 */

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

/**
 * Handlebars tags as its lexer finds them: raw blocks, comments, triple and
 * double mustaches (whitespace control included). A tag preceded by one
 * backslash is escaped (literal text), by two it is a tag after one backslash.
 */
const TAG = /\{\{\{\{[\s\S]*?\}\}\}\}|\{\{~?!--[\s\S]*?--~?\}\}|\{\{~?\{[\s\S]*?\}~?\}\}|\{\{[\s\S]*?\}\}/g;
// Private-use characters: no HTML, text or Handlebars meaning, never whitespace, so never wrapped apart.
const OPEN = '\uE000';
const CLOSE = '\uE001';
const PLACEHOLDER = /\uE000([a-z]+)\uE001/gi;
const placeholderName = (index: number): string => {
  let name = '';
  let rest = index;
  do {
    name = String.fromCharCode(97 + (rest % 26)) + name;
    rest = Math.floor(rest / 26) - 1;
  } while (rest >= 0);
  return name;
};

/**
 * The text part a template without one sends: its HTML source converted to
 * text (htmlToText) with each Handlebars tag carried through as an opaque
 * placeholder and put back afterwards, so the result is a text template with
 * the same variables, blocks and links. Rendering it gives what converting the
 * rendered HTML gives (the text part of every version stored before) for merge
 * values without line breaks or runs of spaces, on lines that stay within the
 * 100-column wrap, and outside headings and table headers (which the converter
 * uppercases: a value in them keeps its case). The same tag gets the same
 * placeholder, so a link whose text is its own href still shows once.
 */
export function generatedTextSource(html: string): string {
  const names = new Map<string, string>();
  const tags = new Map<string, string>();
  const marked = html.replace(TAG, (tag, offset: number) => {
    const backslashes = /\\*$/.exec(html.slice(Math.max(0, offset - 2), offset))?.[0].length ?? 0;
    if (backslashes === 1) return tag; // escaped: literal text, as Handlebars shows it
    let name = names.get(tag);
    if (name === undefined) {
      name = placeholderName(names.size);
      names.set(tag, name);
      tags.set(name, tag);
    }
    return `${OPEN}${name}${CLOSE}`;
  });
  // Handlebars turns "\{{" into a literal "{{" and "\\{{" into "\" and a tag; the converter sees what it renders.
  const rendered = marked.replace(/\\(\{\{)/g, '$1').replace(/\\\\(?=\uE000)/g, '\\');
  const text = htmlToText(rendered);
  // Back to template syntax: literal "{{" escaped, backslashes before a tag doubled once more.
  const escaped = text.replace(/\{\{/g, '\\{{').replace(/(\\+)(?=\uE000)/g, '$1\\');
  return escaped.replace(PLACEHOLDER, (whole, name: string) => tags.get(name.toLowerCase()) ?? whole);
}

/** What a template sends as its text part: its own, or the one generated from its HTML. */
export const textSourceOf = (source: TemplateSource): string =>
  source.text ?? generatedTextSource(source.html);

/**
 * Compiles the three parts to the specs stored with the version, or throws the
 * first TemplateError (naming the part and line).
 */
export function compileTemplateSpecs(source: TemplateSource): TemplateSpecs {
  const subject = compilePart(source.subject, 'subject');
  const html = compilePart(source.html, 'html');
  return { subject, html, text: compilePart(textSourceOf(source), 'text') };
}

export const templateHash = (source: TemplateSource): string =>
  createHash('sha256')
    .update(JSON.stringify([source.subject, source.html, source.text ?? null]))
    .digest('hex');

/**
 * A template compiled from its source, kept per container by content hash:
 * the same specs a saved version stores, rendered the same way.
 */
export function compileTemplate(source: TemplateSource): CompiledTemplate {
  const key = `source#${templateHash(source)}`;
  return cached(key, () => {
    const specs = compileTemplateSpecs(source);
    const parts = {
      subject: renderFromSpec(specs.subject),
      html: renderFromSpec(specs.html),
      text: renderFromSpec(specs.text),
    };
    return { key, render: (variables) => renderParts(parts, variables) };
  });
}

/** Every part that does not compile (empty when the template is fine), for a 400 that lists them all. */
export function templateProblems(source: TemplateSource): TemplateError[] {
  const parts: [TemplatePart, string | undefined][] = [
    ['subject', source.subject],
    ['html', source.html],
    ['text', source.text],
  ];
  return parts.flatMap(([part, text]) => {
    if (text === undefined) return [];
    const problem = partProblem(text, part);
    if (problem) return [problem];
    try {
      compilePart(text, part);
      return [];
    } catch (error) {
      return [templateErrorOf(error, part)];
    }
  });
}
