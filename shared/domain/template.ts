import { gunzipSync } from 'node:zlib';
import HandlebarsRuntime from 'handlebars/runtime';

export { TemplateError, type TemplatePart } from './template-error.ts';

/**
 * Email templates at send time: the Handlebars runtime alone. A template is
 * compiled when it is saved (template-compiler.ts, which only the templates
 * function and the campaign start carry); what the senders get is the stored
 * compiled form, turned back into render functions here. Variables are
 * `contact.*`, `company.*` and `unsubscribeUrl`, helpers only the built-in ones.
 */
export interface TemplateSource {
  readonly subject: string;
  readonly html: string;
  readonly text?: string | undefined;
}

/**
 * A template version compiled when it was saved: Handlebars' `precompile`
 * output (JavaScript source of a template spec) for each part. `text` is the
 * template's own text part or, when it has none, the one generated from its
 * HTML when it was saved (template-compiler.ts, generatedTextSource).
 */
export interface TemplateSpecs {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
  /** The text part was generated from the HTML: its render is settled (settleGeneratedText). */
  readonly generatedText?: boolean;
}

/**
 * A version's compiled form as stored with it: its TemplateSpecs as JSON,
 * gzip-compressed (a spec repeats its source, which compresses several times
 * over), so that a template and its compiled form fit the template's item and
 * the campaign's copy of both.
 */
export type StoredSpecs = Uint8Array;

/** The specs of a stored compiled form. */
export const unpackSpecs = (stored: StoredSpecs): TemplateSpecs =>
  JSON.parse(gunzipSync(stored).toString('utf8')) as TemplateSpecs;

/** Marks around a value in a generated text part (template-save.ts generatedTextSource). */
export const GENERATED_VALUE_START = '\uE002';
export const GENERATED_VALUE_END = '\uE003';
/** Marks around a value the converter would have uppercased. */
export const GENERATED_UPPERCASE_START = '\uE005';
export const GENERATED_UPPERCASE_END = '\uE006';
/** Marks a line of a generated text part that holds only block tags. */
export const GENERATED_BLOCK_LINE = '\uE004';

const VALUES = /[ ]*(?:\uE002[^\uE003]*\uE003[ ]*)+/g;
const LIST_MARKER = /^ *(?:\*|\d+\.)$/;
const UPPERCASE = /\uE005([^\uE006]*)\uE006/g;
const EMPTY_LINK = / ?\[\uE002\uE003\]/g;

/**
 * The rendered text part generated from the HTML, as converting the rendered
 * HTML would have given it: a value in a heading is uppercased, its whitespace collapses with the spaces
 * around it (trimmed at a line's ends), an empty value's link is dropped, and
 * a line that held only block tags goes, the blank lines on either side of
 * it merging into the longer run. See template-save.ts generatedTextSource.
 */
export function settleGeneratedText(text: string): string {
  const values = text
    .replace(UPPERCASE, (_, value: string) => value.toUpperCase())
    .replace(EMPTY_LINK, '')
    .replace(VALUES, (run: string, offset: number, all: string) => {
      let settled = run.replace(/[\uE002\uE003]/g, '').replace(/\s+/g, ' ');
      if (offset === 0 || all[offset - 1] === '\n') settled = settled.trimStart();
      const end = offset + run.length;
      // At a line's end the space goes, unless it ends a list item's marker (" * ", " 1. ") that nothing follows.
      if (end === all.length || all[end] === '\n') {
        const lineStart = all.lastIndexOf('\n', offset - 1) + 1;
        const onlyMarker = settled.trim() === '' && LIST_MARKER.test(all.slice(lineStart, offset));
        settled = onlyMarker ? ' ' : settled.trimEnd();
      }
      return settled;
    });
  const lines: string[] = [];
  let blanks = 0;
  let dropped = false;
  let pending = 0;
  for (const line of values.split('\n')) {
    if (line.startsWith(GENERATED_BLOCK_LINE) && line.slice(1).trim() === '') {
      // Gone: the blank lines before it and after it are one run, as long as the longer.
      pending = Math.max(pending, blanks);
      blanks = 0;
      dropped = true;
      continue;
    }
    const content = line.startsWith(GENERATED_BLOCK_LINE) ? line.slice(1) : line;
    if (content === '') {
      blanks++;
      continue;
    }
    const run = dropped ? Math.max(pending, blanks) : blanks;
    if (lines.length > 0) for (let blank = 0; blank < run; blank++) lines.push('');
    lines.push(content);
    blanks = 0;
    pending = 0;
    dropped = false;
  }
  return lines.join('\n');
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

export interface CompiledTemplate {
  /** What the per-container cache knows it by: a template version, a campaign's run and variant, a content hash. */
  readonly key: string;
  render(variables: TemplateVariables): RenderedEmail;
}

type Render = (context: unknown) => string;

/** An environment of our own: nothing registered elsewhere (helpers, partials) leaks in. */
const runtime = HandlebarsRuntime.create();

/**
 * A render function from a stored spec. Evaluating the spec is safe because of
 * where it comes from, not what it says: only template-compiler.ts writes one,
 * from a source that passed its checks, into the template's item (or the
 * campaign's copy of it, Campaign.compiled) under the tenant's key, which no API
 * route lets a caller write directly (the compiled form is not part of any
 * request or response body). What a tenant controls, the template's text, is
 * inside the spec only as string literals the Handlebars compiler escaped
 * (JavaScriptCompiler.quotedString), and merge data is never code. The runtime
 * refuses a spec from an incompatible Handlebars version (checkRevision): after
 * such an upgrade the backfill (`npm run templates:compile`) compiles them again.
 */
export function renderFromSpec(spec: string): Render {
  const specification = new Function(`return ${spec};`)() as TemplateSpecification;
  return runtime.template(specification) as Render;
}

type TemplateSpecification = Parameters<typeof HandlebarsRuntime.template>[0];

/** The variables as the template sees them: a missing company is an empty one. */
const contextOf = (variables: TemplateVariables) => ({
  contact: variables.contact,
  company: variables.company ?? {},
  unsubscribeUrl: variables.unsubscribeUrl,
});

/** A subject is one header line: a line break in a value must not start another header. */
const oneLine = (subject: string) => subject.replace(/[\r\n]+/g, ' ').trim();

/** Render functions of the three parts; a generated text part's render is settled. */
export function partsOf(specs: TemplateSpecs): { subject: Render; html: Render; text: Render } {
  const text = renderFromSpec(specs.text);
  return {
    subject: renderFromSpec(specs.subject),
    html: renderFromSpec(specs.html),
    text: specs.generatedText ? (context) => settleGeneratedText(text(context)) : text,
  };
}

/** Renders all three parts from their render functions. */
export function renderParts(
  parts: { subject: Render; html: Render; text: Render },
  variables: TemplateVariables,
): RenderedEmail {
  const context = contextOf(variables);
  return { subject: oneLine(parts.subject(context)), html: parts.html(context), text: parts.text(context) };
}

const CACHE_SIZE = 500;
const cache = new Map<string, CompiledTemplate>();

/** Keeps a compiled template by key, dropping the oldest beyond CACHE_SIZE. */
export function cached(key: string, make: () => CompiledTemplate): CompiledTemplate {
  const found = cache.get(key);
  if (found) return found;
  const made = make();
  if (cache.size >= CACHE_SIZE) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
  cache.set(key, made);
  return made;
}

/**
 * The template of stored specs, kept per container under `key`, which must
 * name one immutable version (e.g. `<tenant>#<template id>#<version>`), so that
 * a sender turns each spec into functions once.
 */
export function templateFromSpecs(key: string, specs: TemplateSpecs): CompiledTemplate {
  return cached(key, () => {
    const parts = partsOf(specs);
    return { key, render: (variables) => renderParts(parts, variables) };
  });
}

/**
 * The template of a stored compiled form (templateFromSpecs), unpacked once
 * per key; with `subject`, an A/B variant's compiled subject in place of the
 * template's (the key must then name the variant too).
 */
export function templateFromStored(key: string, stored: StoredSpecs, subject?: string): CompiledTemplate {
  return cached(key, () => {
    const specs = unpackSpecs(stored);
    const parts = partsOf(subject === undefined ? specs : { ...specs, subject });
    return { key, render: (variables) => renderParts(parts, variables) };
  });
}

/** Renders a compiled template for one contact. */
export function renderTemplate(template: CompiledTemplate, variables: TemplateVariables): RenderedEmail {
  return template.render(variables);
}
