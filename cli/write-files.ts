// Writes a set of generated files into a directory for review (`flotilla metrics config|dashboards
// --out DIR`). Like `kubectl apply` it is idempotent: a file that already holds the same bytes is left
// as it is ("unchanged"). A file that holds something else is never written over unless --force; then
// nothing at all is written, so a refused run leaves the directory as it was. Each file is written
// atomically (temp + rename), so a reader (a Prometheus watching file_sd) sees the old content or the
// new, never half.
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../core/atomic-file.js';
import { FlotillaError } from '../core/errors.js';
import type { OutFile } from './metrics-files.js';

export type WriteState = 'created' | 'replaced' | 'unchanged';

export interface Written {
  path: string;
  state: WriteState;
}

async function existing(path: string): Promise<Buffer | 'directory' | null> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'directory' : await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

export async function writeFilesInto(dir: string, files: readonly OutFile[], o: { force?: boolean; mode?: number } = {}): Promise<Written[]> {
  const root = resolve(dir);
  const d = await existing(root);
  if (d !== null && d !== 'directory') throw new FlotillaError('usage', `--out ${root} is a file, not a directory`, 'Give --out a directory (it is created if missing).');
  await mkdir(root, { recursive: true });
  const plan: { path: string; content: string; state: WriteState }[] = [];
  for (const f of files) {
    const path = join(root, f.name);
    const now = await existing(path);
    if (now === 'directory') throw new FlotillaError('usage', `${path} is a directory`, 'Move it away or choose another --out directory.');
    plan.push({ path, content: f.content, state: now === null ? 'created' : now.equals(Buffer.from(f.content, 'utf8')) ? 'unchanged' : 'replaced' });
  }
  const differ = plan.filter((p) => p.state === 'replaced');
  if (differ.length > 0 && !o.force) {
    throw new FlotillaError('conflict', `${differ.map((p) => p.path).join(', ')} already ${differ.length === 1 ? 'exists' : 'exist'} with other content; nothing was written`, 'Compare them with the output without --out, then pass --force to write over them, or choose another --out directory.');
  }
  for (const p of plan) {
    if (p.state !== 'unchanged') await writeFileAtomic(p.path, p.content, o.mode ?? 0o644);
  }
  return plan.map(({ path, state }) => ({ path, state }));
}
