// Moves a registry snapshot between a file and the store: gzip-compressed, cut into parts of at most
// BACKUP_LIMITS.partBytes (one PUT each), hashed on the way (SHA-256 of the uncompressed snapshot and
// of every stored part). The download checks every part against the manifest before it is used and
// the snapshot's own hash and size after decompression. Streams throughout, so a large registry is
// never held in memory whole.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { FlotillaError } from '../../core/errors.js';
import { storeKeys, type ObjectStore } from '../../core/store/types.js';
import { BACKUP_LIMITS, type BackupManifest } from './manifest.js';

export type SnapshotFigures = Pick<BackupManifest['snapshot'], 'sha256' | 'sizeBytes' | 'parts'>;

/** Passes bytes through while hashing and counting them. */
class Tap extends Transform {
  private readonly hash = createHash('sha256');
  size = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    done(null, chunk);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Compresses the snapshot file into the store as backup `backupId`'s parts; the manifest is the caller's. */
export async function uploadSnapshot(store: ObjectStore, backupId: string, file: string, partBytes = BACKUP_LIMITS.partBytes): Promise<SnapshotFigures> {
  const tap = new Tap();
  const parts: SnapshotFigures['parts'] = [];
  const putPart = async (body: Buffer) => {
    if (parts.length >= BACKUP_LIMITS.parts) throw new FlotillaError('conflict', `the registry snapshot needs more than ${BACKUP_LIMITS.parts} parts`, 'Prune job history and rejections, or back up the data directory with file-system tools.');
    const key = storeKeys.controlPlaneBackupPart(backupId, parts.length);
    await store.put(key, body);
    parts.push({ key, sha256: sha256(body), sizeBytes: body.length });
  };
  await pipeline(createReadStream(file), tap, createGzip(), async (compressed: AsyncIterable<Buffer>) => {
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    for await (const chunk of compressed) {
      pending.push(chunk);
      pendingBytes += chunk.length;
      while (pendingBytes >= partBytes) {
        const all = Buffer.concat(pending);
        await putPart(all.subarray(0, partBytes));
        pending = [all.subarray(partBytes)];
        pendingBytes = all.length - partBytes;
      }
    }
    if (pendingBytes > 0 || parts.length === 0) await putPart(Buffer.concat(pending));
  });
  return { sha256: tap.digest(), sizeBytes: tap.size, parts };
}

/** Reads, checks and decompresses a backup's parts into `file`; throws `rejected` on any mismatch. */
export async function downloadSnapshot(store: ObjectStore, manifest: BackupManifest, file: string): Promise<void> {
  const { snapshot, backupId } = manifest;
  const tap = new Tap();
  async function* parts(): AsyncGenerator<Buffer> {
    for (const part of snapshot.parts) {
      const obj = await store.get(part.key, BACKUP_LIMITS.partBytes);
      if (!obj) throw new FlotillaError('rejected', `backup ${backupId} is missing ${part.key}`, 'Restore another backup (`flotilla restore --list`).');
      if (obj.body.length !== part.sizeBytes || sha256(obj.body) !== part.sha256) {
        throw new FlotillaError('rejected', `${part.key} is not the part the signed manifest of ${backupId} lists (hash or size differs)`, 'The backup was changed in the store; restore another backup (`flotilla restore --list`).');
      }
      yield obj.body;
    }
  }
  try {
    await pipeline(parts(), createGunzip(), tap, createWriteStream(file, { mode: 0o600 }));
  } catch (e) {
    if (e instanceof FlotillaError) throw e;
    if ((e as NodeJS.ErrnoException).syscall) throw new FlotillaError('config', `cannot write ${file}: ${(e as Error).message}`, 'Check that the data directory is writable and has room for the registry.', { cause: e });
    throw new FlotillaError('rejected', `backup ${backupId} does not decompress: ${(e as Error).message}`, 'Restore another backup (`flotilla restore --list`).', { cause: e });
  }
  if (tap.size !== snapshot.sizeBytes || tap.digest() !== snapshot.sha256) {
    throw new FlotillaError('rejected', `the snapshot of ${backupId} does not match the signed manifest (SHA-256 or size differs)`, 'Restore another backup (`flotilla restore --list`).');
  }
}
