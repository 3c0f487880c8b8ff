import { readFile, writeFile } from 'node:fs/promises';
import { type ParsedModeLine, parseModeLine } from './mode.ts';

/** A BENCHMARKS.md section that one bench script owns, between an opening and a closing HTML comment. */
export interface MarkedSection {
  readonly start: string;
  readonly end: string;
}

/** Replaces the section (its markers included) in a BENCHMARKS.md text, or appends it. */
export function spliceSection(markdown: string, section: string, markers: MarkedSection): string {
  const start = markdown.indexOf(markers.start);
  const end = markdown.indexOf(markers.end);
  if (start >= 0 && end > start)
    return `${markdown.slice(0, start)}${section}${markdown.slice(end + markers.end.length)}`;
  return `${markdown.trimEnd()}\n\n${section}\n`;
}

/** Where the header's list of section modes sits; {@link refreshModeSummary} rewrites what is between. */
export const MODES_START =
  '<!-- bench-modes: rebuilt from the mode line of every section whenever a bench script writes -->';
export const MODES_END = '<!-- /bench-modes -->';

/** Headings of the header itself, which no run measures. */
const unmeasured = new Set(['Machine', 'How to read']);

export interface SectionMode {
  readonly heading: string;
  /** Undefined when the section carries no mode line (written before the bench had modes). */
  readonly mode?: ParsedModeLine;
}

/** Every `## ` section of a BENCHMARKS.md text with the mode line found under its heading. */
export function sectionModes(markdown: string): SectionMode[] {
  const found: { heading: string; mode?: ParsedModeLine }[] = [];
  for (const line of markdown.split('\n')) {
    if (line.startsWith('## ')) {
      const heading = line.slice(3).trim();
      if (!unmeasured.has(heading)) found.push({ heading });
      continue;
    }
    const current = found.at(-1);
    const parsed = current && !current.mode ? parseModeLine(line) : undefined;
    if (current && parsed) current.mode = parsed;
  }
  return found;
}

const modeCell = (mode: ParsedModeLine | undefined) =>
  !mode
    ? 'not recorded'
    : `${mode.mode}${mode.overrides.length > 0 ? `, overridden by ${mode.overrides.join(', ')}` : ''}`;

/**
 * The header's list of each section's mode, commit and date, with a warning when the sections
 * do not all come from one mode (a quick section run alone beside a full run's, an override,
 * or a section from before the bench had modes): their figures do not compare.
 */
export function renderModeSummary(modes: readonly SectionMode[]): string {
  const kinds = new Set(modes.map((entry) => modeCell(entry.mode)));
  const verdict =
    kinds.size === 1
      ? `Every section below comes from the ${[...kinds][0]} mode.`
      : `**Mixed modes**: the sections below come from ${[...kinds].join(' / ')} runs; figures of different modes or sizes do not compare.`;
  return [
    MODES_START,
    "Mode of each section (`npm run bench` is the full run, `npm run bench -- --quick` the quick one; each section's mode line gives its sizes):",
    '',
    '| Section | Mode | Commit | Date |',
    '| --- | --- | --- | --- |',
    ...modes.map(
      (entry) =>
        `| ${entry.heading} | ${modeCell(entry.mode)} | ${entry.mode?.commit ?? '—'} | ${entry.mode?.date ?? '—'} |`,
    ),
    '',
    verdict,
    MODES_END,
  ].join('\n');
}

/** Rebuilds the header's mode list from the sections' mode lines (inserted before "## Machine" if missing). */
export function refreshModeSummary(markdown: string): string {
  const summary = renderModeSummary(sectionModes(markdown));
  if (markdown.includes(MODES_START) && markdown.includes(MODES_END))
    return spliceSection(markdown, summary, { start: MODES_START, end: MODES_END });
  const machine = markdown.indexOf('\n## Machine');
  if (machine < 0) return `${summary}\n\n${markdown}`;
  return `${markdown.slice(0, machine + 1)}${summary}\n\n${markdown.slice(machine + 1)}`;
}

/** Splices a section into the BENCHMARKS.md at `file` and rebuilds the header's mode list. */
export async function writeSection(file: string, section: string, markers: MarkedSection): Promise<void> {
  const markdown = spliceSection(await readFile(file, 'utf8'), section, markers);
  await writeFile(file, refreshModeSummary(markdown));
}
