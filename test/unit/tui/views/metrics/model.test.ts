// The metrics view's slice driven through the shell: what opens it and on which clusters, the
// metrics.range call per cluster on open and on each change of range (stale answers ignored, failures
// retried and said once, other ranges refreshed), the live topic and its points only for the last
// hour, the cursor moving and clamping, and L opening the logs at the cursor's time.
import { describe, expect, it } from 'vitest';
import { parseQuery } from '../../../../../core/query/parse.js';
import { keyContext, topView, wantedTopics, type Action, type AppState } from '../../../../../tui/state/app.js';
import { CHART_SERIES, columnSpan } from '../../../../../tui/state/metrics.js';
import { visibleRows } from '../../../../../tui/views/fleet/model.js';
import { metricsLayout, metricsNote, metricsWindow, REFRESH_MS, RETRY_MS } from '../../../../../tui/views/metrics/model.js';
import { apply, connectedState, DETAIL, key, NOW } from '../../helpers.js';
import { answerRangeCalls, livePoint, metricsRange, metricsState, pointsFrame, rangeCalls, snapshotFrame } from '../../metrics-helpers.js';

const text = (t: string) => ({ type: 'input/text' as const, text: t });
const command = (s: AppState, t: string) => apply(s, key('command'), text(t), key('submit'));
const tick = (now: number): Action => ({ type: 'tick', now });
const sendAll = (s: AppState) => apply(s, ...s.calls.map((c): Action => ({ type: 'call/sent', key: c.key })));
const fail = (s: AppState, message = 'daemon restarting'): AppState => {
  const calls = s.calls.filter((c) => c.method === 'metrics.range');
  return apply(
    s,
    ...calls.flatMap((c): Action[] => [
      { type: 'call/sent', key: c.key },
      { type: 'call/done', call: { method: c.method, label: c.label, key: c.key, view: c.view, ref: c.ref }, outcome: { ok: false, error: { code: 'retry', message, next: 'try later' } } },
    ]),
  );
};
/** The fleet table's rows in the order shown (worst health first). */
const names = (s: AppState) => visibleRows(s.fleet, s.view.fleet).map((r) => r.name);
const heldEnd = (s: AppState, i = 0) => s.view.metrics.data[i]?.held?.end;

describe('opening the metrics view', () => {
  it('opens with :metrics CLUSTER, asks for its last hour, follows its live topic and closes with esc', () => {
    let s = command(connectedState(), 'metrics prod-eu-1');
    expect(topView(s)).toBe('metrics');
    expect(keyContext(s)).toBe('metrics');
    expect(s.view.metrics.clusters).toEqual(['prod-eu-1']);
    expect(s.calls.filter((c) => c.method === 'metrics.range').map((c) => c.params)).toEqual([{ cluster: 'prod-eu-1', series: [...CHART_SERIES], since: '1h' }]);
    expect(wantedTopics(s)).toEqual(['metrics:prod-eu-1']);
    s = apply(s, key('back'));
    expect(topView(s)).toBe('fleet');
    expect(wantedTopics(s)).toEqual([]);
    expect(s.view.metrics).toMatchObject({ clusters: [], data: [], range: '1h', cursor: null });
  });

  it('opens on the selected cluster with M from the fleet and on the cluster with M from its view', () => {
    const fleet = connectedState();
    const selected = fleet.view.fleet.selected;
    expect(apply(fleet, key('metrics')).view.metrics.clusters).toEqual([selected]);
    const second = names(fleet)[1]!;
    const cluster = apply(fleet, key('down'), key('drill'), { type: 'cluster/snapshot', name: second, rev: 1, data: DETAIL });
    expect(cluster.view.cluster.name).toBe(second);
    const opened = apply(cluster, key('metrics'));
    expect(opened.stack).toEqual(['fleet', 'cluster', 'metrics']);
    expect(opened.view.metrics.clusters).toEqual([second]);
    expect(apply(opened, key('back')).stack).toEqual(['fleet', 'cluster']);
    expect(command(fleet, 'metrics').view.metrics.clusters).toEqual([selected]);
  });

  it('overlays the clusters marked in the fleet, in the order marked, one call each', () => {
    let s = apply(connectedState(), key('down'), key('down'), key('mark'), key('up'), key('mark'), key('down'), key('down'), key('down'));
    const [, b, c] = names(s);
    expect(s.view.fleet.marked).toEqual([c, b]);
    // the row under the cursor is not overlaid unless it is marked
    expect(s.view.fleet.selected).not.toBe(b);
    s = apply(s, key('metrics'));
    expect(s.view.metrics.clusters).toEqual([c, b]);
    expect(rangeCalls(s).map((x) => x.cluster)).toEqual([c, b]);
    expect(wantedTopics(s)).toEqual([`metrics:${c}`, `metrics:${b}`]);
    expect(command(connectedState(), 'metrics dev-1,dev-2 dev-1').view.metrics.clusters).toEqual(['dev-1', 'dev-2']);
  });

  it('refuses an unknown cluster, too many to overlay, or nothing to chart', () => {
    const s = command(connectedState(), 'metrics nope');
    expect(topView(s)).toBe('fleet');
    expect(s.message).toEqual({ text: 'no cluster named "nope"', level: 'error' });
    const seven = command(connectedState(), 'metrics prod-eu-1 prod-eu-2 prod-us-1 prod-us-2 dev-1 dev-2 staging-eu-1');
    expect(seven.message?.text).toBe('at most 6 clusters can be overlaid, not 7');
    const empty = apply(connectedState([]), key('metrics'));
    expect(topView(empty)).toBe('fleet');
    expect(empty.message?.text).toMatch(/^no cluster to chart — usage: :metrics CLUSTER/);
  });
});

describe('ranges and calls', () => {
  it('holds the answer, asks nothing more for the live hour, and keeps a call from being sent twice', () => {
    let s = command(connectedState(), 'metrics prod-eu-1');
    const [first] = rangeCalls(s);
    s = sendAll(s);
    s = apply(s, tick(NOW + 1000));
    expect(s.calls).toEqual([]);
    s = answerRangeCalls(command(connectedState(), 'metrics prod-eu-1'));
    expect(first?.ref).toMatch(/^range:\d+$/);
    expect(s.view.metrics.data[0]).toMatchObject({ cluster: 'prod-eu-1', pending: null, error: null, fetchedAt: NOW });
    expect(metricsWindow(s.view.metrics)).toEqual({ start: NOW - 3_600_000, end: NOW, stepMs: 15_000, resolution: 'raw' });
    s = apply(s, tick(NOW + 10 * REFRESH_MS));
    expect(rangeCalls(s)).toEqual([]);
  });

  it('switches range with ] and [ and with 1 6 2 7: the held data goes, one call for the new range, the live topic only for 1h', () => {
    let s = metricsState();
    s = apply(s, key('cursorLeft'), key('longerRange'));
    expect(s.view.metrics).toMatchObject({ range: '6h', cursor: null });
    expect(s.view.metrics.data[0]?.held).toBeNull();
    expect(rangeCalls(s).map((c) => c.since)).toEqual(['6h']);
    expect(wantedTopics(s)).toEqual([]);
    s = answerRangeCalls(s);
    expect(s.view.metrics.data[0]?.held?.stepMs).toBe(90_000);
    s = apply(s, key('range7d'));
    expect(rangeCalls(s).map((c) => c.since)).toEqual(['7d']);
    s = answerRangeCalls(apply(s, key('longerRange')));
    expect(s.message).toEqual({ text: '7d is the longest range', level: 'info' });
    s = apply(s, key('range24h'));
    expect(rangeCalls(s).map((c) => c.since)).toEqual(['24h']);
    s = apply(answerRangeCalls(s), key('shorterRange'));
    expect(s.view.metrics.range).toBe('6h');
    s = apply(answerRangeCalls(s), key('range1h'));
    expect(rangeCalls(s).map((c) => c.since)).toEqual(['1h']);
    expect(wantedTopics(s)).toEqual(['metrics:prod-eu-1']);
    s = apply(answerRangeCalls(s), key('shorterRange'));
    expect(s.message).toEqual({ text: '1h is the shortest range', level: 'info' });
    // the same range again changes nothing and asks nothing
    expect(apply(s, key('range1h')).view.metrics).toBe(s.view.metrics);
  });

  it('ignores an answer for the range it left', () => {
    let s = command(connectedState(), 'metrics prod-eu-1');
    const old = s.calls.find((c) => c.method === 'metrics.range')!;
    s = sendAll(apply(sendAll(s), key('longerRange')));
    s = apply(s, { type: 'call/done', call: { method: old.method, label: old.label, key: old.key, view: old.view, ref: old.ref }, outcome: { ok: true, result: metricsRange('prod-eu-1') } });
    expect(s.view.metrics.range).toBe('6h');
    expect(s.view.metrics.data[0]).toMatchObject({ held: null, pending: expect.stringMatching(/^range:/) });
  });

  it('asks a range other than the live hour again every minute', () => {
    let s = answerRangeCalls(apply(metricsState(), key('range24h')));
    expect(rangeCalls(s)).toEqual([]);
    s = apply(s, tick(NOW + REFRESH_MS - 1));
    expect(rangeCalls(s)).toEqual([]);
    s = apply(s, tick(NOW + REFRESH_MS));
    expect(rangeCalls(s).map((c) => c.since)).toEqual(['24h']);
    // the refresh keeps the charts until its answer comes
    expect(s.view.metrics.data[0]?.held).not.toBeNull();
  });

  it("asks the live hour again every minute when Prometheus answered it, and says what it said of the edge, naming the cluster when several are shown", () => {
    let s = command(connectedState(), 'metrics prod-eu-1');
    const [call] = s.calls.filter((c) => c.method === 'metrics.range');
    const edge = { down: ['flotilla-federate'], newestSample: new Date(NOW).toISOString(), stale: false, newestData: new Date(NOW - 60_000).toISOString() };
    s = apply(s, { type: 'call/sent', key: call!.key }, { type: 'call/done', call: { method: call!.method, label: call!.label, key: call!.key, view: call!.view, ref: call!.ref }, outcome: { ok: true, result: { ...metricsRange('prod-eu-1'), source: 'prometheus', edge } } });
    expect(metricsNote(s.view.metrics, NOW)).toBe('! edge Prometheus down (up == 0) · data 1m old');
    expect(metricsNote({ ...s.view.metrics, data: [...s.view.metrics.data, { ...s.view.metrics.data[0]!, cluster: 'prod-us-2', held: null }] }, NOW)).toBe('! edge Prometheus down (up == 0) · data 1m old (prod-eu-1)');
    // the live topic's snapshot is the daemon's own series: what Prometheus said stays
    s = apply(s, snapshotFrame('prod-eu-1', metricsRange('prod-eu-1', { end: NOW + 5000 })));
    expect(metricsNote(s.view.metrics, NOW + 5000)).toBe('! edge Prometheus down (up == 0) · data 1m old');
    s = apply(s, tick(NOW + REFRESH_MS - 1));
    expect(rangeCalls(s)).toEqual([]);
    s = apply(s, tick(NOW + REFRESH_MS));
    expect(rangeCalls(s).map((c) => c.since)).toEqual(['1h']);
  });

  it('says a failure once, shows it, and asks again after a while', () => {
    let s = fail(command(connectedState(), 'metrics prod-eu-1'));
    expect(s.message).toEqual({ text: 'metrics of prod-eu-1 (1h): daemon restarting — try later', level: 'error' });
    expect(s.view.metrics.data[0]).toMatchObject({ held: null, pending: null, error: 'daemon restarting — try later', failedAt: NOW });
    s = apply(s, tick(NOW + RETRY_MS - 1));
    expect(rangeCalls(s)).toEqual([]);
    s = apply(s, { type: 'message', text: 'other', level: 'info' }, tick(NOW + RETRY_MS));
    expect(rangeCalls(s)).toHaveLength(1);
    s = fail(s);
    expect(s.message?.text).toBe('other');
    s = answerRangeCalls(apply(s, tick(NOW + 2 * RETRY_MS)));
    expect(s.view.metrics.data[0]).toMatchObject({ error: null, failedAt: null });
  });

  it('leaves a lost link to the banner: no message, only the reason, asked again later', () => {
    let s = command(connectedState(), 'metrics prod-eu-1');
    const c = s.calls.find((x) => x.method === 'metrics.range')!;
    s = apply(sendAll(s), {
      type: 'call/done',
      call: { method: c.method, label: c.label, key: c.key, view: c.view, ref: c.ref },
      outcome: { ok: false, error: { code: 'unavailable', message: 'connection lost before the daemon answered', next: 'check the jobs view (J) before submitting again' } },
    });
    expect(s.message).toBeNull();
    expect(s.view.metrics.data[0]?.error).toBe('connection lost before the daemon answered');
    expect(rangeCalls(apply(s, tick(NOW + RETRY_MS)))).toHaveLength(1);
  });

  it("refuses an answer it does not understand or for another cluster, as a failure", () => {
    let s = command(connectedState(), 'metrics prod-eu-1');
    const c = s.calls.find((x) => x.method === 'metrics.range')!;
    const done = (result: unknown): Action => ({ type: 'call/done', call: { method: c.method, label: c.label, key: c.key, view: c.view, ref: c.ref }, outcome: { ok: true, result } });
    s = apply(sendAll(s), done({ cluster: 'prod-eu-1', series: 'nope' }));
    expect(s.view.metrics.data[0]?.error).toMatch(/^the daemon's answer was not understood \(/);
    s = command(connectedState(), 'metrics prod-eu-1');
    s = apply(sendAll(s), done(metricsRange('dev-1')));
    expect(s.view.metrics.data[0]?.error).toBe('the answer is for "dev-1"');
  });

  it('waits for the link before asking, and asks once it is up', () => {
    let s = apply(connectedState(), { type: 'conn/lost', at: NOW, attempt: 2, error: 'gone', retryInMs: 500 });
    s = command(s, 'metrics prod-eu-1');
    expect(rangeCalls(s)).toEqual([]);
    s = apply(s, { type: 'conn/open', at: NOW, identity: { name: 'alice', role: 'admin' } });
    expect(rangeCalls(s)).toHaveLength(1);
  });
});

describe('live points', () => {
  it('appends the live topic’s points to the last hour, and takes its snapshot in place of the answer', () => {
    let s = metricsState();
    s = apply(s, pointsFrame('prod-eu-1', [livePoint('prod-eu-1', NOW + 4000), livePoint('dev-1', NOW + 6000)]));
    expect(heldEnd(s)).toBe(NOW + 4000);
    expect(s.view.metrics.data[0]?.held?.points.pods_running?.at(-1)).toEqual([NOW + 4000, 99, 99]);
    expect(apply(s, pointsFrame('dev-1', [livePoint('dev-1', NOW + 9000)]))).toBe(s);
    s = apply(s, snapshotFrame('prod-eu-1', metricsRange('prod-eu-1', { end: NOW + 2000, scale: 2 })));
    expect(heldEnd(s)).toBe(NOW + 4000);
    expect(s.view.metrics.data[0]?.held?.points.pods_running?.at(-2)?.[1]).toBe(80);
  });

  it('takes no live points or snapshot for another range, nor points before any data', () => {
    const six = answerRangeCalls(apply(metricsState(), key('longerRange')));
    expect(apply(six, pointsFrame('prod-eu-1', [livePoint('prod-eu-1', NOW + 4000)]))).toBe(six);
    expect(apply(six, snapshotFrame('prod-eu-1'))).toBe(six);
    const waiting = command(connectedState(), 'metrics prod-eu-1');
    expect(apply(waiting, pointsFrame('prod-eu-1', [livePoint('prod-eu-1', NOW + 4000)])).view.metrics).toBe(waiting.view.metrics);
    const filled = apply(waiting, snapshotFrame('prod-eu-1'));
    expect(heldEnd(filled)).toBe(NOW);
    expect(apply(filled, snapshotFrame('prod-eu-1', null)).view.metrics).toBe(filled.view.metrics);
  });
});

describe('the time cursor', () => {
  it('starts on the newest column with h or l, moves with h and l, and clamps at both ends', () => {
    let s = metricsState();
    const last = metricsLayout(s.viewport, s.conn).plotWidth - 1;
    expect(last).toBe(32);
    expect(s.view.metrics.cursor).toBeNull();
    expect(apply(s, key('cursorRight')).view.metrics.cursor).toBe(last);
    s = apply(s, key('cursorLeft'));
    expect(s.view.metrics.cursor).toBe(last);
    s = apply(s, key('cursorLeft'), key('cursorLeft'));
    expect(s.view.metrics.cursor).toBe(last - 2);
    s = apply(s, key('cursorRight'), key('cursorRight'), key('cursorRight'));
    expect(s.view.metrics.cursor).toBe(last);
    s = apply(s, ...Array.from({ length: 40 }, () => key('cursorLeft')));
    expect(s.view.metrics.cursor).toBe(0);
  });

  it('stays inside the plot when the terminal narrows', () => {
    let s = apply(metricsState(160, 40), key('cursorLeft'));
    expect(s.view.metrics.cursor).toBe(45);
    s = apply(s, { type: 'resize', columns: 80, rows: 24 });
    expect(s.view.metrics.cursor).toBe(32);
  });
});

describe('L: the logs at the cursor', () => {
  it("opens the cluster's logs around the cursor's column, over the charts, and esc comes back to them", () => {
    let s = apply(metricsState(), ...Array.from({ length: 11 }, () => key('cursorLeft')));
    const w = metricsWindow(s.view.metrics)!;
    const mid = columnSpan(w, 33, 22).mid;
    s = apply(s, key('logsAtCursor'));
    expect(s.stack).toEqual(['fleet', 'metrics', 'logs']);
    const q = s.view.logs.query!;
    expect(q).toMatch(/^cluster:prod-eu-1 since:\S+Z until:\S+Z$/);
    const parsed = parseQuery(q);
    expect(parsed.since).toEqual({ kind: 'absolute', ms: Math.floor((mid - 120_000) / 1000) * 1000 });
    expect(parsed.until).toEqual({ kind: 'absolute', ms: Math.ceil((mid + 120_000) / 1000) * 1000 });
    expect(s.message?.text).toMatch(/^logs of prod-eu-1 around \d\d:\d\d:\d\d UTC \(±2m\)$/);
    expect(wantedTopics(s)).toEqual(expect.arrayContaining(['metrics:prod-eu-1', { topic: 'logs', query: q }]));
    s = apply(s, key('back'));
    expect(topView(s)).toBe('metrics');
    expect(s.view.metrics.cursor).toBe(21 + 1);
  });

  it('covers the whole cursor column where it is wider than 2 minutes each way, as over a day', () => {
    let s = answerRangeCalls(apply(metricsState(), key('range24h')));
    s = apply(s, key('cursorLeft'), key('logsAtCursor'));
    const w = metricsWindow(s.view.metrics)!;
    const col = columnSpan(w, 33, 32);
    const parsed = parseQuery(s.view.logs.query!);
    const half = Math.ceil((col.to - col.from) / 2);
    expect(parsed.since).toEqual({ kind: 'absolute', ms: Math.floor((col.mid - half) / 1000) * 1000 });
    expect(parsed.until).toEqual({ kind: 'absolute', ms: Math.ceil((col.mid + half) / 1000) * 1000 });
    expect(s.message?.text).toMatch(/^logs of prod-eu-1 around \d\d-\d\d \d\d:\d\d UTC \(±21m 49s\)$/);
  });

  it('opens them live from just before the newest point without a cursor, for every cluster overlaid', () => {
    const s = apply(metricsState(80, 24, 'prod-eu-1 dev-1'), key('logsAtCursor'));
    expect(s.view.logs.query).toBe('cluster:prod-eu-1,dev-1 since:2025-06-01T11:58:00Z');
  });

  it('says there is nothing to place the logs by before any data', () => {
    const s = apply(command(connectedState(), 'metrics prod-eu-1'), key('logsAtCursor'));
    expect(topView(s)).toBe('metrics');
    expect(s.message).toEqual({ text: 'no metrics yet to place the logs in time', level: 'info' });
  });
});
