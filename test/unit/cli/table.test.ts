import { describe, expect, it } from 'vitest';
import { renderJson, renderTable, truncate } from '../../../cli/table.js';

describe('CLI tables', () => {
  it('aligns columns to the widest cell, leaving the last column unpadded', () => {
    expect(renderTable(['NAME', 'HEALTH'], [['prod-us-1', 'critical'], ['a', 'ok']])).toBe('NAME       HEALTH\nprod-us-1  critical\na          ok\n');
    expect(renderTable(['NAME', 'NOTE'], [['x', '']])).toBe('NAME  NOTE\nx\n');
  });

  it('prints JSON with a trailing newline and truncates with a marker', () => {
    expect(renderJson({ a: 1 })).toBe('{\n  "a": 1\n}\n');
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
  });
});
