// The store contract against the directory backend.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll } from 'vitest';
import { DirStore } from '../../../core/store/dir.js';
import { storeContract } from '../../contract/store.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';

afterAll(cleanupTempDirs);

storeContract('dir', () => {
  const root = tempDir('flotilla-store-');
  return Promise.resolve({
    store: new DirStore(root),
    async writeRaw(name: string, body: Buffer) {
      const path = join(root, ...name.split('/'));
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, body);
    },
    cleanup: () => Promise.resolve(),
  });
});
