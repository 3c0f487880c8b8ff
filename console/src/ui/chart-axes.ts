/** Sizes and labels of the chart's axes (pure, so unit tests can reach them). */

/** The value axis's width for its labels: about 7.5 px a character at 12 px, plus the gap to the plot. */
export function axisWidth(values: readonly string[] | null | undefined): number {
  const longest = Math.max(0, ...(values ?? []).map((value) => value.length));
  return Math.max(40, Math.ceil(longest * 7.5) + 20);
}

/**
 * The x axis's labels for a plot `width` CSS px wide (7 px a character at 12 px): when they do
 * not all fit, every n-th one is shown whole (twelve months read "Dec 2025 … Feb 2026 …", not
 * "De… Ja… Fe…"); a label still wider than its share is shortened with an ellipsis.
 */
export function axisLabels(labels: readonly string[], width: number): string[] {
  const slot = width / Math.max(labels.length, 1);
  const longest = Math.max(1, ...labels.map((label) => label.length));
  const step = Math.max(1, Math.min(Math.ceil((longest * 7 + 8) / slot), Math.ceil(labels.length / 2)));
  const chars = Math.max(3, Math.floor((slot * step) / 7) - 1);
  return labels.map((label, index) => {
    if (index % step !== 0) return '';
    return label.length <= chars ? label : `${label.slice(0, chars - 1)}…`;
  });
}
