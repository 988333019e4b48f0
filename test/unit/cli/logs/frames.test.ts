import { describe, expect, it } from 'vitest';
import { parseLinkFrame, parseSearchResponse } from '../../../../cli/logs/frames.js';
import { stored } from './records.js';

describe('logs frames from the daemon', () => {
  it('reads snapshots, lines, dropped notices, hello and replies', () => {
    expect(parseLinkFrame(JSON.stringify({ kind: 'hello', server: {}, identity: {} }))).toEqual({ kind: 'hello' });
    expect(parseLinkFrame(JSON.stringify({ topic: 'logs', kind: 'snapshot', rev: 1, data: [stored(1)], more: true }))).toEqual({ kind: 'snapshot', lines: [stored(1)], more: true, rejected: 0 });
    expect(parseLinkFrame(JSON.stringify({ topic: 'logs', kind: 'lines', rev: 2, lines: [stored(2), { id: 'bad' }] }))).toEqual({ kind: 'lines', lines: [stored(2)], rejected: 1 });
    expect(parseLinkFrame(JSON.stringify({ topic: 'logs', kind: 'dropped', count: 7 }))).toEqual({ kind: 'dropped', count: 7 });
    expect(parseLinkFrame(JSON.stringify({ id: 1, error: { code: 'usage', message: 'at 0: expected x' } }))).toEqual({ kind: 'reply', id: 1, error: { code: 'usage', message: 'at 0: expected x', next: 'See the daemon log.' } });
    expect(parseLinkFrame(JSON.stringify({ id: 1, result: {} }))).toEqual({ kind: 'reply', id: 1, error: null });
    expect(parseLinkFrame(JSON.stringify({ topic: 'fleet', kind: 'snapshot', rev: 1, data: [] }))).toEqual({ kind: 'other' });
    expect(parseLinkFrame('{"id":"x"}')).toEqual({ kind: 'other' });
  });

  it('refuses what is not JSON or not the shape', () => {
    for (const bad of ['nope', 'null', '[]', '{"topic":"logs","kind":"lines"}', '{"topic":"logs","kind":"dropped","count":-1}']) expect(parseLinkFrame(bad)).toBeNull();
    expect(parseLinkFrame(JSON.stringify({ topic: 'logs', kind: 'lines', lines: Array.from({ length: 5001 }, () => 1) }))).toBeNull();
  });

  it('reads a search answer, skipping and counting bad hits', () => {
    const ctx = { ...stored(3), context: { before: [stored(2)], after: [] } };
    expect(parseSearchResponse({ items: [ctx, { ...stored(1), cursor: '' }], next: 'n1' })).toEqual({ page: { items: [ctx], next: 'n1' }, rejected: 1 });
    expect(parseSearchResponse({ items: [] })).toEqual({ page: { items: [] }, rejected: 0 });
    expect(parseSearchResponse({ nope: 1 })).toBeNull();
  });
});
