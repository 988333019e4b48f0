// Opens the registry: SQLite in WAL mode, foreign keys on, migrations applied in one transaction.
import Database from 'better-sqlite3';
import { FlotillaError } from '../../core/errors.js';
import { createPrivateFile } from '../../core/private-file.js';
import { MIGRATIONS } from './migrations.js';

export type Db = Database.Database;

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Applies every migration past the stored user_version; returns how many ran. */
export function migrate(db: Db, migrations: readonly string[] = MIGRATIONS): number {
  const current = schemaVersion(db);
  if (current > migrations.length) {
    throw new FlotillaError(
      'config',
      `registry schema version ${current} is newer than this Flotilla understands (${migrations.length})`,
      'Run the Flotilla version that wrote this registry, or restore a backup made by this version.',
    );
  }
  const pending = migrations.slice(current);
  if (pending.length === 0) return 0;
  db.transaction(() => {
    pending.forEach((sql, i) => {
      db.exec(sql);
      db.pragma(`user_version = ${current + i + 1}`);
    });
  })();
  return pending.length;
}

export function openRegistry(file: string): Db {
  let db: Db;
  try {
    // SQLite gives the -wal and -shm files the database file's mode, so creating it 0600 covers all three
    createPrivateFile(file);
    db = new Database(file);
  } catch (e) {
    throw new FlotillaError('config', `cannot open registry ${file}: ${(e as Error).message}`, 'Check that the data directory exists and is writable by this user.', { cause: e });
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db);
  } catch (e) {
    db.close();
    if (e instanceof FlotillaError) throw e;
    throw new FlotillaError('config', `registry ${file} is not usable: ${(e as Error).message}`, 'Restore the registry from a backup, or move it aside and re-run `flotilla init`.', { cause: e });
  }
  return db;
}
