import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FlotillaError } from '../../../../core/errors.js';
import { DirStore } from '../../../../core/store/dir.js';
import { storeOp, StoreFailure, storeUnavailable } from '../../../../core/store/failure.js';
import { cleanupTempDirs, tempDir } from '../../../harness/tmp.js';

afterAll(cleanupTempDirs);

describe('storeUnavailable', () => {
  it('names the store, the operation and the key, and keeps the next step and the cause', () => {
    const cause = new Error('EIO');
    const e = storeUnavailable({ store: 'dir:/srv/store', op: 'put', key: 'clusters/a/status.json', detail: 'EIO', next: 'Check the mount.', cause });
    expect(e).toBeInstanceOf(FlotillaError);
    expect(e.kind).toBe('unavailable');
    expect(e.message).toBe('dir:/srv/store: put clusters/a/status.json failed: EIO');
    expect(e.next).toBe('Check the mount.');
    expect(e.cause).toBe(cause);
    expect(e.details).toEqual({ store: 'dir:/srv/store', op: 'put', key: 'clusters/a/status.json' });
  });

  it('says "(all)" for an operation on the whole store', () => {
    expect(storeUnavailable({ store: 's', op: 'list', key: '', detail: 'd', next: 'n', cause: null }).message).toBe('s: list (all) failed: d');
  });

  it('is what the directory backend throws when the store cannot be written', async () => {
    // A regular file where the store's parent directory should be: every write fails, root included.
    const blocker = join(tempDir(), 'not-a-dir');
    writeFileSync(blocker, '');
    const store = new DirStore(join(blocker, 'store'));
    const e = await store.put('clusters/a/status.json', Buffer.from('x')).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(FlotillaError);
    expect((e as FlotillaError).message).toMatch(/^dir:.*: put clusters\/a\/status\.json failed: /);
    expect((e as FlotillaError).next).toMatch(/mounted and is writable/);
  });
});

describe('StoreFailure and storeOp', () => {
  it('passes a result through and counts nothing', async () => {
    const failed: string[] = [];
    expect(await storeOp('get_status', async () => 42, (op) => failed.push(op))).toBe(42);
    expect(failed).toEqual([]);
  });

  it('wraps what the store threw under the caller’s name, once counted', async () => {
    const failed: string[] = [];
    const original = new FlotillaError('unavailable', 'store is down', 'Bring it back.');
    const e = await storeOp('put_status', () => Promise.reject(original), (op) => failed.push(op)).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(StoreFailure);
    expect((e as StoreFailure).op).toBe('put_status');
    expect((e as StoreFailure).original).toBe(original);
    expect((e as StoreFailure).logFields).toEqual({ op: 'put_status', err: 'store is down', next: 'Bring it back.' });
    expect(failed).toEqual(['put_status']);
  });

  it('keeps the innermost operation name when store operations nest', async () => {
    const inner = () => storeOp('backup_get', () => Promise.reject(new Error('timeout')));
    const e = await storeOp('run_job', inner).catch((err: unknown) => err);
    expect((e as StoreFailure).op).toBe('backup_get');
    expect((e as StoreFailure).logFields).toEqual({ op: 'backup_get', err: 'timeout', next: undefined });
  });

  it('logs a thrown non-error as text', () => {
    expect(new StoreFailure('list', 'socket hang up').logFields).toEqual({ op: 'list', err: 'socket hang up', next: undefined });
  });
});
