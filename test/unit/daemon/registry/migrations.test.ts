import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FlotillaError } from '../../../../core/errors.js';
import { migrate, openRegistry, schemaVersion } from '../../../../daemon/registry/db.js';
import { MIGRATIONS } from '../../../../daemon/registry/migrations.js';
import { cleanupTempDirs, tempDir } from '../../../harness/tmp.js';

afterAll(cleanupTempDirs);

describe('registry migrations', () => {
  it('brings an empty database to the latest version once', () => {
    const db = new Database(':memory:');
    expect(migrate(db)).toBe(MIGRATIONS.length);
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    expect(migrate(db)).toBe(0);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all().map((r) => (r as { name: string }).name);
    expect(tables).toEqual(['agent_encryption_keys', 'audit', 'bindings', 'clusters', 'fleet_jobs', 'health_transitions', 'job_seqs', 'jobs', 'log_drop_totals', 'log_drops', 'monitoring_settings', 'rejections', 'status_latest', 'store_cleanups', 'teardowns', 'tokens']);
  });

  it('applies only the migrations past the stored version', () => {
    const db = new Database(':memory:');
    const list = ['CREATE TABLE a (x)', 'CREATE TABLE b (y)'];
    expect(migrate(db, list.slice(0, 1))).toBe(1);
    expect(migrate(db, list)).toBe(1);
    expect(schemaVersion(db)).toBe(2);
  });

  it('rolls back a failing migration and keeps the old version', () => {
    const db = new Database(':memory:');
    migrate(db, ['CREATE TABLE a (x)']);
    expect(() => migrate(db, ['CREATE TABLE a (x)', 'CREATE TABLE b (y)', 'NOT SQL'])).toThrow();
    expect(schemaVersion(db)).toBe(1);
    expect(db.prepare("SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'b'").get()).toEqual({ n: 0 });
  });

  it('moves jobs to per-registration generations: removed clusters retired and owed a store cleanup, live ones untouched', () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS.slice(0, 2));
    db.exec(`INSERT INTO clusters (name, labels, created_at, interval_seconds, registration, token_hash) VALUES ('live', '{}', 't', 10, 'registered', 'h');
      INSERT INTO job_seqs (cluster, last_seq) VALUES ('live', 2), ('gone', 1);
      INSERT INTO jobs (id, cluster, seq, type, params, payload, destructive, state, issuer_token_id, issuer_name, submitted_at, not_after)
        VALUES ('j1', 'live', 2, 'cordon', '{}', '{}', 0, 'dispatched', 't', 'n', 't', 't'), ('j2', 'gone', 1, 'cordon', '{}', '{}', 0, 'dispatched', 't', 'n', 't', 't');`);
    migrate(db);
    expect(db.prepare('SELECT cluster, last_seq, generation FROM job_seqs ORDER BY cluster').all()).toEqual([
      { cluster: 'gone', last_seq: 0, generation: 1 },
      { cluster: 'live', last_seq: 2, generation: 0 },
    ]);
    expect(db.prepare('SELECT id, generation, state FROM jobs ORDER BY id').all()).toEqual([
      { id: 'j1', generation: 0, state: 'dispatched' },
      { id: 'j2', generation: 0, state: 'cancelled' },
    ]);
    expect(db.prepare('SELECT cluster FROM store_cleanups').all()).toEqual([{ cluster: 'gone' }]);
  });

  it('dates the results collected before retention existed by their finish, and leaves every job in the store until retention runs', () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS.slice(0, 3));
    db.exec(`INSERT INTO jobs (id, cluster, generation, seq, type, params, payload, destructive, state, issuer_token_id, issuer_name, submitted_at, not_after, result_state, result_finished_at, result_etag)
        VALUES ('done', 'c', 0, 1, 'cordon', '{}', '{}', 0, 'succeeded', 't', 'n', 't', 't', 'succeeded', '2030-01-01T00:00:00.000Z', 'e1'),
               ('open', 'c', 0, 2, 'cordon', '{}', '{}', 0, 'dispatched', 't', 'n', 't', 't', NULL, NULL, NULL);`);
    migrate(db);
    expect(db.prepare('SELECT id, result_collected_at, store_removed_at FROM jobs ORDER BY id').all()).toEqual([
      { id: 'done', result_collected_at: '2030-01-01T00:00:00.000Z', store_removed_at: null },
      { id: 'open', result_collected_at: null, store_removed_at: null },
    ]);
  });

  it('refuses a registry written by a newer version', () => {
    const db = new Database(':memory:');
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    expect(() => migrate(db)).toThrow(FlotillaError);
  });

  it('opens a file registry in WAL mode with foreign keys on', () => {
    const file = join(tempDir(), 'registry.db');
    const db = openRegistry(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
    const again = openRegistry(file);
    expect(schemaVersion(again)).toBe(MIGRATIONS.length);
    again.close();
  });
});
