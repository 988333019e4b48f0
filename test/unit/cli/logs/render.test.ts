import { describe, expect, it } from 'vitest';
import { caretLines, jsonHits, printable, renderHits, renderLine, wantsColour } from '../../../../cli/logs/render.js';
import type { LogHit } from '../../../../core/logs/api.js';
import { stored } from './records.js';

const plain = { colour: false };
const ESC = '\x1b';

describe('log line rendering', () => {
  it('prints ts, cluster, ns/pod/container, level and message', () => {
    expect(renderLine(stored(0, { level: 'error', message: 'boom' }), plain)).toBe('2026-12-01T10:00:00.456Z prod-eu payments/api-7d9f/api ERROR boom');
    expect(renderLine(stored(0, { ts: '2026-12-01T10:00:00Z' }), plain)).toMatch(/^2026-12-01T10:00:00\.000Z /);
  });

  it('colours the cluster/pod prefix by cluster and the level by severity, and dims context', () => {
    const a = renderLine(stored(0, { level: 'error' }), { colour: true });
    const b = renderLine(stored(0, { level: 'error' }), { colour: true });
    expect(a).toBe(b);
    expect(a).toContain(`${ESC}[31mERROR${ESC}[0m`);
    expect(a).toMatch(new RegExp(`${ESC}\\[\\d+mprod-eu payments/api-7d9f/api${ESC}\\[0m`));
    const clusters = new Set(['a', 'b', 'c', 'd', 'e', 'f'].map((c) => renderLine(stored(0, { cluster: c }), { colour: true }).split(' ')[1]?.slice(0, 5)));
    expect(clusters.size).toBeGreaterThan(1);
    expect(renderLine(stored(0), { colour: true }, true)).toMatch(new RegExp(`^${ESC}\\[2m.*${ESC}\\[0m$`));
  });

  it('escapes control characters so no line drives the terminal', () => {
    expect(printable('a\x1b[2Jb\tc\r\n\x9b\ud800z 😀')).toBe('a\\x1b[2Jb\tc\\x0d\\x0a\\x9b\\ud800z 😀');
    expect(renderLine(stored(0, { message: '\x1b]0;pwned\x07', pod: 'p\x1b' }), plain)).toBe('2026-12-01T10:00:00.456Z prod-eu payments/p\\x1b/api INFO  \\x1b]0;pwned\\x07');
  });

  it('honours NO_COLOR, then FORCE_COLOR, then the terminal', () => {
    expect(wantsColour({}, true)).toBe(true);
    expect(wantsColour({}, false)).toBe(false);
    expect(wantsColour({ NO_COLOR: '1' }, true)).toBe(false);
    expect(wantsColour({ NO_COLOR: '1', FORCE_COLOR: '1' }, true)).toBe(false);
    expect(wantsColour({ FORCE_COLOR: '1' }, false)).toBe(true);
    expect(wantsColour({ FORCE_COLOR: '0' }, false)).toBe(false);
    expect(wantsColour({ NO_COLOR: '' }, true)).toBe(true);
  });

  it('groups hits with their context, separated by -- like grep', () => {
    const hits: LogHit[] = [
      { ...stored(5), context: { before: [stored(4)], after: [stored(6)] } },
      { ...stored(2), context: { before: [], after: [stored(3)] } },
    ];
    expect(renderHits(hits, plain).split('\n').map((l) => l.replace(/^\S+ \S+ \S+ \S+\s+/, ''))).toEqual(['line 4', 'line 5', 'line 6', '--', 'line 2', 'line 3', '']);
    expect(renderHits([stored(1), stored(0)], plain).split('\n')).toHaveLength(3);
    expect(renderHits([], plain)).toBe('');
  });

  it('--json keeps exactly the §3.6 fields, in order, and context only when asked', () => {
    const hit: LogHit = { ...stored(5), context: { before: [stored(4)], after: [] } };
    const [withContext] = jsonHits([hit], true) as Record<string, unknown>[];
    expect(Object.keys(withContext ?? {})).toEqual(['id', 'ts', 'cluster', 'namespace', 'pod', 'container', 'node', 'stream', 'level', 'message', 'fields', 'context']);
    expect((withContext?.context as { before: Record<string, unknown>[] }).before[0]).not.toHaveProperty('cursor');
    const [bare] = jsonHits([hit], false) as Record<string, unknown>[];
    expect(Object.keys(bare ?? {})).toEqual(['id', 'ts', 'cluster', 'namespace', 'pod', 'container', 'node', 'stream', 'level', 'message', 'fields']);
  });

  it('draws a caret under the error position', () => {
    expect(caretLines('ns:payments level:', 18)).toBe('  ns:payments level:\n                    ^');
    expect(caretLines('a\tb:x', 2)).toBe('  a b:x\n    ^');
    expect(caretLines('é😀 foo:', 4)).toBe('  é😀 foo:\n     ^');
  });
});
