// A tailed file's identity (DESIGN.md §3.6): device + inode, plus a SHA-256 fingerprint of its first
// bytes so that an inode the file system handed to a new file is noticed. The fingerprint covers
// FINGERPRINT_BYTES, or fewer while the file is shorter; it is upgraded once the file has grown,
// after checking that the short fingerprint still matches its first bytes. The identity `key` — the
// first part of every record id from the file — is fixed when the file is first followed and kept in
// the checkpoint, so an upgrade never changes the ids.
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

export const FINGERPRINT_BYTES = 256;

export interface Fingerprint {
  /** Bytes covered (≤ FINGERPRINT_BYTES). */
  len: number;
  /** SHA-256 hex of those bytes. */
  hash: string;
}

export interface FileIdentity {
  key: string;
  dev: number;
  ino: number;
  fp: Fingerprint;
}

export function fingerprintOf(head: Buffer): Fingerprint {
  return { len: head.length, hash: createHash('sha256').update(head).digest('hex') };
}

/** The id key of a file first followed with this device, inode and fingerprint (at most 62 characters). */
export function identityKey(dev: number, ino: number, fp: Fingerprint): string {
  return `${dev.toString(36)}-${ino.toString(36)}-${fp.hash.slice(0, 24)}-${fp.len}`;
}

/** The first `len` bytes of a file (fewer when it is shorter). */
export async function readHead(fh: FileHandle, len: number, scratch = Buffer.alloc(FINGERPRINT_BYTES)): Promise<Buffer> {
  let got = 0;
  while (got < len) {
    const { bytesRead } = await fh.read(scratch, got, len - got, got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return scratch.subarray(0, got);
}

/** Whether an open file is still the one an identity names: same device and inode, and its first fp.len bytes hash to fp.hash. */
export async function isSameFile(id: Pick<FileIdentity, 'dev' | 'ino' | 'fp'>, dev: number, ino: number, fh: FileHandle): Promise<boolean> {
  if (dev !== id.dev || ino !== id.ino) return false;
  const head = await readHead(fh, id.fp.len);
  return head.length === id.fp.len && fingerprintOf(head).hash === id.fp.hash;
}
