import { describe, expect, it } from 'vitest';
import type { StoreEntry } from '../../../../core/store/types.js';
import { discoveryExclude, entryRejection } from '../../../../daemon/sync/discovery.js';

const AT = '2025-06-01T12:00:00.000Z';

describe('discoveryExclude', () => {
  it('walks the directories the daemon reads, skips job history (envelopes, results) and backups, and reports the rest', () => {
    expect(discoveryExclude('clusters/prod-1/')).toBe(false);
    expect(discoveryExclude('clusters/prod-1/results/')).toBe(true);
    expect(discoveryExclude('clusters/prod-1/config/')).toBe(false);
    expect(discoveryExclude('clusters/prod-1/jobs/')).toBe(true);
    expect(discoveryExclude('clusters/prod-1/backups/')).toBe(true);
    expect(discoveryExclude('clusters/prod-1/notes/')).toBe('report');
    expect(discoveryExclude('clusters/prod-1/results/old/')).toBe('report');
    expect(discoveryExclude('clusters/Not_A_Cluster/')).toBe('report');
  });
});

describe('entryRejection', () => {
  const entry = (key: string, irregular?: StoreEntry['irregular']): StoreEntry => ({ key, etag: 'e1', size: 0, ...(irregular ? { irregular } : {}) });

  it('records a name outside the key space as unknown_name, under its cluster when it has one', () => {
    expect(entryRejection(entry('clusters/prod-1/notes.txt'), AT)).toEqual({
      at: AT,
      cluster: 'prod-1',
      key: 'clusters/prod-1/notes.txt',
      etag: 'e1',
      reason: 'unknown_name',
      message: 'not a name in the store key space (docs/ARCHITECTURE.md); not read',
    });
    expect(entryRejection(entry('clusters/junk.txt'), AT).cluster).toBeNull();
    expect(entryRejection(entry('clusters/prod-1/notes/', { kind: 'directory', at: 'clusters/prod-1/notes/' }), AT)).toMatchObject({ reason: 'unknown_name', message: 'a directory outside the store key space; not read' });
    expect(entryRejection(entry('clusters/prod-1/x y', { kind: 'bad_name', at: 'clusters/prod-1/x y' }), AT).reason).toBe('unknown_name');
  });

  it('records links, special files and directories where files belong as not_a_file, naming a link on the path', () => {
    expect(entryRejection(entry('clusters/prod-1/status.json', { kind: 'symlink', at: 'clusters/prod-1/status.json' }), AT)).toMatchObject({ reason: 'not_a_file', message: 'a symbolic link; never followed' });
    expect(entryRejection(entry('clusters/prod-1/status.json', { kind: 'symlink', at: 'clusters/prod-1/' }), AT).message).toBe('a symbolic link (at clusters/prod-1/ on its path); never followed');
    expect(entryRejection(entry('clusters/prod-1/status.json', { kind: 'special', at: 'clusters/prod-1/status.json' }), AT).reason).toBe('not_a_file');
    expect(entryRejection(entry('clusters/prod-1/status.json', { kind: 'directory', at: 'clusters/prod-1/status.json' }), AT)).toMatchObject({ reason: 'not_a_file', message: 'a directory where a file belongs' });
    expect(entryRejection(entry('clusters/prod-1/', { kind: 'unreadable', at: 'clusters/prod-1/' }), AT).reason).toBe('unreadable');
  });

  it('records a directory named like a file of the key space under that file key, as the known keys meet it', () => {
    const listed = entryRejection(entry('clusters/prod-1/status.json/', { kind: 'directory', at: 'clusters/prod-1/status.json/' }), AT);
    const known = entryRejection(entry('clusters/prod-1/status.json', { kind: 'directory', at: 'clusters/prod-1/status.json' }), AT);
    expect(listed).toEqual(known);
    expect(listed).toMatchObject({ key: 'clusters/prod-1/status.json', reason: 'not_a_file', message: 'a directory where a file belongs' });
  });
});
