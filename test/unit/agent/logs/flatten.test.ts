import { describe, expect, it } from 'vitest';
import { boundedJson, flattenFields, TRUNCATED_KEY } from '../../../../agent/logs/flatten.js';
import { LOG_LIMITS } from '../../../../core/logs/record.js';

describe('JSON field flattening', () => {
  it('flattens nested objects and arrays into dotted keys', () => {
    expect(flattenFields({ http: { status: 500, path: '/x' }, tags: ['a', 'b'], ok: false, none: null, empty: {} })).toEqual({
      'http.status': 500,
      'http.path': '/x',
      'tags.0': 'a',
      'tags.1': 'b',
      ok: false,
      none: null,
      empty: '{}',
    });
  });

  it('leaves out the key shown as the message', () => {
    expect(flattenFields({ msg: 'hello', user: 1 }, 'msg')).toEqual({ user: 1 });
  });

  it('keeps values below the depth cap as a JSON string', () => {
    const f = flattenFields({ a: { b: { c: { d: { e: 1 } } } } });
    expect(f).toEqual({ 'a.b.c.d': '{"e":1}' });
    expect(LOG_LIMITS.fieldDepth).toBe(4);
  });

  it('caps the count and says how many were left out', () => {
    const obj = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i]));
    const f = flattenFields(obj);
    expect(Object.keys(f)).toHaveLength(LOG_LIMITS.fields + 1);
    expect(f[TRUNCATED_KEY]).toBe(100 - LOG_LIMITS.fields);
    expect(f.k0).toBe(0);
    expect(f.k64).toBeUndefined();
  });

  it('counts the leaves of a nested value past the cap', () => {
    const obj: Record<string, unknown> = Object.fromEntries(Array.from({ length: LOG_LIMITS.fields }, (_, i) => [`k${i}`, i]));
    obj.extra = { a: 1, b: { c: 2, d: 3 } };
    expect(flattenFields(obj)[TRUNCATED_KEY]).toBe(3);
  });

  it('caps key and value lengths and strips control characters from values', () => {
    const f = flattenFields({ ['k'.repeat(500)]: 'v'.repeat(5000), bell: 'a\x07b\nc' });
    const [key] = Object.keys(f);
    expect(key).toHaveLength(LOG_LIMITS.fieldKeyChars);
    expect(f[key!]).toHaveLength(LOG_LIMITS.fieldValueChars);
    expect(f.bell).toBe('ab c');
  });

  it('treats __proto__ as an ordinary key', () => {
    const parsed = JSON.parse('{"__proto__":{"polluted":true},"x":1}') as Record<string, unknown>;
    const f = flattenFields(parsed);
    expect(Object.getPrototypeOf(f)).toBe(Object.prototype);
    expect(f['__proto__.polluted']).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('bounds the JSON text of a deep value by its budget', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const s = boundedJson(deep, 100);
    expect(s).toBe('['.repeat(100));
    expect(boundedJson({ a: [1, 'x'] }, 1000)).toBe('{"a":[1,"x"]}');
  });
});
