// The metrics view as drawn at 80×24 and 160×48: the title with the range and step, the charts that
// fit (six at 80×24, all at 160×48) with their y labels and values, the time axis, the cursor's
// column, time and values, the overlay's legend in colour and without it, each chart style, and what
// it shows before its data and after a failure.
import type { ReactElement } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChartSetting } from '../../../../../tui/render/chart-mode.js';
import type { AppState } from '../../../../../tui/state/app.js';
import { CHARTS } from '../../../../../tui/state/metrics.js';
import { App } from '../../../../../tui/views/App.js';
import { ChartContext } from '../../../../../tui/views/metrics/chart-context.js';
import { makeTheme, ThemeContext } from '../../../../../tui/views/theme.js';
import { apply, connectedState, expectFits, key, NOW, renderAt, track, unmountAll } from '../../helpers.js';
import { answerRangeCalls, metricsRange, metricsState } from '../../metrics-helpers.js';

afterEach(unmountAll);

function show(state: AppState, opts: { color?: boolean; charts?: ChartSetting } = {}): string {
  const tree: ReactElement = (
    <ThemeContext.Provider value={makeTheme(opts.color ?? false)}>
      <ChartContext.Provider value={opts.charts ?? { mode: 'braille', forced: false }}>
        <App state={state} />
      </ChartContext.Provider>
    </ThemeContext.Provider>
  );
  return track(renderAt(tree, state.viewport.columns, state.viewport.rows)).lastFrame();
}

const lines = (frame: string) => frame.split('\n');
const BRAILLE = /[\u2801-\u28ff]/;
const left = (n: number) => Array.from({ length: n }, () => key('cursorLeft'));

describe.each([
  [80, 24, 6],
  [160, 48, 12],
] as const)('metrics view at %i×%i', (columns, rows, charts) => {
  it('shows the title, the charts that fit with their latest values and y labels, and the time axis', () => {
    const frame = show(metricsState(columns, rows));
    expectFits(frame, columns, rows);
    expect(frame).toMatch(/^Metrics prod-eu-1 {2}\[1h\] 6h 24h 7d {2}step 15s \(raw\) · latest$/m);
    for (const def of CHARTS.slice(0, charts)) expect(frame, def.title).toMatch(new RegExp(`(^| {2})${def.title.replace(/[()]/g, '\\$&')} {2}\\S`, 'm'));
    for (const def of CHARTS.slice(charts)) expect(frame, def.title).not.toContain(def.title);
    // the newest step of the fixture: CPU at 25%, 40 pods running, 12 error lines a minute, 4 restarts
    expect(frame).toMatch(/^CPU used {2}25% +memory used {2}50%/m);
    expect(frame).toMatch(/pods running {2}40\b/);
    expect(frame).toMatch(/error lines {2}12\/min/);
    expect(frame).toMatch(/restarts {2}4\b/);
    expect(frame).toMatch(/^ 100%┤/m);
    expect(frame).toMatch(/^ {3}0%┤/m);
    expect(frame).toMatch(/(^| ) {3}50┤/m);
    expect(frame).toMatch(BRAILLE);
    expect(frame).toMatch(/^ {5}└─+( +└─+)*$/m);
    expect(frame).toMatch(/^ {5}11:00 +11:30 +12:00( +11:00 +11:30 +12:00)*$/m);
    expect(frame).toMatch(/esc back {2}h\/left cursor earlier {2}l\/right cursor later/);
  });

  it("draws the cursor's column and axis mark, and reads each chart's values and the time there", () => {
    const frame = show(apply(metricsState(columns, rows), ...left(2)));
    expectFits(frame, columns, rows);
    expect(frame).toMatch(/· cursor \d\d:\d\d:\d\d UTC$/m);
    expect(frame).toMatch(/┴/);
    expect(frame).toMatch(/^ {5}│ +│/m);
  });
});

describe('metrics view', () => {
  it('reads the cursor column at 80 columns: the mean of its points and its middle time', () => {
    const frame = show(apply(metricsState(), ...left(2)));
    // column 31 of 33 over the hour holds steps 226..232: CPU 38%..41%, pods 46..49 and 40..42
    expect(frame).toMatch(/^Metrics prod-eu-1 {2}\[1h\] 6h 24h 7d {2}step 15s \(raw\) · cursor 11:57:16 UTC$/m);
    expect(frame).toMatch(/^CPU used {2}40% +memory used {2}50%/m);
    expect(frame).toMatch(/^ {5}└─{31}┴─ +└─{31}┴─$/m);
    const cpu = lines(frame).find((l) => l.startsWith(' 100%┤'))!;
    expect(cpu[5 + 1 + 31]).toBe('│');
  });

  it('shows a gap as a gap', () => {
    const frame = show(metricsState());
    // pods pending has no points for steps 100..119: its line breaks there
    const pending = lines(frame).find((l) => / {3}2┤/.test(l.slice(41)))!.slice(41);
    expect(pending).toMatch(/^ {4}2┤⠉+ +⠈?⠉+$/);
  });

  it('overlays clusters in colour with a legend, and in ASCII glyphs without colour', () => {
    const s = answerRangeCalls(apply(connectedState(), key('command'), { type: 'input/text', text: 'metrics prod-eu-1 dev-1' }, key('submit')));
    const plain = show(s);
    expectFits(plain, 80, 24);
    expect(plain).toMatch(/^Metrics \* prod-eu-1 \+ dev-1 {2}\[1h\]/m);
    expect(plain).toMatch(/^CPU used {2}\*25% {2}\+25%/m);
    expect(plain).not.toMatch(BRAILLE);
    expect(plain).not.toContain('\x1b[');
    const coloured = show(s, { color: true });
    expect(coloured).toMatch(BRAILLE);
    expect(coloured).toMatch(/^Metrics ■ prod-eu-1 ■ dev-1 {2}\[1h\]/m);
    expect(coloured).toMatch(/^CPU used {2}25% {2}25%/m);
    // a style chosen with FLOTILLA_CHARTS stays, colour or not
    expect(show(s, { charts: { mode: 'braille', forced: true } })).toMatch(BRAILLE);
  });

  it('draws in blocks and in ASCII when asked to', () => {
    const block = show(metricsState(), { charts: { mode: 'block', forced: true } });
    expectFits(block, 80, 24);
    expect(block).toMatch(/[▁▂▃▄▅▆▇█]/);
    expect(block).not.toMatch(BRAILLE);
    const ascii = show(apply(metricsState(), ...left(1)), { charts: { mode: 'ascii', forced: false } });
    expectFits(ascii, 80, 24);
    expect(ascii).toMatch(/^ 100%\+/m);
    expect(ascii).toMatch(/^ {5}\+-+\^ +\+-+\^$/m);
    expect(ascii).toMatch(/\*/);
    expect(ascii).not.toMatch(/[\u2500-\u28ff]/);
  });

  it('shows the other ranges with their own step and axis times', () => {
    const frame = show(answerRangeCalls(apply(metricsState(), key('range7d'))));
    expect(frame).toMatch(/^Metrics prod-eu-1 {2}1h 6h 24h \[7d\] {2}step 42m \(10m\) · latest$/m);
    expect(frame).toMatch(/^ {5}05-25 +05-29 +06-01/m);
  });

  it('says it is loading before the answer, why a call failed, and when a range holds no points', () => {
    const waiting = apply(connectedState(), key('command'), { type: 'input/text', text: 'metrics prod-eu-1' }, key('submit'));
    expect(show(waiting)).toMatch(/^Metrics prod-eu-1 {2}\[1h\] 6h 24h 7d$/m);
    expect(show(waiting)).toContain('  prod-eu-1: loading the last 1h…');
    const c = waiting.calls[0]!;
    const failed = apply(waiting, { type: 'call/sent', key: c.key }, { type: 'call/done', call: { method: c.method, label: c.label, key: c.key, view: c.view, ref: c.ref }, outcome: { ok: false, error: { code: 'not_found', message: 'no cluster named "prod-eu-1"', next: 'List clusters with `flotilla cluster list`.' } } });
    expect(show(failed)).toMatch(/^ {2}prod-eu-1: no cluster named "prod-eu-1" — List clusters with/m);
    expect(failed.message?.text).toBe('metrics of prod-eu-1 (1h): no cluster named "prod-eu-1" — List clusters with `flotilla cluster list`.');
    const r = metricsRange('prod-eu-1');
    const empty = apply(waiting, { type: 'call/sent', key: c.key }, { type: 'call/done', call: { method: c.method, label: c.label, key: c.key, view: c.view, ref: c.ref }, outcome: { ok: true, result: { ...r, series: r.series.map((x) => ({ ...x, points: x.points.map(([t]) => [t, null, null]) })) } } });
    const frame = show(empty);
    expect(frame).toContain('no points in this range');
    expect(frame).toMatch(/^CPU used {2}– +memory used {2}–/m);
  });

  it('keeps the charts under the banner when the link drops, one line shorter', () => {
    const s = apply(metricsState(), { type: 'conn/lost', at: NOW + 1000, attempt: 2, error: 'gone', retryInMs: 500 }, { type: 'tick', now: NOW + 5000 });
    const frame = show(s);
    expectFits(frame, 80, 24);
    expect(frame).toMatch(/^CPU used {2}25%/m);
    expect(frame).toMatch(/^ {5}11:00 +11:30 +12:00/m);
  });
});
