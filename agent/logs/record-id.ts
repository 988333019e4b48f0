// Record ids are a function of where a line came from (DESIGN.md §3.6), never of when it was read:
// the same source position gives the same id after any crash or resend, so sinks can store each
// line once. Pure.
import { createHash } from 'node:crypto';

/** The first 128 bits of SHA-256 over the parts, NUL-separated, as 32 hex characters (LOG_ID). */
export function recordId(cluster: string, ...source: (string | number)[]): string {
  // One update of the joined text: the same bytes as updating part by part, fewer calls per line.
  return createHash('sha256').update(source.length === 0 ? cluster : `${cluster}\0${source.join('\0')}`).digest('hex').slice(0, 32);
}
