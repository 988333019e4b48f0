import { describe, expect, it } from 'vitest';
import { jobDetailLines } from '../../../../tui/render/job-row.js';
import { NOW } from '../helpers.js';
import { jobById } from '../jobs-helpers.js';

describe('job rendering', () => {
  it('shows a job with anything that still looks like a sealed box masked, at any depth', () => {
    const box = { alg: 'X25519-HKDF-SHA256-A256GCM', epk: 'e', iv: 'i', ct: 'c', tag: 't' };
    const lines = jobDetailLines({ ...jobById(3), params: { name: 'db', sealed: box, nested: [{ box }] } }, NOW);
    const text = lines.map((l) => l.value).join('\n');
    expect(text).not.toContain('X25519');
    expect(text).toContain('<sealed>');
  });
});
