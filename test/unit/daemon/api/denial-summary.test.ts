import { describe, expect, it } from 'vitest';
import { DenialSummary, OTHER_SOURCES, summaryText } from '../../../../daemon/api/denial-summary.js';

const POST = 'POST /api/v1/clusters';
const T0 = Date.parse('2030-01-01T00:00:00.000Z');

describe('denial summary', () => {
  it('samples the first refusal of a window and counts the rest into one summary when it ends', () => {
    const s = new DenialSummary({ windowMs: 10_000, maxSources: 10 });
    const samples = Array.from({ length: 500 }, (_, i) => s.hit('127.0.0.1', POST, T0 + i * 10).sample);
    expect(samples.filter(Boolean)).toHaveLength(1);
    expect(samples[0]).toBe(true);
    expect(s.due(T0 + 9_999)).toEqual([]);
    expect(s.due(T0 + 10_000)).toEqual([{ source: '127.0.0.1', subject: POST, count: 500, firstAt: T0, lastAt: T0 + 4_990, windowMs: 10_000 }]);
    expect(s.size).toBe(0);
    expect(s.due(T0 + 20_000)).toEqual([]);
  });

  it('needs no summary for a lone refusal: its sample said everything', () => {
    const s = new DenialSummary({ windowMs: 10_000, maxSources: 10 });
    expect(s.hit('10.0.0.1', POST, T0).sample).toBe(true);
    expect(s.due(T0 + 60_000)).toEqual([]);
  });

  it('keeps windows per source and per subject', () => {
    const s = new DenialSummary({ windowMs: 1000, maxSources: 10 });
    for (const [src, subj] of [['a', POST], ['a', POST], ['b', POST], ['b', POST], ['a', 'GET /ws'], ['a', 'GET /ws'], ['a', 'GET /ws']] as const) s.hit(src, subj, T0);
    expect(s.due(T0 + 1000).map((w) => [w.source, w.subject, w.count])).toEqual([
      ['a', POST, 2],
      ['b', POST, 2],
      ['a', 'GET /ws', 3],
    ]);
  });

  it('starts a new window, with a new sample, after the old one ended, even before it was collected', () => {
    const s = new DenialSummary({ windowMs: 1000, maxSources: 10 });
    s.hit('a', POST, T0);
    s.hit('a', POST, T0 + 500);
    expect(s.hit('a', POST, T0 + 1000).sample).toBe(true);
    s.hit('a', POST, T0 + 1200);
    expect(s.due(T0 + 1500).map((w) => [w.firstAt - T0, w.count])).toEqual([[0, 2]]);
    expect(s.due(T0 + 2000).map((w) => [w.firstAt - T0, w.count])).toEqual([[1000, 2]]);
  });

  it('bounds its memory: past maxSources, new sources share one "other sources" window per subject', () => {
    const s = new DenialSummary({ windowMs: 1000, maxSources: 3 });
    const sampled = Array.from({ length: 1000 }, (_, i) => s.hit(`10.0.${Math.floor(i / 250)}.${i % 250}`, POST, T0 + i).sample);
    expect(sampled.filter(Boolean)).toHaveLength(4); // three sources, then one shared window
    expect(s.size).toBe(4);
    const due = s.due(T0 + 5000);
    expect(due).toEqual([{ source: OTHER_SOURCES, subject: POST, count: 997, firstAt: T0 + 3, lastAt: T0 + 999, windowMs: 1000 }]);
    // the table is empty again, so the next window tracks sources one by one
    expect(s.hit('192.0.2.1', POST, T0 + 6000).sample).toBe(true);
    expect(s.hit('192.0.2.2', POST, T0 + 6000).sample).toBe(true);
    expect(s.size).toBe(2);
  });

  it('drains every open window on shutdown', () => {
    const s = new DenialSummary({ windowMs: 10_000, maxSources: 10 });
    s.hit('a', POST, T0);
    s.hit('a', POST, T0 + 1);
    s.hit('b', POST, T0 + 2);
    expect(s.drain().map((w) => [w.source, w.count])).toEqual([['a', 2]]);
    expect(s.size).toBe(0);
  });

  it('says what happened in one line', () => {
    expect(summaryText({ source: '127.0.0.1', subject: POST, count: 412, firstAt: T0, lastAt: T0 + 9_500, windowMs: 10_000 }, 'unauthenticated requests')).toBe(
      '412 unauthenticated requests from 127.0.0.1 to POST /api/v1/clusters in 10 s, first at 2030-01-01T00:00:00.000Z, last at 2030-01-01T00:00:09.500Z',
    );
    expect(summaryText({ source: '10.0.0.9', subject: 'shed connections', count: 3, firstAt: T0, lastAt: T0, windowMs: 1000 }, 'idle connections closed', 'at the connection cap')).toMatch(/^3 idle connections closed from 10\.0\.0\.9 at the connection cap in 1 s, /);
  });
});
