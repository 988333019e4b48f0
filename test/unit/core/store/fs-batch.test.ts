import { execFileSync } from 'node:child_process';
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fsBatch, FsBatchError } from '../../../../core/store/fs-batch.js';
import { cleanupTempDirs, tempDir } from '../../../harness/tmp.js';

afterAll(cleanupTempDirs);

function tree() {
  const root = realpathSync(tempDir());
  mkdirSync(join(root, 'dir'));
  writeFileSync(join(root, 'dir', 'file'), 'hello');
  symlinkSync(join(root, 'dir', 'file'), join(root, 'link'));
  symlinkSync(join(root, 'dir'), join(root, 'dirlink'));
  execFileSync('mkfifo', [join(root, 'fifo')]);
  return root;
}

describe('fsBatch', () => {
  it('lstats without following links, and lists directories with entry types', async () => {
    const root = tree();
    const { lstat, readdir } = await fsBatch({ lstat: ['dir', 'dir/file', 'link', 'fifo', 'nothing', 'dir/file/below'].map((p) => join(root, p)), readdir: [root, join(root, 'nothing')] });
    expect(lstat.map((s) => s.type)).toEqual(['dir', 'file', 'symlink', 'special', 'missing', 'missing']);
    expect(lstat[1]).toMatchObject({ size: 5, ino: expect.any(Number) as number });
    expect(readdir[0]?.entries?.sort((a, b) => (a.name < b.name ? -1 : 1))).toEqual([
      { name: 'dir', type: 'dir' },
      { name: 'dirlink', type: 'symlink' },
      { name: 'fifo', type: 'special' },
      { name: 'link', type: 'symlink' },
    ]);
    expect(readdir[1]).toEqual({ entries: null, denied: false });
  });

  it('reads only a regular file whose real path is the one given, at most maxBytes + 1 bytes', async () => {
    const root = tree();
    const file = join(root, 'dir', 'file');
    const { read } = await fsBatch({
      read: [
        { path: file, realPath: file, maxBytes: 2 },
        { path: join(root, 'link'), realPath: join(root, 'link'), maxBytes: 100 },
        { path: join(root, 'dirlink', 'file'), realPath: join(root, 'dirlink', 'file'), maxBytes: 100 },
        { path: join(root, 'fifo'), realPath: join(root, 'fifo'), maxBytes: 100 },
        { path: join(root, 'nothing'), realPath: join(root, 'nothing'), maxBytes: 100 },
      ],
    });
    expect(read[0]?.body.toString()).toBe('hel');
    expect(read[0]?.size).toBe(5);
    expect(read.slice(1)).toEqual([null, null, null, null]);
  });

  it('answers requests made together each on their own; a failure fails only its own request', async () => {
    const root = tree();
    const [good, bad, other] = await Promise.allSettled([
      fsBatch({ lstat: [join(root, 'dir')] }),
      fsBatch({ lstat: [join(root, 'dir'), `${root}/bad\u0000name`] }),
      fsBatch({ readdir: [join(root, 'dir')] }),
    ]);
    expect(good).toMatchObject({ status: 'fulfilled', value: { lstat: [{ type: 'dir' }] } });
    expect(bad.status).toBe('rejected');
    expect((bad as PromiseRejectedResult).reason).toBeInstanceOf(FsBatchError);
    expect(other).toMatchObject({ status: 'fulfilled', value: { readdir: [{ entries: [{ name: 'file', type: 'file' }] }] } });
    expect(await fsBatch({})).toEqual({ lstat: [], readdir: [], read: [] });
  });
});
