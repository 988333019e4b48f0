import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { firstIssue, issuePath, MAX_ISSUE_TEXT } from '../../../core/schema-issue.js';

const Params = z.object({ name: z.string(), replicas: z.number().int().max(1000), nested: z.object({ list: z.array(z.string()) }).optional() }).strict();

function errorOf(value: unknown): z.ZodError {
  const parsed = Params.safeParse(value);
  if (parsed.success) throw new Error('expected a failed parse');
  return parsed.error;
}

describe('firstIssue', () => {
  it('names the dotted path of the first problem, array indexes included', () => {
    expect(firstIssue(errorOf({ name: 'db', replicas: 3, nested: { list: ['a', 7] } }))).toMatch(/^nested\.list\.1: /);
    expect(firstIssue(errorOf({ name: 'db', replicas: 5000 }))).toMatch(/^replicas: Too big/);
  });

  it('names the value itself with the caller’s word when the problem is at the top', () => {
    expect(firstIssue(errorOf('not an object'), '(params)')).toMatch(/^\(params\): /);
    expect(firstIssue(errorOf(42))).toMatch(/^\(top level\): /);
  });

  it('keeps unknown keys in the message, and caps it when untrusted input is long', () => {
    expect(firstIssue(errorOf({ name: 'db', replicas: 1, extra: 1 }))).toContain('extra');
    const text = firstIssue(errorOf({ name: 'db', replicas: 1, ['k'.repeat(2000)]: 1 }));
    expect(text.length).toBe(MAX_ISSUE_TEXT);
    expect(text.endsWith('…')).toBe(true);
  });

  it('still says something when a parse failed without an issue', () => {
    expect(firstIssue({ issues: [] }, '(frame)')).toBe('(frame): does not match the schema');
  });
});

describe('issuePath', () => {
  it('joins keys and stringifies symbols instead of throwing', () => {
    expect(issuePath(['a', 0, 'b'])).toBe('a.0.b');
    expect(issuePath([Symbol('s')])).toBe('Symbol(s)');
    expect(issuePath([], '(payload)')).toBe('(payload)');
  });
});
