// The logs view as drawn: at 80×24 and wide, with and without colour, wrapped, with the paused
// marker, the dropped notice, the inline query error and the context view.
import { afterEach, describe, expect, it } from 'vitest';
import type { AppState } from '../../../../../tui/state/app.js';
import { apply, connectedState, expectFits, key, showApp, unmountAll, VIEW_SIZES } from '../../helpers.js';
import { liveLines, logRecord, records, snapshot } from '../../logs-helpers.js';

afterEach(unmountAll);
const text = (t: string) => ({ type: 'input/text' as const, text: t });
const opened = (columns: number, rows: number, query = 'timeout'): AppState =>
  apply(connectedState(undefined, columns, rows), key('command'), text(`logs ${query}`), key('submit'), snapshot(query, records(1, 300)));

describe('logs view', () => {
  it.each(VIEW_SIZES)('fits %i×%i, shows only the visible lines, the cluster column and the follow state', (columns, rows) => {
    const frame = showApp(opened(columns, rows));
    expectFits(frame, columns, rows);
    expect(frame).toContain('Logs timeout');
    expect(frame).toContain('following');
    expect(frame).toMatch(/^> \d\d:\d\d:\d\d\S* +prod-us-1 +pay\S*\/api-7d9f\S*\/api +ERROR line 300 timeout/m);
    expect(frame).toContain('prod-us-1 payments/api-7d9f8b6c5-00300/api');
    expect(frame).not.toContain('line 100 ');
    if (columns >= 120) expect(frame).toContain('node node-1');
  });

  it('keeps a > marker on the selected line without colour, and says how many new lines wait while paused', () => {
    const s = apply(opened(80, 24), key('up'), liveLines('timeout', records(301, 304)));
    const frame = showApp(s, false);
    expect(frame).toMatch(/^> .*line 299 /m);
    expect(frame).toContain('paused · 4 new lines (G follows)');
  });

  it('wraps long lines with w', () => {
    const long = logRecord(301, { message: `start ${'x'.repeat(150)} end-of-line` });
    const s = apply(opened(80, 24), liveLines('timeout', [long]));
    expect(showApp(s)).not.toContain('end-of-line');
    const wrapped = apply(s, key('wrap'));
    const frame = showApp(wrapped);
    expectFits(frame, 80, 24);
    // The message goes on under itself, at the message column, to its end.
    expect(frame).toMatch(/^ {47}x+ end-of-l\n {47}ine$/m);
  });

  it('shows the dropped notice and the query error inline while refining', () => {
    let s = apply(opened(80, 24, ''), { type: 'logs/dropped', query: '', count: 12 });
    expect(showApp(s)).toContain('dropped 12 lines');
    s = apply(s, key('filter'), text('level:erro'));
    const frame = showApp(s);
    expectFits(frame, 80, 24);
    expect(frame).toContain('at 6: expected a level');
    expect(frame).toContain('/level:erro');
  });

  it('draws the context of a line with the hit marked', () => {
    let s = apply(opened(80, 24), key('up'), key('context'));
    const call = s.calls.find((c) => c.method === 'logs.context')!;
    s = apply(s, { type: 'call/done', call: { method: 'logs.context', label: '', view: 'logContext', ref: call.ref! }, outcome: { ok: true, result: { hit: logRecord(299), before: records(295, 298), after: [logRecord(300)] } } });
    const frame = showApp(s);
    expectFits(frame, 80, 24);
    expect(frame).toContain('Context dev-1 payments/api-7d9f8b6c5-00299/api');
    expect(frame).toMatch(/^> .*line 299 request served/m);
    expect(frame).toContain('(the hit)');
  });
});
