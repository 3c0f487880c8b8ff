import type { ComponentChildren } from 'preact';

/**
 * The horizontal scroll area around a table. It can take focus so keyboard users can scroll a
 * table that holds no link or control (WCAG 2.1.1; axe's scrollable-region-focusable).
 */
export function TableWrap({
  label,
  children,
}: {
  readonly label: string;
  readonly children: ComponentChildren;
}) {
  return (
    // biome-ignore lint/a11y/useSemanticElements: a named scroll region, not a page section.
    // biome-ignore lint/a11y/noNoninteractiveTabindex: focus lets the keyboard scroll it.
    <div class="table-wrap" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
