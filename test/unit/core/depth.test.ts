import { describe, expect, it } from 'vitest';
import { checkJsonBounds, describeViolation, jsonDepth } from '../../../core/depth.js';

/** {"a":{"a":…1…}} nested n levels, built as text and parsed like a request body would be. */
function nested(n: number): unknown {
  return JSON.parse(`${'{"a":'.repeat(n)}1${'}'.repeat(n)}`);
}

describe('JSON bounds', () => {
  it('counts containers, not scalars: the value itself is level 1', () => {
    expect(jsonDepth(1, 10)).toBe(0);
    expect(jsonDepth({}, 10)).toBe(1);
    expect(jsonDepth({ a: 1, b: 'x' }, 10)).toBe(1);
    expect(jsonDepth({ a: [{ b: [] }] }, 10)).toBe(4);
    expect(jsonDepth([[1], [[2]], 3], 10)).toBe(3);
    expect(jsonDepth(nested(100), 1000)).toBe(100);
  });

  it('measures values nested far past the call stack without overflowing it, and stops early', () => {
    const deep = nested(200_000);
    expect(() => JSON.stringify(deep)).toThrow(RangeError);
    expect(jsonDepth(deep, 100)).toBe(101);
    expect(checkJsonBounds(deep, { maxDepth: 100, maxBytes: 1 << 20 })).toEqual({ kind: 'depth', limit: 100 });
  });

  it('accepts a value exactly at the limits and names the first bound broken', () => {
    expect(checkJsonBounds(nested(100), { maxDepth: 100, maxBytes: 1 << 20 })).toBeNull();
    expect(checkJsonBounds(nested(101), { maxDepth: 100, maxBytes: 1 << 20 })).toEqual({ kind: 'depth', limit: 100 });
    const text = { s: 'é'.repeat(10) }; // {"s":"éé…"}: 8 bytes of syntax + 20 bytes of UTF-8
    expect(checkJsonBounds(text, { maxDepth: 5, maxBytes: 28 })).toBeNull();
    expect(checkJsonBounds(text, { maxDepth: 5, maxBytes: 27 })).toEqual({ kind: 'bytes', limit: 27, bytes: 28 });
  });

  it('describes a violation so it completes "params …"', () => {
    expect(describeViolation({ kind: 'depth', limit: 100 })).toBe('nest deeper than 100 levels');
    expect(describeViolation({ kind: 'bytes', limit: 10, bytes: 12 })).toBe('are 12 bytes of JSON, over the 10-byte limit');
  });
});
