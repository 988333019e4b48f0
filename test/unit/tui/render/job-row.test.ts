import { describe, expect, it } from 'vitest';
import { jobDetailLines, maskSecrets } from '../../../../tui/render/job-row.js';
import { NOW } from '../helpers.js';
import { jobById } from '../jobs-helpers.js';

describe('job rendering', () => {
  it('masks anything that still looks like a sealed box, at any depth', () => {
    const box = { alg: 'X25519-HKDF-SHA256-A256GCM', epk: 'e', iv: 'i', ct: 'c', tag: 't' };
    expect(maskSecrets({ name: 'db', sealed: box, nested: [{ box }], plain: { a: 1 } })).toEqual({ name: 'db', sealed: '<sealed>', nested: [{ box: '<sealed>' }], plain: { a: 1 } });
    const lines = jobDetailLines({ ...jobById(3), params: { name: 'db', sealed: box } }, NOW);
    expect(lines.map((l) => l.value).join('\n')).not.toContain('X25519');
  });
});
