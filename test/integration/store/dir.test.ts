// The store contract against the directory backend.
import { afterAll } from 'vitest';
import { DirStore } from '../../../core/store/dir.js';
import { storeContract } from '../../contract/store.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';

afterAll(cleanupTempDirs);

storeContract('dir', () => Promise.resolve({ store: new DirStore(tempDir('flotilla-store-')), cleanup: () => Promise.resolve() }));
