// The fleet view's panes through the console's reducer: which topics they follow at each width and
// only while the fleet is on top, the selection followed once it rests (on the console's clock ticks,
// so a run of the cursor down the table subscribes nothing in between), the logs pane's error lines,
// the metrics pane's range call, its live points and the Prometheus warning kept.
import { describe, expect, it } from 'vitest';
import { keyContext, wantedTopics, type AppState } from '../../../../tui/state/app.js';
import { ERROR_QUERY, PANE_FOLLOW_MS, PANE_LOG_LINES, PANE_PROMETHEUS_REFRESH_MS, paneLogsQuery } from '../../../../tui/state/fleet-panes.js';
import { apply, key, NOW } from '../helpers.js';
import { errorLines, panesState, paneSnapshot, tick } from '../fleet-panes-helpers.js';
import { liveLines } from '../logs-helpers.js';
import { livePoint, metricsRange, pointsFrame, rangeAnswer, snapshotFrame } from '../metrics-helpers.js';

const logsTopic = (s: AppState) => wantedTopics(s).find((t): t is { topic: string; query: string } => typeof t !== 'string' && t.topic === 'logs');
const metricsTopics = (s: AppState) => wantedTopics(s).filter((t): t is string => typeof t === 'string' && t.startsWith('metrics'));
const rangeCalls = (s: AppState) => s.calls.filter((c) => c.method === 'metrics.range' && c.ref?.startsWith('pane:'));

function answerPane(s: AppState, outcome: { ok: true; result: unknown } | { ok: false; error: { code: string; message: string; next?: string } }): AppState {
  const [call] = rangeCalls(s);
  if (!call) throw new Error('no pane call queued');
  return apply(s, { type: 'call/sent', key: call.key }, { type: 'call/done', call: { method: call.method, label: call.label, key: call.key, view: call.view, ref: call.ref }, outcome });
}

describe('the panes on screen and their topics', () => {
  it('follows nothing at 80×24 on the Fleet tab, as before the panes', () => {
    const s = panesState(80, 24);
    expect(keyContext(s)).toBe('fleet');
    expect(wantedTopics(s)).toEqual([]);
    expect(s.calls).toEqual([]);
  });

  it("follows the selected cluster's error lines on the Logs tab and its series on the Metrics tab, one at a time", () => {
    const s = panesState(80, 24);
    const name = s.view.fleet.selected!;
    const logs = apply(s, key('nextPane'));
    expect(wantedTopics(logs)).toEqual([{ topic: 'logs', query: `cluster:${name} ${ERROR_QUERY}` }]);
    expect(logs.calls).toEqual([]);
    const metrics = apply(logs, key('nextPane'));
    expect(wantedTopics(metrics)).toEqual([`metrics:${name}`]);
    expect(rangeCalls(metrics).map((c) => c.params)).toEqual([{ cluster: name, series: ['cpu_used_ratio', 'memory_used_ratio', 'pods_running', 'error_lines_per_minute'], since: '1h' }]);
    expect(wantedTopics(apply(metrics, key('nextPane')))).toEqual([]);
  });

  it('follows the pane beside the table at 130 (metrics first, tab for the logs) and both with the sparkline topic at 200', () => {
    const side = panesState(130, 40);
    const name = side.view.fleet.selected!;
    expect(wantedTopics(side)).toEqual([`metrics:${name}`]);
    expect(wantedTopics(apply(side, key('nextPane')))).toEqual([{ topic: 'logs', query: `cluster:${name} ${ERROR_QUERY}` }]);
    const wide = panesState(200, 50);
    expect(wantedTopics(wide)).toEqual([{ topic: 'logs', query: `cluster:${name} ${ERROR_QUERY}` }, `metrics:${name}`, 'metrics']);
  });

  it('follows nothing of its own while another view is on top, and again once back', () => {
    const wide = panesState(200, 50);
    const cluster = apply(wide, key('drill'));
    expect(keyContext(cluster)).toBe('cluster');
    expect(wantedTopics(cluster)).toEqual([`cluster:${wide.view.fleet.selected!}`]);
    expect(apply(cluster, key('back')).view.fleet.panes).toBe(cluster.view.fleet.panes);
    expect(wantedTopics(apply(cluster, key('back')))).toEqual(wantedTopics(wide));
  });

  it('shows the whole fleet with f, and the selected cluster again with f', () => {
    const s = apply(panesState(200, 50), key('logsScope'));
    expect(logsTopic(s)).toEqual({ topic: 'logs', query: ERROR_QUERY });
    expect(s.message).toEqual({ text: 'logs pane: error lines of the whole fleet', level: 'info' });
    const back = apply(s, key('logsScope'));
    expect(logsTopic(back)).toEqual({ topic: 'logs', query: `cluster:${s.view.fleet.selected!} ${ERROR_QUERY}` });
    expect(paneLogsQuery('cluster', null)).toBe(ERROR_QUERY);
  });
});

describe('following the selection', () => {
  it('takes a new selection once it has rested, so running the cursor down subscribes only where it stops', () => {
    let s = panesState(200, 50);
    const first = s.view.fleet.selected!;
    const queries = new Set<string>();
    const note = (x: AppState) => queries.add(logsTopic(x)?.query ?? '');
    note(s);
    for (let i = 0; i < 5; i++) {
      s = apply(s, key('down'));
      note(s);
    }
    const stopped = s.view.fleet.selected!;
    expect(stopped).not.toBe(first);
    expect(s.view.fleet.panes.shown).toBe(first);
    // the clock has not moved: still the first cluster's topics
    expect(metricsTopics(s)).toContain(`metrics:${first}`);
    s = apply(s, tick(PANE_FOLLOW_MS - 1));
    expect(s.view.fleet.panes.shown).toBe(first);
    s = apply(s, tick(PANE_FOLLOW_MS));
    note(s);
    expect(s.view.fleet.panes.shown).toBe(stopped);
    expect(metricsTopics(s)).toContain(`metrics:${stopped}`);
    expect([...queries]).toEqual([`cluster:${first} ${ERROR_QUERY}`, `cluster:${stopped} ${ERROR_QUERY}`]);
  });

  it('takes the selection at once while no pane is on screen', () => {
    let s = panesState(80, 24);
    s = apply(s, key('down'), key('down'));
    expect(s.view.fleet.panes.shown).toBe(s.view.fleet.selected);
  });

  it('drops what was held for the cluster it leaves', () => {
    let s = panesState(200, 50);
    s = apply(s, paneSnapshot(s, errorLines(s.view.fleet.selected!, 3)));
    s = answerPane(s, rangeAnswer(s.view.fleet.selected!));
    expect(s.view.fleet.panes.logs.lines).toHaveLength(3);
    expect(s.view.fleet.panes.metrics.held).not.toBeNull();
    s = apply(s, key('down'), tick(PANE_FOLLOW_MS));
    expect(s.view.fleet.panes.logs).toMatchObject({ query: `cluster:${s.view.fleet.selected!} ${ERROR_QUERY}`, lines: [], loaded: false });
    expect(s.view.fleet.panes.metrics).toMatchObject({ cluster: s.view.fleet.selected, held: null, answered: false });
    expect(rangeCalls(s).at(-1)?.params.cluster).toBe(s.view.fleet.selected);
  });
});

describe('the logs pane', () => {
  it('takes its snapshot and live lines, newest last, at most PANE_LOG_LINES, and ignores frames of another query', () => {
    let s = panesState(200, 50);
    const name = s.view.fleet.selected!;
    s = apply(s, paneSnapshot(s, errorLines(name, 150)));
    expect(s.view.fleet.panes.logs.loaded).toBe(true);
    const query = s.view.fleet.panes.logs.query;
    s = apply(s, liveLines(query, errorLines(name, 100, 150)));
    const lines = s.view.fleet.panes.logs.lines;
    expect(lines).toHaveLength(PANE_LOG_LINES);
    expect(lines.at(-1)?.message).toBe('error 249: timeout talking to ledger');
    expect(lines[0]?.message).toBe('error 50: timeout talking to ledger');
    const other = apply(s, liveLines('level:error', errorLines(name, 1, 900)));
    expect(other.view.fleet.panes).toBe(s.view.fleet.panes);
    expect(apply(s, { type: 'logs/dropped', query, count: 7 }).view.fleet.panes.logs.dropped).toBe(7);
  });

  it('starts again from a new subscription\'s snapshot and joins a resumed one', () => {
    let s = panesState(200, 50);
    const name = s.view.fleet.selected!;
    s = apply(s, paneSnapshot(s, errorLines(name, 5)));
    const fresh = apply(s, paneSnapshot(s, errorLines(name, 2, 10)));
    expect(fresh.view.fleet.panes.logs.lines.map((r) => r.message)).toEqual(['error 10: timeout talking to ledger', 'error 11: timeout talking to ledger']);
    const resumed = apply(s, { type: 'logs/snapshot', query: s.view.fleet.panes.logs.query, lines: errorLines(name, 2, 10), more: false, resumed: true, rejected: 0 });
    expect(resumed.view.fleet.panes.logs.lines).toHaveLength(7);
  });
});

describe('the metrics pane', () => {
  it('holds the range answer, then appends the live points of its cluster only', () => {
    let s = panesState(130, 40);
    const name = s.view.fleet.selected!;
    s = answerPane(s, rangeAnswer(name));
    const held = s.view.fleet.panes.metrics.held!;
    expect(Object.keys(held.points)).toEqual(['cpu_used_ratio', 'memory_used_ratio', 'pods_running', 'error_lines_per_minute']);
    expect(s.view.fleet.panes.metrics.answered).toBe(true);
    expect(rangeCalls(s)).toEqual([]);
    s = apply(s, pointsFrame(name, [livePoint(name, NOW + 10_000, { cpu_used_ratio: 0.9, restarts: 3 }), livePoint('elsewhere', NOW + 20_000)]));
    const after = s.view.fleet.panes.metrics.held!;
    expect(after.end).toBe(NOW + 10_000);
    expect(after.points.cpu_used_ratio?.at(-1)).toEqual([NOW + 10_000, 0.9, 0.9]);
    expect(after.points.restarts).toBeUndefined();
    expect(apply(s, pointsFrame('elsewhere', [livePoint('elsewhere', NOW + 30_000)])).view.fleet.panes).toBe(s.view.fleet.panes);
  });

  it("keeps the range answer's Prometheus warning when the topic's snapshot (always the daemon's own series) comes", () => {
    let s = panesState(130, 40);
    const name = s.view.fleet.selected!;
    s = answerPane(s, { ok: true, result: { ...metricsRange(name), source: 'embedded', warning: 'http://prom:9090 did not answer: timed out after 5000 ms; showing the daemon\'s own series' } });
    expect(s.view.fleet.panes.metrics.held?.warning).toMatch(/did not answer/);
    s = apply(s, snapshotFrame(name, metricsRange(name, { end: NOW + 60_000 })));
    expect(s.view.fleet.panes.metrics.held?.warning).toMatch(/did not answer/);
    expect(s.view.fleet.panes.metrics.held?.end).toBe(NOW + 60_000);
  });

  it("asks Prometheus's answer again every PANE_PROMETHEUS_REFRESH_MS, keeping what it said of the edge through the topic's snapshot; the daemon's own answer never", () => {
    let s = panesState(130, 40);
    const name = s.view.fleet.selected!;
    const edge = { down: ['flotilla-federate'], newestSample: new Date(NOW).toISOString(), stale: false, newestData: new Date(NOW - 120_000).toISOString() };
    s = answerPane(s, { ok: true, result: { ...metricsRange(name), source: 'prometheus', edge } });
    expect(s.view.fleet.panes.metrics.held).toMatchObject({ prometheus: true, edge });
    s = apply(s, snapshotFrame(name, metricsRange(name, { end: NOW + 5000 })));
    expect(s.view.fleet.panes.metrics.held).toMatchObject({ prometheus: true, edge, end: NOW + 5000 });
    expect(rangeCalls(apply(s, tick(PANE_PROMETHEUS_REFRESH_MS - 1000)))).toEqual([]);
    s = apply(s, tick(PANE_PROMETHEUS_REFRESH_MS));
    expect(rangeCalls(s)).toHaveLength(1);
    // The edge is back: the next answer says nothing of it.
    s = answerPane(s, { ok: true, result: { ...metricsRange(name, { end: NOW + PANE_PROMETHEUS_REFRESH_MS }), source: 'prometheus' } });
    expect(s.view.fleet.panes.metrics.held?.edge).toBeUndefined();

    let own = panesState(130, 40);
    own = answerPane(own, rangeAnswer(own.view.fleet.selected!));
    expect(own.view.fleet.panes.metrics.held?.prometheus).toBe(false);
    expect(rangeCalls(apply(own, tick(10 * PANE_PROMETHEUS_REFRESH_MS)))).toEqual([]);
  });

  it('asks the range again after a failure only once PANE_RETRY_MS has passed, and takes no answer for another cluster', () => {
    let s = panesState(130, 40);
    const name = s.view.fleet.selected!;
    s = answerPane(s, { ok: false, error: { code: 'internal', message: 'boom', next: 'retry' } });
    expect(s.view.fleet.panes.metrics).toMatchObject({ error: 'boom — retry', held: null });
    expect(rangeCalls(apply(s, tick(1000)))).toEqual([]);
    s = apply(s, tick(10_000));
    expect(rangeCalls(s)).toHaveLength(1);
    s = answerPane(s, rangeAnswer('someone-else'));
    expect(s.view.fleet.panes.metrics.error).toBe('the answer is for "someone-else"');
    expect(s.view.fleet.panes.metrics.cluster).toBe(name);
  });
});
