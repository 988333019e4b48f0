// Fixed-width cell helpers. Table rows are built as plain strings so a frame is cheap to diff.

/** Pads or truncates to exactly `width` characters; truncation ends in an ellipsis. */
export function fit(text: string, width: number, align: 'left' | 'right' = 'left'): string {
  if (width <= 0) return '';
  if (text.length > width) return width === 1 ? '…' : `${text.slice(0, width - 1)}…`;
  return align === 'left' ? text.padEnd(width) : text.padStart(width);
}

/** Collapses newlines and tabs that would break a one-line cell. */
export function oneLine(text: string): string {
  return text.replace(/[\r\n\t]+/g, ' ');
}
