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
