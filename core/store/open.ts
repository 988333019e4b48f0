// The one place a store config becomes a backend, so every part opens the same store the same way.
import type { StoreConfig } from './config.js';
import { DirStore } from './dir.js';
import { S3Store } from './s3.js';
import type { ObjectStore } from './types.js';

export function openStore(config: StoreConfig): ObjectStore {
  switch (config.type) {
    case 'dir':
      return new DirStore(config.path);
    case 's3':
      return new S3Store({
        bucket: config.bucket,
        prefix: config.prefix,
        region: config.region,
        forcePathStyle: config.forcePathStyle,
        ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      });
  }
}
