// What a log line may carry to a terminal: no control characters (a stray ESC or BEL in a line must
// not drive the viewer's terminal), tabs kept. Checked with one regex test first, since almost every
// line is clean and the tail must stay cheap per line. Pure.
/* eslint-disable no-control-regex -- matching control characters is what this module is for */

// ANSI CSI and OSC sequences are removed whole, so a coloured line keeps its text without `[31m` debris.
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?/g;
// C0 controls but tab, DEL, and C1 controls. Newlines (from a JSON `msg`) become a space.
const CONTROL_TEST = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/;
const NEWLINES = /\r?\n/g;
const CONTROLS = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/g;

export function cleanText(s: string): string {
  if (!CONTROL_TEST.test(s)) return s;
  return s.replace(ANSI, '').replace(NEWLINES, ' ').replace(CONTROLS, '');
}

// Garbage: NULs, or more than one character in ten that is a replacement for invalid UTF-8 or a
// control character no text log writes (tab, CR, LF and ESC are ordinary).
const SUSPECT_TEST = /[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f-\x9f\ufffd]/;
const SUSPECT = /[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f-\x9f\ufffd]/g;

/** True when a decoded line looks like binary data rather than text (kept, but counted as malformed). */
export function looksBinary(s: string): boolean {
  if (!SUSPECT_TEST.test(s)) return false;
  if (s.includes('\0')) return true;
  const n = s.match(SUSPECT)?.length ?? 0;
  return n > Math.max(1, s.length / 10);
}
