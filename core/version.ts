import { readFileSync } from 'node:fs';

// Read once from package.json so `flotilla info`, status reports and /metrics agree on one version.
function readVersion(): string {
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'flotilla' && pkg.version) return pkg.version;
    } catch {
      // try the next candidate: the layout differs between src (tests) and dist
    }
  }
  return '0.0.0-unknown';
}

export const VERSION = readVersion();
