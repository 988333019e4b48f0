// The fleet view's panes as drawn: at 80×24 the Fleet tab is the table it always was under a tab bar,
// and tab shows the Logs and the Metrics tabs; at 130×40 the table with the metrics (or, after tab,
// the logs) framed beside it; at 200×50 the table, the logs and the metrics side by side, with the
// sparkline column in the table. Every frame fits its terminal.
import type { ReactElement } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import type { EdgeState } from '../../../../../core/metrics/api.js';
import type { AppState } from '../../../../../tui/state/app.js';
import { App } from '../../../../../tui/views/App.js';
import { ChartContext } from '../../../../../tui/views/metrics/chart-context.js';
import { makeTheme, ThemeContext } from '../../../../../tui/views/theme.js';
import { apply, expectFits, key, makeRow, NOW, renderAt, showApp, track, unmountAll } from '../../helpers.js';
import { PANE_FOLLOW_MS } from '../../../../../tui/state/fleet-panes.js';
import { answerAll, demoRows, errorLines, panesState, paneSnapshot, tick } from '../../fleet-panes-helpers.js';
import { metricsRange } from '../../metrics-helpers.js';

afterEach(unmountAll);

const lines = (frame: string) => frame.split('\n');
const TAB_BAR = /^\[Fleet\] {2}Logs {3}Metrics {3}tab: next$/m;

function shown(s: AppState): string {
  const frame = showApp(s);
  expectFits(frame, s.viewport.columns, s.viewport.rows);
  return frame;
}

/** The pane's call answered, its error lines in, every fill of the column answered. */
function loaded(s: AppState, warning?: string, edge?: EdgeState): AppState {
  let next = s;
  const pane = next.calls.find((c) => c.ref?.startsWith('pane:'));
  if (pane) {
    const result = { ...metricsRange(pane.params.cluster as string), ...(warning ? { warning } : {}), ...(edge ? { source: 'prometheus', edge } : {}) };
    next = apply(next, { type: 'call/sent', key: pane.key }, { type: 'call/done', call: { method: pane.method, label: pane.label, key: pane.key, view: pane.view, ref: pane.ref }, outcome: { ok: true, result } });
  }
  next = answerAll(next);
  return apply(next, paneSnapshot(next, errorLines(next.view.fleet.panes.shown ?? 'x', 150)));
}

describe('fleet view at 80×24', () => {
  it('shows the Fleet tab under a tab bar: the same columns as without panes, one row fewer', () => {
    const s = panesState(80, 24);
    const frame = shown(s);
    expect(lines(frame)[2]).toMatch(TAB_BAR);
    expect(lines(frame)[3]).toMatch(/^ {2}NAME {16}HEALTH +REASONS +PODS ERR\/m +AGE$/);
    expect(frame).not.toContain('CPU 1h');
    expect(lines(frame).filter((l) => /^(> | {2})(prod|staging|dev)-/.test(l))).toHaveLength(16);
  });

  it('shows the Logs tab with tab: the selected cluster\'s newest error lines, newest at the bottom, only as many as fit', () => {
    let s = apply(panesState(80, 24), key('nextPane'));
    const name = s.view.fleet.selected!;
    let frame = shown(s);
    expect(frame).toMatch(/^ Fleet {2}\[Logs\] {2}Metrics {3}tab: next$/m);
    expect(frame).toMatch(new RegExp(`^errors of ${name} {2}f: the fleet$`, 'm'));
    expect(frame).toContain('waiting for error lines…');
    s = apply(s, paneSnapshot(s, errorLines(name, 150)));
    frame = shown(s);
    const shownLines = lines(frame).filter((l) => /^\d\d:\d\d:\d\d /.test(l));
    expect(shownLines).toHaveLength(16);
    expect(shownLines.at(-1)).toMatch(/^\d\d:\d\d:\d\d api-7d9f8b6c5-01490 +error 149: timeout talking to ledger/);
    expect(frame).not.toContain('error 133:');
    expect(frame).not.toMatch(/^ {2}NAME/m);
  });

  it('shows the Metrics tab with tab again: the summary and the sparklines with one time axis', () => {
    let s = apply(panesState(80, 24), key('nextPane'), key('nextPane'));
    const name = s.view.fleet.selected!;
    expect(shown(s)).toContain(`loading the last hour of ${name}…`);
    s = loaded(s);
    const frame = shown(s);
    expect(frame).toMatch(/^ Fleet {3}Logs {2}\[Metrics\] {2}tab: next$/m);
    expect(frame).toMatch(new RegExp(`^${name} · last 1h$`, 'm'));
    expect(frame).toMatch(/^nodes 3\/3 ready · pods 140\/152 running · 0 restarts$/m);
    for (const t of ['CPU used  ', 'memory used  50%', 'pods running  ', 'error lines  12/min']) expect(frame).toContain(t);
    expect(frame).toMatch(/^ {5}\d\d:\d\d +\d\d:\d\d +\d\d:\d\d$/m);
    expect(frame).toMatch(/[\u2801-\u28ff]/);
    expect(apply(s, key('nextPane')).view.fleet.panes.tab).toBe('fleet');
  });
});

describe('fleet view at 130×40', () => {
  it('frames the metrics beside the table with both tabs in its title, and the logs after tab', () => {
    const s = loaded(panesState(130, 40));
    const name = s.view.fleet.selected!;
    let frame = shown(s);
    expect(frame).not.toMatch(TAB_BAR);
    expect(frame).toMatch(new RegExp(`^ {2}NAME .* AGE ┌─ {2}Logs {2}\\[Metrics\\] · ${name} · la… ┐$`, 'm'));
    expect(frame).toMatch(/│nodes 3\/3 ready · pods 140\/152 running · 0 res…│$/m);
    expect(frame).toMatch(/│CPU used {2}\d+%/m);
    expect(frame).toMatch(/└─+┘$/m);
    frame = shown(apply(s, key('nextPane')));
    expect(frame).toMatch(new RegExp(`^ {2}NAME .* AGE ┌─ \\[Logs\\] {2}Metrics {2}· errors of ${name.slice(0, 10)}`, 'm'));
    // a narrow pane gives the pod alone, cut, and as much of the message as fits
    expect(frame).toMatch(/│\d\d:\d\d:\d\d api-7d9f8b… error 149: timeout talkin…│$/m);
  });

  it("says Prometheus did not answer when the range came from the daemon's own series", () => {
    const frame = shown(loaded(panesState(130, 40), 'http://prom:9090 did not answer: timed out after 5000 ms'));
    expect(frame).toContain("│! Prometheus did not answer: the daemon's own …│");
  });

  it('says the edge is down, or silent, with the age of its data, when Prometheus answers without the cluster', () => {
    const at = (ms: number) => new Date(NOW - ms).toISOString();
    let frame = shown(loaded(panesState(130, 40), undefined, { down: ['flotilla-federate'], newestSample: at(0), stale: false, newestData: at(180_000) }));
    expect(frame).toContain('│! edge Prometheus down (up == 0) · data 3m old │');
    frame = shown(loaded(panesState(200, 50), undefined, { down: ['kubelet'], newestSample: at(0), stale: false, newestData: at(65_000) }));
    expect(frame).toMatch(/│! edge scrape failing: kubelet · data 1m old +│/);
    frame = shown(loaded(panesState(200, 50), undefined, { down: [], newestSample: at(240_000), stale: true, newestData: at(240_000) }));
    expect(frame).toMatch(/│! nothing from the edge for 4m · data 4m old +│/);
  });
});

describe('fleet view at 200×50', () => {
  it('shows the table with its sparkline column, the logs and the metrics side by side', () => {
    const s = loaded(panesState(200, 50));
    const name = s.view.fleet.selected!;
    const frame = shown(s);
    const header = lines(frame).find((l) => l.startsWith('  NAME'))!;
    expect(header).toMatch(new RegExp(`^ {2}NAME +HEALTH +REASONS +PODS RESTARTS ERR/m CPU 1h {8}AGE ┌─ Logs · errors of ${name} {2}f: th… ┐ ┌─ Metrics · ${name} · last 1h ─+┐$`));
    // every row on screen has its last hour in blocks, on the same twelve cells
    const rowLines = lines(frame).filter((l) => /^(> | {2})(prod|staging|dev)-/.test(l));
    expect(rowLines.length).toBe(24);
    for (const l of rowLines) expect(l).toMatch(/ [▁▂▃▄▅▆▇█]{12} +\d+s │/);
    expect(frame).toMatch(/│\d\d:\d\d:\d\d api-7d9f8b… error 149: timeout talkin…│/);
    expect(frame).toMatch(/│pods running {2}\d+ +│$/m);
  });

  it('titles the column with the series S picks', () => {
    const s = apply(loaded(panesState(200, 50)), key('sparkSeries'));
    const frame = shown(s);
    expect(frame).toMatch(/ ERR\/m MEM 1h {8}AGE /);
    expect(shown(apply(s, key('sparkSeries')))).toMatch(/ ERR\/m PODS 1h {7}AGE /);
  });

  it('draws the column in ASCII where the charts are', () => {
    const s = loaded(panesState(200, 50));
    const tree: ReactElement = (
      <ThemeContext.Provider value={makeTheme(false)}>
        <ChartContext.Provider value={{ mode: 'ascii', forced: true }}>
          <App state={s} />
        </ChartContext.Provider>
      </ThemeContext.Provider>
    );
    const frame = track(renderAt(tree, 200, 50)).lastFrame();
    const rowLines = lines(frame).filter((l) => /^(> | {2})(prod|staging|dev)-/.test(l));
    for (const l of rowLines) expect(l).toMatch(/ [_.\-~=+*#]{12} +\d+s │/);
    expect(frame).not.toMatch(/[\u2801-\u28ff]/);
  });

  it('draws the sparklines of the rows on screen only', () => {
    const many = Array.from({ length: 10_000 }, (_, i) => makeRow(`cluster-${String(i).padStart(5, '0')}`));
    // the panes follow the selection on the next tick
    const s = apply(loaded(panesState(200, 50, many)), key('bottom'), tick(PANE_FOLLOW_MS));
    const frame = shown(s);
    expect(frame).toContain('cluster-09999');
    expect(frame).not.toContain('cluster-00000');
    expect(s.view.fleet.spark.fills.size).toBeLessThanOrEqual(2 * 46);
    expect(s.calls.filter((c) => c.ref?.startsWith('spark:')).every((c) => /^cluster-09[89]\d\d$/.test(c.params.cluster as string))).toBe(true);
  });

  it('fits and keeps the pane borders on every row with colour on', () => {
    const s = loaded(panesState(200, 50, demoRows(60)));
    const frame = track(renderAt(<ThemeContext.Provider value={makeTheme(true)}><App state={s} /></ThemeContext.Provider>, 200, 50)).lastFrame();
    // eslint-disable-next-line no-control-regex
    const plain = frame.replace(/\x1b\[[0-9;]*m/g, '');
    expectFits(plain, 200, 50);
    expect(plain.split('\n').filter((l) => l.includes('┌─ Logs'))).toHaveLength(1);
    expect(NOW).toBeGreaterThan(0);
  });
});
