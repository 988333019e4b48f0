// Decodes a percent-encoded path segment from the route table. A malformed escape ("%E0%A4%A") is
// the caller's mistake, so it is a usage error (400) that says how to encode the name, never a 500.
import { FlotillaError } from '../../core/errors.js';

export function decodePathParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new FlotillaError('usage', `path segment "${raw.slice(0, 80)}" is not valid percent-encoding`, 'Percent-encode the name as UTF-8 (e.g. with encodeURIComponent), or use the name exactly as `flotilla cluster list` or `flotilla job list` shows it.');
  }
}
