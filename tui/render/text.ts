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

// Printable ASCII, Latin letters and signs, dashes and the ellipsis, box drawing, blocks and braille:
// one column each wherever they are measured or drawn. Not combining or zero-width marks (measured as
// none but drawn as a cell), controls, wide (CJK) or emoji characters.
const ONE_COLUMN_EACH = /^[\x20-\x7e\u00a0-\u00ac\u00ae-\u02ff\u2010-\u2027\u2500-\u259f\u2800-\u28ff]*$/;

/**
 * True when every character of `text` takes exactly one column, so that its length is its width.
 * A view that splits a line into several texts does so only then, to put each part where the
 * whole line would have put it.
 */
export function oneColumnEach(text: string): boolean {
  return ONE_COLUMN_EACH.test(text);
}
