// Writing generated files into --out: created, unchanged when the bytes are the same, refused whole
// (nothing written) when one differs, replaced with --force.
import { readFileSync, statSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFilesInto } from '../../../cli/write-files.js';
import { FlotillaError } from '../../../core/errors.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';

afterAll(cleanupTempDirs);

const files = [
  { name: 'prometheus.yml', content: 'global: {}\n' },
  { name: 'rules.yml', content: 'groups: []\n' },
];

describe('writeFilesInto', () => {
  it('creates the directory and the files, readable by a Prometheus of another user', async () => {
    const dir = join(tempDir(), 'out', 'edge');
    const written = await writeFilesInto(dir, files);
    expect(written).toEqual([
      { path: join(dir, 'prometheus.yml'), state: 'created' },
      { path: join(dir, 'rules.yml'), state: 'created' },
    ]);
    expect(readFileSync(join(dir, 'rules.yml'), 'utf8')).toBe('groups: []\n');
    expect(statSync(join(dir, 'prometheus.yml')).mode & 0o044).toBe(0o044 & ~process.umask());
    // No temp file is left behind.
    expect(readdirSync(dir).sort()).toEqual(['prometheus.yml', 'rules.yml']);
  });

  it('leaves files with the same content unchanged', async () => {
    const dir = tempDir();
    await writeFilesInto(dir, files);
    const before = statSync(join(dir, 'prometheus.yml')).mtimeMs;
    expect((await writeFilesInto(dir, files)).map((w) => w.state)).toEqual(['unchanged', 'unchanged']);
    expect(statSync(join(dir, 'prometheus.yml')).mtimeMs).toBe(before);
  });

  it('refuses when a file differs, writing nothing at all, and replaces with force', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'rules.yml'), 'groups: [mine]\n');
    const e = await writeFilesInto(dir, files).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(FlotillaError);
    expect((e as FlotillaError).kind).toBe('conflict');
    expect((e as FlotillaError).message).toBe(`${join(dir, 'rules.yml')} already exists with other content; nothing was written`);
    expect((e as FlotillaError).next).toMatch(/--force/);
    expect(readdirSync(dir)).toEqual(['rules.yml']);
    expect(readFileSync(join(dir, 'rules.yml'), 'utf8')).toBe('groups: [mine]\n');
    expect((await writeFilesInto(dir, files, { force: true })).map((w) => w.state)).toEqual(['created', 'replaced']);
    expect(readFileSync(join(dir, 'rules.yml'), 'utf8')).toBe('groups: []\n');
  });

  it('refuses an --out that is a file, and a directory where a file goes', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'plain'), 'x');
    await expect(writeFilesInto(join(dir, 'plain'), files)).rejects.toThrow(/is a file, not a directory/);
    mkdirSync(join(dir, 'd', 'rules.yml'), { recursive: true });
    await expect(writeFilesInto(join(dir, 'd'), files, { force: true })).rejects.toThrow(/rules\.yml is a directory/);
  });
});
