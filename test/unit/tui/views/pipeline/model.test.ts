// The pipeline view's slice driven through the shell: P and :pipeline open it, its topic is followed
// only while it is in the stack, snapshots are taken only then and dropped on close, the cursor
// stays on its cluster as rows reorder, and enter opens that cluster, esc coming back to the table.
import { describe, expect, it } from 'vitest';
import type { PipelineSnapshot } from '../../../../../core/pipeline.js';
import type { KeyAction } from '../../../../../tui/keymap.js';
import { type AppState, keyContext, promptFilter, reduce, topView, wantedTopics } from '../../../../../tui/state/app.js';
import { pipelineTableRows, visiblePipelineRows } from '../../../../../tui/views/pipeline/model.js';
import { apply, connectedState } from '../../helpers.js';
import { PIPELINE, pipelineFrame, pipelineState } from '../../pipeline-helpers.js';

const key = (action: KeyAction) => ({ type: 'key' as const, action });
const text = (t: string) => ({ type: 'input/text' as const, text: t });
const command = (s: AppState, line: string) => apply(s, key('command'), text(line), key('submit'));
const shown = (s: AppState) => visiblePipelineRows(s.view.pipeline).map((r) => r.cluster);
/** The same snapshot with one cluster moved to the top, as a change of health does. */
const withFirst = (name: string): PipelineSnapshot => ({ ...PIPELINE, rows: [...PIPELINE.rows.filter((r) => r.cluster === name), ...PIPELINE.rows.filter((r) => r.cluster !== name)] });

describe('pipeline view', () => {
  it('opens with P or :pipeline, follows its topic only while open, and goes back with esc', () => {
    let s = apply(connectedState(), key('pipeline'));
    expect(topView(s)).toBe('pipeline');
    expect(keyContext(s)).toBe('pipeline');
    expect(wantedTopics(s)).toEqual(['pipeline']);
    s = apply(s, key('back'));
    expect(topView(s)).toBe('fleet');
    expect(wantedTopics(s)).toEqual([]);
    s = command(s, 'pipeline');
    expect(s.stack).toEqual(['fleet', 'pipeline']);
  });

  it('takes snapshots only while open, and drops the last one on close so a reopened view never shows it as current', () => {
    let s = apply(connectedState(), pipelineFrame());
    expect(s.view.pipeline.snapshot).toBeNull();
    s = apply(s, key('pipeline'), pipelineFrame());
    expect(s.view.pipeline.snapshot).toBe(PIPELINE);
    s = apply(s, key('filter'), text('prod'), key('submit'), key('back'));
    expect(s.view.pipeline).toMatchObject({ open: false, snapshot: null, filter: 'prod' });
    s = apply(s, key('pipeline'));
    expect(s.view.pipeline).toMatchObject({ open: true, snapshot: null, filter: 'prod' });
  });

  it('keeps the last snapshot through a lost link', () => {
    const s = apply(pipelineState(), { type: 'conn/lost', at: 1, attempt: 2, error: 'gone', retryInMs: 500 });
    expect(s.view.pipeline.snapshot).toBe(PIPELINE);
    expect(wantedTopics(s)).toEqual(['pipeline']);
  });

  it('moves the cursor and keeps it on the selected cluster when a snapshot reorders the rows', () => {
    let s = pipelineState();
    expect(s.view.pipeline).toMatchObject({ cursor: 0, selected: 'prod-us-1' });
    s = apply(s, key('down'), key('down'));
    expect(s.view.pipeline).toMatchObject({ cursor: 2, selected: 'staging-us-1' });
    s = apply(s, pipelineFrame(withFirst('staging-us-1'), 2));
    expect(s.view.pipeline).toMatchObject({ cursor: 0, selected: 'staging-us-1' });
    s = apply(s, key('bottom'));
    expect(s.view.pipeline).toMatchObject({ cursor: PIPELINE.rows.length - 1, selected: PIPELINE.rows.at(-1)!.cluster });
    s = apply(s, key('top'), key('up'));
    expect(s.view.pipeline).toMatchObject({ cursor: 0, selected: 'staging-us-1' });
  });

  it('scrolls a table longer than the screen', () => {
    const many: PipelineSnapshot = { ...PIPELINE, rows: Array.from({ length: 40 }, (_, i) => ({ ...PIPELINE.rows[0]!, cluster: `c-${String(i).padStart(2, '0')}` })) };
    let s = apply(connectedState(), key('pipeline'), pipelineFrame(many));
    const page = pipelineTableRows(s.viewport, s.conn);
    expect(page).toBe(11);
    s = apply(s, key('bottom'));
    expect(s.view.pipeline).toMatchObject({ cursor: 39, scroll: 40 - page, selected: 'c-39' });
  });

  it('opens the selected cluster with enter, and esc comes back to the pipeline', () => {
    let s = apply(pipelineState(), key('down'), key('openCluster'));
    expect(s.stack).toEqual(['fleet', 'pipeline', 'cluster']);
    expect(s.view.cluster.name).toBe('prod-eu-2');
    expect(wantedTopics(s)).toEqual(['pipeline', 'cluster:prod-eu-2']);
    s = apply(s, key('back'));
    expect(s.stack).toEqual(['fleet', 'pipeline']);
    expect(s.view.pipeline).toMatchObject({ selected: 'prod-eu-2', snapshot: PIPELINE });
    expect(reduce(apply(connectedState(), key('pipeline')), key('openCluster')).stack).toEqual(['fleet', 'pipeline']);
  });

  it('from a cluster view puts the cursor on that cluster, with the rest of the fleet still listed', () => {
    let s = apply(connectedState(), key('pipeline'), key('filter'), text('health:healthy'), key('submit'), key('back'));
    s = apply(command(s, 'cluster staging-us-1'), key('pipeline'));
    expect(s.stack).toEqual(['fleet', 'cluster', 'pipeline']);
    expect(s.view.pipeline).toMatchObject({ filter: '', selected: 'staging-us-1' });
    s = apply(s, pipelineFrame());
    expect(s.view.pipeline).toMatchObject({ cursor: 2, selected: 'staging-us-1' });
    expect(shown(s)).toHaveLength(PIPELINE.rows.length);
    expect(wantedTopics(s)).toEqual(['cluster:staging-us-1', 'pipeline']);
    s = apply(s, key('back'));
    expect(topView(s)).toBe('cluster');
  });

  it('filters with / using its own filter and says when a term can match nothing', () => {
    let s = apply(pipelineState(), key('filter'), text('transport:rabbitmq'));
    expect(shown(s)).toEqual(['prod-us-1', 'prod-eu-2']);
    expect(promptFilter(s)).toMatchObject({ text: 'transport:rabbitmq', shown: 2, total: PIPELINE.rows.length });
    s = apply(s, key('submit'));
    expect(s.message).toBeNull();
    expect(s.view.fleet.filter).toBe('');
    s = apply(s, key('filter'), key('cancel'));
    expect(s.view.pipeline.filter).toBe('');
    s = apply(s, key('filter'), text('health:sick'), key('submit'));
    expect(s.message).toEqual({ text: 'unknown health "sick" (use critical, degraded, unknown, healthy)', level: 'error' });
  });
});
