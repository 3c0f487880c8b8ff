import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { convert } from 'html-to-text';
import {
  type CompiledTemplate,
  cached,
  GENERATED_BLOCK_LINE,
  GENERATED_UPPERCASE_END,
  GENERATED_UPPERCASE_START,
  GENERATED_VALUE_END,
  GENERATED_VALUE_START,
  partsOf,
  renderParts,
  type StoredSpecs,
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

/** A tag that outputs nothing itself: a block's open, else or close, or a comment. */
const STRUCTURAL = /^\{\{~?\s*(?:[#/^!]|else\b)/;
/** Whitespace control, once applied to the HTML, has nothing left to strip in the text. */
const unstripped = (tag: string) => tag.replace(/^(\{\{+)~/, '$1').replace(/~(\}\}+)$/, '$1');

/**
 * The text part a template without one sends: its HTML source converted to
 * text (htmlToText) with each Handlebars tag carried through as an opaque
 * placeholder and put back afterwards, so the result is a text template with
 * the same variables, blocks and links. The same tag gets the same
 * placeholder, so a link whose text is its own href still shows once.
 *
 * What the converter would have done with a value it could not see is left
 * to the render (template.ts, settleGeneratedText), which the marks below
 * guide: each value is marked (GENERATED_VALUE_START/END), so that its
 * whitespace collapses with the text around it, and an empty one drops its
 * space or its link; a line holding only block tags is marked
 * (GENERATED_BLOCK_LINE), so that it goes with its blank lines when it
 * renders empty; a value the converter would uppercase (in a heading or a
 * table header) is marked too (GENERATED_UPPERCASE_START/END). Then the
 * render gives what converting the rendered HTML gives (the text part of
 * every version stored before), except where a value changes how a line
 * wraps at 100 columns (a value longer than the tag it replaces, on a line
 * near the limit) and inside `<pre>`, whose whitespace the converter keeps.
 */
export function generatedTextSource(html: string): string {
  const names = new Map<string, string>();
  const tags = new Map<string, string>();
  // Whitespace control strips the HTML's whitespace beside the tag; the converter must not see it either.
  const source = html.replace(/\s+(?=\{\{+~)/g, '').replace(/(~\}\}+)\s+/g, '$1');
  const marked = source.replace(TAG, (tag, offset: number) => {
    const backslashes = /\\*$/.exec(source.slice(Math.max(0, offset - 2), offset))?.[0].length ?? 0;
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
  const restore = (whole: string, name: string) => {
    const tag = tags.get(name.toLowerCase());
    if (tag === undefined) return whole;
    const plain = unstripped(tag);
    if (STRUCTURAL.test(plain)) return plain;
    const value = `${GENERATED_VALUE_START}${plain}${GENERATED_VALUE_END}`;
    // The converter uppercased the placeholder (a heading, a table header): the value is uppercased when rendered.
    return name === name.toLowerCase()
      ? value
      : `${GENERATED_UPPERCASE_START}${value}${GENERATED_UPPERCASE_END}`;
  };
  return escaped
    .split('\n')
    .map((line) => {
      const blockOnly = line.replace(PLACEHOLDER, (whole, name: string) => {
        const tag = tags.get(name.toLowerCase());
        return tag !== undefined && STRUCTURAL.test(unstripped(tag)) ? '' : whole;
      });
      const restored = line.replace(PLACEHOLDER, restore);
      return blockOnly.trim() === '' && restored.trim() !== ''
        ? `${GENERATED_BLOCK_LINE}${restored}`
        : restored;
    })
    .join('\n');
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
  const text = compilePart(textSourceOf(source), 'text');
  return { subject, html, text, ...(source.text === undefined ? { generatedText: true } : {}) };
}

/** The compiled form as stored with a version (template.ts StoredSpecs). */
export const packSpecs = (specs: TemplateSpecs): StoredSpecs => gzipSync(JSON.stringify(specs));

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
    const parts = partsOf(compileTemplateSpecs(source));
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
