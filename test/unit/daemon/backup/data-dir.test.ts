import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DaemonConfigSchema } from '../../../../config/schemas.js';
import { FlotillaError } from '../../../../core/errors.js';
import { allowedInDataDir, assertRestorable, unexpectedFiles } from '../../../../daemon/backup/data-dir.js';
import { cleanupTempDirs, tempDir } from '../../../harness/tmp.js';

afterAll(() => cleanupTempDirs());

function config(dataDir: string, over: Record<string, unknown> = {}) {
  return DaemonConfigSchema.parse({ dataDir, store: { type: 'dir', path: join(dataDir, 'store') }, keys: { signingKey: join(dataDir, 'keys', 'controlplane.key') }, ...over });
}

describe('what a restore allows in its data directory', () => {
  it("names the config, the signing key, TLS and log files and a directory store inside it, nothing outside, and the restore's own temp files", () => {
    const allowed = allowedInDataDir(
      config('/srv/flotilla', { tls: { cert: '/srv/flotilla/tls/c.pem', key: '/etc/tls/k.pem' }, log: { level: 'info', file: '/srv/flotilla/daemon.log' } }),
      '/srv/flotilla/daemon.yaml',
    );
    expect([...allowed.files].sort()).toEqual(['.restore-registry.db', '.restore-registry.db-journal', 'daemon.log', 'daemon.yaml', 'keys/controlplane.key', 'tls/c.pem']);
    expect([...allowed.trees]).toEqual(['store']);
  });

  it('allows no store tree for S3, and no log file for "-"', () => {
    const allowed = allowedInDataDir(config('/d', { store: { type: 's3', bucket: 'bkt' }, log: { level: 'info', file: '-' } }), '/elsewhere/daemon.yaml');
    expect([...allowed.files].filter((f) => !f.startsWith('.restore-'))).toEqual(['keys/controlplane.key']);
    expect([...allowed.trees]).toEqual([]);
  });
});

describe('refusing a data directory in use', () => {
  it('accepts a missing directory, and one holding only the carried config, key and a store', () => {
    const root = tempDir();
    expect(() => assertRestorable(config(join(root, 'missing')), join(root, 'daemon.yaml'))).not.toThrow();
    const dir = join(root, 'host-b');
    mkdirSync(join(dir, 'keys'), { recursive: true });
    mkdirSync(join(dir, 'store', 'clusters', 'c1'), { recursive: true });
    writeFileSync(join(dir, 'daemon.yaml'), '');
    writeFileSync(join(dir, 'keys', 'controlplane.key'), '');
    writeFileSync(join(dir, 'store', 'clusters', 'c1', 'status.json'), '{}');
    expect(unexpectedFiles(dir, allowedInDataDir(config(dir), join(dir, 'daemon.yaml')))).toEqual([]);
  });

  it('refuses a registry, an old log or any stray file, naming them, as a conflict (exit 64)', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'keys'));
    writeFileSync(join(dir, 'keys', 'controlplane.key'), '');
    writeFileSync(join(dir, 'keys', 'old.key'), '');
    writeFileSync(join(dir, 'registry.db'), '');
    let err: unknown;
    try {
      assertRestorable(config(dir), join(dir, 'daemon.yaml'));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FlotillaError);
    expect((err as FlotillaError).kind).toBe('conflict');
    expect((err as FlotillaError).exitCode).toBe(64);
    expect((err as FlotillaError).message).toMatch(/is not empty \(.+\); a restore never writes over a data directory$/);
    expect(((err as FlotillaError).details?.unexpected as string[]).sort()).toEqual(['keys/old.key', 'registry.db']);
    expect((err as FlotillaError).next).toMatch(/new or empty directory/);
  });

  it('refuses a data directory that is a file', () => {
    const file = join(tempDir(), 'f');
    writeFileSync(file, '');
    expect(() => assertRestorable(config(file), join(tempDir(), 'daemon.yaml'))).toThrow(/not a directory/);
  });
});
