// The pipeline view as drawn at 80×24 and wider: title with the snapshot's age and the clusters by
// health, the totals, the table (columns giving way when narrow), the selected row's reasons, the
// `>` marker without colour, and what it shows before the first snapshot and after a lost link.
import { afterEach, describe, expect, it } from 'vitest';
import type { KeyAction } from '../../../../../tui/keymap.js';
import { apply, connectedState, expectFits, showApp, unmountAll, VIEW_SIZES } from '../../helpers.js';
import { PIPELINE, pipelineFrame, pipelineState } from '../../pipeline-helpers.js';

afterEach(unmountAll);

const lines = (frame: string) => frame.split('\n');
const key = (action: KeyAction) => ({ type: 'key' as const, action });
const rowLine = (frame: string, cluster: string) => lines(frame).find((l) => /^(> | {2})(critical|degraded|unknown|healthy) /.test(l) && l.includes(` ${cluster}`));

describe.each(VIEW_SIZES)('pipeline view at %i×%i', (columns, rows) => {
  it('shows the totals, every cluster worst first with its health, and the selected row’s transport, figures and reasons', () => {
    const frame = showApp(pipelineState(columns, rows));
    expectFits(frame, columns, rows);
    expect(frame).toMatch(/^Pipeline · 2s old · 7 clusters: 1 critical · 2 degraded · 1 unknown · 3 healthy$/m);
    expect(frame).toMatch(/^ingest 13k lines\/s · outbox 12k \(241 MiB\) · dead 1 · dropped 12 · max lag 12m 5s$/m);
    expect(frame).toMatch(/^ {2}HEALTH +CLUSTER +(TRANSPORT +)?LAG INGEST\/S .*OUTBOX .*DEAD DROPPED/m);
    const table = lines(frame).filter((l) => /^(> | {2})(critical|degraded|unknown|healthy) /.test(l));
    expect(table.map((l) => l.slice(2).split(' ')[0])).toEqual(PIPELINE.rows.map((r) => r.health));
    expect(table[0]).toMatch(/^> critical prod-us-1 +(rabbitmq +)?12m 5s +0\.0 .*240 MiB 92% /);
    expect(rowLine(frame, 'staging-us-1')).toMatch(/degraded staging-us-1 +(daemon +)?1s +12\.0 .*— .* 1 +12( |$)/);
    expect(rowLine(frame, 'edge-store-0417')).toMatch(/unknown +edge-store-0417 +(- +)?- +0\.0/);
    expect(frame).toMatch(/^prod-us-1 {2}critical {2}rabbitmq · queued 2\.0k · behind 5\.0 MiB/m);
    expect(frame).toMatch(/^ {2}· shovel to the center terminated: connection refused$/m);
    expect(frame).toMatch(/^ {2}· \+2 more \(flotilla pipeline lists them all\)$/m);
    expect(frame).toMatch(/esc back {2}enter open the selected cluster/);
  });

  it('follows the cursor with the detail lines', () => {
    const frame = showApp(apply(pipelineState(columns, rows), key('down'), key('down'), key('down'), key('down'), key('down')));
    expect(rowLine(frame, 'dev-1')).toMatch(/^> healthy +dev-1 /);
    expect(frame).toMatch(/^dev-1 {2}healthy {2}off · queued 0/m);
    expect(frame).toMatch(/^ {2}· logs off: this cluster does not ship them$/m);
  });
});

describe('pipeline view', () => {
  it('drops the transport, backlog and shovel columns at 80 and shows them on a wide terminal, with the reasons', () => {
    const narrow = showApp(pipelineState(80, 24));
    expect(narrow).not.toContain('TRANSPORT');
    expect(narrow).not.toContain('SHOVEL');
    expect(narrow).not.toContain('QUEUE/BEHIND');
    const wide = showApp(pipelineState(160, 40));
    expect(wide).toMatch(/^ {2}HEALTH +CLUSTER +TRANSPORT +LAG INGEST\/S +QUEUE\/BEHIND +OUTBOX SHOVEL +DEAD DROPPED REASONS/m);
    expect(rowLine(wide, 'prod-eu-2')).toMatch(/40 1\.0 MiB 0% starting +0 +0 shovel to the center starting/);
    expect(rowLine(wide, 'staging-us-1')).toMatch(/300\/1\.5 KiB +— —/);
  });

  it('truncates a long cluster name with an ellipsis at 80 columns and shows it whole below when selected', () => {
    const state = apply(pipelineState(80, 24), key('down'), key('down'), key('down'), key('down'));
    const frame = showApp(state);
    expect(frame).toMatch(/^> healthy +a-cluster-with-a-very-l… +1s /m);
    expect(frame).toMatch(/^a-cluster-with-a-very-long-name-for-truncation {2}healthy/m);
  });

  it('marks the selected row with > and draws no colour when colour is off', () => {
    const plain = showApp(apply(pipelineState(), key('down')));
    const marked = lines(plain).filter((l) => l.startsWith('> '));
    expect(marked).toHaveLength(1);
    expect(marked[0]).toContain('prod-eu-2');
    expect(plain).not.toContain('\x1b[');
  });

  it('waits for the first snapshot, and says when the filter matches nothing', () => {
    const waiting = showApp(apply(connectedState(), key('pipeline')));
    expect(waiting).toMatch(/^Pipeline$/m);
    expect(waiting).toContain('waiting for the pipeline…');
    const none = showApp(apply(pipelineState(), key('filter'), { type: 'input/text', text: 'nosuch' }));
    expect(none).toContain('no cluster matches the filter');
    expect(none).toMatch(/^Pipeline · 2s old · 0 of 7 clusters: /m);
    const empty = showApp(apply(connectedState(), key('pipeline'), pipelineFrame({ ...PIPELINE, rows: [], totals: { ...PIPELINE.totals, clusters: 0, byHealth: { healthy: 0, degraded: 0, critical: 0, unknown: 0 } } })));
    expect(empty).toMatch(/^Pipeline · 2s old · 0 clusters$/m);
    expect(empty).toContain('no clusters registered');
  });

  it('keeps the last snapshot when the link drops, under the stale banner, its age growing', () => {
    const s = apply(pipelineState(), { type: 'conn/lost', at: Date.parse(PIPELINE.at) + 2000, attempt: 2, error: 'daemon not reachable', retryInMs: 1000 }, { type: 'tick', now: Date.parse(PIPELINE.at) + 65_000 });
    const frame = showApp(s);
    expectFits(frame, 80, 24);
    expect(frame).toMatch(/^connection lost — reconnecting \(attempt 2\); data is 1m old/m);
    expect(frame).toMatch(/^Pipeline · 1m old · 7 clusters/m);
    expect(rowLine(frame, 'prod-us-1')).toBeDefined();
  });
});
