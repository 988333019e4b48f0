// A restore builds a data directory and never writes over one. "Empty" allows what an operator puts
// there to restore at all: the files the daemon config names (the config itself, the signing key,
// TLS files, the log file) and a directory store inside it; anything else (a registry, an old log, a
// stray file) means the directory is in use and the restore refuses.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { DaemonConfig } from '../../config/schemas.js';
import { FlotillaError } from '../../core/errors.js';

export interface Allowed {
  /** Files, relative to the data directory. */
  files: ReadonlySet<string>;
  /** Directories left unread (a directory store), relative to the data directory. */
  trees: ReadonlySet<string>;
}

function inside(dataDir: string, path: string): string | null {
  const rel = relative(dataDir, path);
  return rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel) ? null : rel;
}

/** Where a restore builds the registry before it renames it into place; one left by a restore cut short is overwritten. */
export const RESTORE_TEMP = '.restore-registry.db';

/** What the config itself names inside its data directory, and the restore's own temp files. Pure. */
export function allowedInDataDir(config: DaemonConfig, configFile: string): Allowed {
  const temp = join(config.dataDir, RESTORE_TEMP);
  const files = [configFile, config.keys.signingKey, config.tls?.cert, config.tls?.key, config.log.file === '-' ? undefined : config.log.file, temp, `${temp}-journal`];
  const trees = config.store.type === 'dir' ? [config.store.path] : [];
  const rel = (list: (string | undefined)[]) => new Set(list.filter((p): p is string => p !== undefined).map((p) => inside(config.dataDir, p)).filter((p): p is string => p !== null));
  return { files: rel(files), trees: rel(trees) };
}

/** The files under dataDir that the restore would not expect, at most `limit` of them. */
export function unexpectedFiles(dataDir: string, allowed: Allowed, limit = 10): string[] {
  const found: string[] = [];
  const walk = (rel: string) => {
    for (const entry of readdirSync(join(dataDir, rel), { withFileTypes: true })) {
      if (found.length >= limit) return;
      const path = rel === '' ? entry.name : join(rel, entry.name);
      if (allowed.trees.has(path)) continue;
      if (entry.isDirectory()) walk(path);
      else if (!allowed.files.has(path)) found.push(path);
    }
  };
  if (existsSync(dataDir)) {
    if (!statSync(dataDir).isDirectory()) throw new FlotillaError('config', `dataDir ${dataDir} is not a directory`, 'Set dataDir (or --data) to a new or empty directory.');
    walk('');
  }
  return found;
}

export function assertRestorable(config: DaemonConfig, configFile: string): void {
  const unexpected = unexpectedFiles(config.dataDir, allowedInDataDir(config, configFile));
  if (unexpected.length > 0) {
    throw new FlotillaError(
      'conflict',
      `data directory ${config.dataDir} is not empty (${unexpected.join(', ')}); a restore never writes over a data directory`,
      'Restore into a new or empty directory (--data DIR, or dataDir in the config), or move the old one aside first. Only the config, its signing key, TLS and log files and a store directory may be there.',
      { details: { unexpected } },
    );
  }
}
