import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { recordId } from '../../../../agent/logs/record-id.js';
import { LOG_ID } from '../../../../core/logs/record.js';

describe('recordId', () => {
  it('is the SHA-256 of the NUL-separated parts, cut to 128 bits', () => {
    const h = createHash('sha256').update('c1').update('\0').update('key').update('\0').update('4096').update('\0').update('0');
    expect(recordId('c1', 'key', 4096, 0)).toBe(h.digest('hex').slice(0, 32));
    expect(recordId('c1')).toBe(createHash('sha256').update('c1').digest('hex').slice(0, 32));
    expect(recordId('c1', 'key', 1, 0)).toMatch(LOG_ID);
  });

  it('tells positions apart', () => {
    expect(recordId('c1', 'k', 12, 0)).not.toBe(recordId('c1', 'k', 1, 20));
    expect(recordId('c1', 'k', 1, 0)).not.toBe(recordId('c2', 'k', 1, 0));
  });
});
