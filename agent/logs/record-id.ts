// Record ids are a function of where a line came from (DESIGN.md §3.6), never of when it was read:
// the same source position gives the same id after any crash or resend, so sinks can store each
// line once. Pure.
import { hash } from 'node:crypto';

/** The first 128 bits of SHA-256 over the parts, NUL-separated, as 32 hex characters (LOG_ID). */
export function recordId(cluster: string, ...source: (string | number)[]): string {
  return digest(source.length === 0 ? cluster : `${cluster}\0${source.join('\0')}`);
}

/** recordId(cluster, ...source, part) without spreading the parts: the id of one part of a line, once per record on the tail's hot path. */
export function recordIdAt(cluster: string, source: readonly (string | number)[], part: number): string {
  let text = cluster;
  for (const s of source) text += `\0${s}`;
  return digest(`${text}\0${part}`);
}

// The one-shot hash: no Hash object per record, about half the cost of createHash().update().digest().
function digest(text: string): string {
  return hash('sha256', text, 'hex').slice(0, 32);
}
