// The logs view's reducer, driven through the shell: frames, follow and pause, n/N, / refine with a
// parse error, context open and close, the buffer bound, and the calls it makes for its data.
import { describe, expect, it } from 'vitest';
import { keyContext, topView, wantedTopics, type AppState } from '../../../../../tui/state/app.js';
import { LOG_BUFFER_LINES } from '../../../../../tui/views/logs/buffer.js';
import { HISTOGRAM_REFRESH_MS, olderQuery } from '../../../../../tui/views/logs/model.js';
import { parseQuery } from '../../../../../core/query/parse.js';
import { apply, connectedState, DETAIL, key, NOW } from '../../helpers.js';
import { liveLines, logRecord, records, snapshot } from '../../logs-helpers.js';

const text = (t: string) => ({ type: 'input/text' as const, text: t });
const command = (s: AppState, t: string) => apply(s, key('command'), text(t), key('submit'));
const open = (query = '') => apply(command(connectedState(), `logs ${query}`), snapshot(query, records(1, 50)));
const ids = (s: AppState) => s.view.logs.lines.map((r) => r.id);

describe('logs view', () => {
  it('opens with :logs QUERY, follows the logs topic with its query, and closes with esc', () => {
    let s = command(connectedState(), 'logs level:error');
    expect(topView(s)).toBe('logs');
    expect(wantedTopics(s)).toContainEqual({ topic: 'logs', query: 'level:error' });
    s = apply(s, key('back'));
    expect(topView(s)).toBe('fleet');
    expect(wantedTopics(s)).not.toContainEqual(expect.objectContaining({ topic: 'logs' }));
  });

  it('refuses a :logs query that does not parse, saying where', () => {
    const s = command(connectedState(), 'logs level:erro');
    expect(topView(s)).toBe('fleet');
    expect(s.message?.text).toBe('query error: at 6: expected a level (trace, debug, info, warn, error, fatal, unknown), not "erro"');
  });

  it('L opens the whole fleet, a cluster, or the selected workload’s pods', () => {
    expect(apply(connectedState(), key('logs')).view.logs.query).toBe('');
    const cluster = apply(connectedState(), key('drill'), { type: 'cluster/snapshot', name: 'prod-us-1', rev: 1, data: DETAIL });
    expect(apply(cluster, key('logs')).view.logs.query).toBe('cluster:prod-us-1');
    const workload = apply(cluster, key('nextSection'), key('logs'));
    const w = DETAIL.workloads[0]!;
    expect(workload.view.logs.query).toBe(`cluster:prod-us-1 ns:${w.namespace} pod:${w.name}-*`);
    expect(workload.stack).toEqual(['fleet', 'cluster', 'logs']);
  });

  it('merges lines by time across clusters, each id once, and follows the newest', () => {
    let s = open();
    expect(s.view.logs.follow).toBe(true);
    expect(s.view.logs.cursor).toBe(49);
    // Late and repeated lines: sorted in by time, a known id taken once.
    s = apply(s, liveLines('', [logRecord(52), logRecord(51), logRecord(50)]));
    expect(ids(s).slice(-3)).toEqual([logRecord(50), logRecord(51), logRecord(52)].map((r) => r.id));
    expect(s.view.logs.lines).toHaveLength(52);
    expect(s.view.logs.cursor).toBe(51);
  });

  it('pauses when scrolled up, counts new lines, and G follows again', () => {
    let s = apply(open(), key('up'), key('up'));
    expect(s.view.logs.follow).toBe(false);
    const selected = s.view.logs.selected;
    s = apply(s, liveLines('', records(51, 60)));
    expect(s.view.logs.newLines).toBe(10);
    expect(s.view.logs.selected).toBe(selected);
    expect(s.view.logs.cursor).toBe(47);
    s = apply(s, key('bottom'));
    expect(s.view.logs).toMatchObject({ follow: true, newLines: 0, cursor: 59 });
  });

  it('ignores frames of another query and counts what the daemon dropped', () => {
    let s = open('level:error');
    s = apply(s, liveLines('', records(60, 61)), { type: 'logs/dropped', query: 'level:error', count: 7 });
    expect(s.view.logs.lines).toHaveLength(50);
    expect(s.view.logs.dropped).toBe(7);
  });

  it('jumps between matches of the query words with n and N', () => {
    let s = open('timeout');
    expect(s.view.logs.cursor).toBe(49);
    s = apply(s, key('prevMatch'));
    expect(s.view.logs.lines[s.view.logs.cursor]?.message).toBe('line 40 timeout talking to ledger');
    s = apply(s, key('prevMatch'), key('nextMatch'), key('nextMatch'));
    expect(s.view.logs.lines[s.view.logs.cursor]?.message).toBe('line 50 timeout talking to ledger');
    s = apply(s, key('nextMatch'));
    expect(s.message?.text).toBe('no more matches below');
    expect(apply(open(), key('nextMatch')).message?.text).toContain('no words to jump between');
  });

  it('refines the query with /, keeps the input open on a parse error, and esc keeps the old query', () => {
    let s = apply(open('level:error'), key('filter'));
    expect(s.input).toEqual({ mode: 'filter', text: 'level:error' });
    s = apply(s, key('erase'), key('erase'));
    expect(s.view.logs.draft?.error?.position).toBe(6);
    s = apply(s, key('submit'));
    expect(keyContext(s)).toBe('filter');
    expect(s.message?.text).toContain('query error: at 6');
    expect(s.view.logs.query).toBe('level:error');
    s = apply(s, key('cancel'));
    expect(s.view.logs).toMatchObject({ query: 'level:error', draft: null });
    expect(s.view.logs.lines).toHaveLength(50);
    s = apply(s, key('filter'), text(' timeout'), key('submit'));
    expect(s.input).toBeNull();
    expect(s.view.logs).toMatchObject({ query: 'level:error timeout', loaded: false, lines: [] });
    expect(wantedTopics(s)).toContainEqual({ topic: 'logs', query: 'level:error timeout' });
  });

  it('opens a line’s context with enter, asks logs.context for it, and esc goes back to the logs as left', () => {
    let s = apply(open(), key('up'), key('context'));
    expect(topView(s)).toBe('logContext');
    const hit = logRecord(49);
    const call = s.calls.find((c) => c.method === 'logs.context');
    expect(call?.params).toMatchObject({ id: hit.id });
    s = apply(s, { type: 'call/done', call: { method: 'logs.context', label: 'logs.context', view: call!.view!, ref: call!.ref! }, outcome: { ok: true, result: { hit, before: records(45, 48), after: [logRecord(50)] } } });
    expect(s.view.logContext.data?.hit.id).toBe(hit.id);
    expect(s.view.logContext.cursor).toBe(4);
    s = apply(s, key('back'));
    expect(topView(s)).toBe('logs');
    expect(s.view.logs).toMatchObject({ cursor: 48, follow: false });
  });

  it('marks the context lines the query matches, and n/N jump between them with the lines around kept', () => {
    let s = apply(command(connectedState(), 'logs timeout'), snapshot('timeout', [logRecord(40), logRecord(50)]), key('context'));
    const call = s.calls.find((c) => c.method === 'logs.context');
    expect(call?.params).toMatchObject({ id: logRecord(50).id });
    s = apply(s, { type: 'call/done', call: { method: 'logs.context', label: 'logs.context', view: call!.view!, ref: call!.ref! }, outcome: { ok: true, result: { hit: logRecord(50), before: records(38, 49), after: records(51, 62) } } });
    expect(s.view.logContext.cursor).toBe(12);
    s = apply(s, key('nextMatch'));
    expect(s.view.logContext.cursor).toBe(22); // line 60, the next with "timeout"
    s = apply(s, key('nextMatch'));
    expect(s.view.logContext.cursor).toBe(22);
    expect(s.message?.text).toBe('no more matches below in this context');
    s = apply(s, key('prevMatch'), key('prevMatch'));
    expect(s.view.logContext.cursor).toBe(2); // line 40
  });

  it('holds at most LOG_BUFFER_LINES, evicting the oldest, and keeps the cursor on its line', () => {
    let s = apply(command(connectedState(), 'logs'), snapshot('', records(1, LOG_BUFFER_LINES)), key('up'));
    const selected = s.view.logs.selected;
    s = apply(s, liveLines('', records(LOG_BUFFER_LINES + 1, LOG_BUFFER_LINES + 100)));
    expect(s.view.logs.lines).toHaveLength(LOG_BUFFER_LINES);
    expect(s.view.logs.lines[0]?.id).toBe(logRecord(101).id);
    expect(s.view.logs.selected).toBe(selected);
  });

  it('asks for the histogram, then again every few seconds, and counts live lines into it', () => {
    let s = open();
    const first = s.calls.filter((c) => c.method === 'logs.histogram');
    expect(first).toHaveLength(1);
    const fromMs = NOW - 3_600_000;
    s = apply(s, { type: 'call/done', call: { method: 'logs.histogram', label: '', view: 'logs', ref: first[0]!.ref! }, outcome: { ok: true, result: { fromMs, toMs: NOW, bucketMs: 60_000, buckets: Array.from({ length: 60 }, () => ({})), total: 0 } } });
    expect(s.view.logs.histogram.data?.total).toBe(0);
    s = apply(s, liveLines('', [logRecord(70)]));
    expect(s.view.logs.histogram.data?.total).toBe(1);
    expect(s.view.logs.histogram.data?.buckets[1]).toEqual({ error: 1 });
    s = apply(s, { type: 'tick', now: NOW + HISTOGRAM_REFRESH_MS - 1 });
    expect(s.calls.filter((c) => c.method === 'logs.histogram')).toHaveLength(1);
    s = apply(s, { type: 'tick', now: NOW + HISTOGRAM_REFRESH_MS });
    expect(s.calls.filter((c) => c.method === 'logs.histogram')).toHaveLength(2);
  });

  it('fetches older lines when the top of the buffer is on screen and puts them in front', () => {
    let s = apply(command(connectedState(), 'logs timeout'), snapshot('timeout', records(100, 105)));
    const call = s.calls.find((c) => c.method === 'logs.search');
    expect(call?.params).toEqual({ query: olderQuery(parseQuery('timeout'), logRecord(100)), limit: 200 });
    expect(call?.params.query).toMatch(/^timeout until:/);
    s = apply(s, { type: 'call/done', call: { method: 'logs.search', label: '', view: 'logs', ref: call!.ref! }, outcome: { ok: true, result: { items: records(90, 100).reverse() } } });
    expect(ids(s)[0]).toBe(logRecord(90).id);
    expect(s.view.logs.lines).toHaveLength(16);
    expect(s.view.logs.older.done).toBe(true);
  });
});
