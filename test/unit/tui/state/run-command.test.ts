// `:run SELECTOR TYPE key=value…`: parsing, and the dry run → blast radius dialog → typed count →
// submit flow through the reducer, with the daemon's answers given as call outcomes.
import { describe, expect, it } from 'vitest';
import type { JobRecord } from '../../../../core/jobs.js';
import type { KeyAction } from '../../../../tui/keymap.js';
import { helpLines } from '../../../../tui/render/help.js';
import { reduce, type Action, type AppState } from '../../../../tui/state/app.js';
import type { CallOutcome } from '../../../../tui/state/calls.js';
import { parseCommand } from '../../../../tui/state/commands.js';
import { parseRun } from '../../../../tui/state/run-command.js';
import { apply } from '../helpers.js';
import { jobById, jobsState } from '../jobs-helpers.js';

const key = (action: KeyAction): Action => ({ type: 'key', action });
const text = (t: string): Action => ({ type: 'input/text', text: t });

function command(state: AppState, line: string): AppState {
  return apply(state, key('command'), text(line), key('submit'));
}

/** The daemon's answer to the oldest queued call, as the call runner would deliver it. */
function answer(state: AppState, outcome: CallOutcome): AppState {
  const [call] = state.calls;
  if (!call) throw new Error('no call queued');
  const { params: _params, ...info } = call;
  return apply(state, { type: 'call/sent', key: call.key }, { type: 'call/done', call: info, outcome });
}

const BLAST = {
  dryRun: {
    clusters: [
      { cluster: 'stg-1', affected: ['node node-1 (schedulable, 12 pods to evict)'] },
      { cluster: 'stg-2', affected: ['node node-1 (schedulable, 4 pods to evict)'] },
      { cluster: 'stg-3', affected: [], warning: 'node node-1 is not in the latest status report' },
    ],
  },
};

function fleetJobs(n: number): JobRecord[] {
  return Array.from({ length: n }, (_, i) => ({ ...jobById(1), id: `job-${i}`, cluster: `stg-${i + 1}`, fleetJobId: 'f1e2d3c4-0000-4000-8000-000000000001' }));
}

describe(':run parsing', () => {
  it('reads selector, type and params: JSON values where they parse, commas for lists', () => {
    expect(parseRun(['env=staging', 'drain', 'node=node-1'])).toEqual({ ok: true, run: { selector: 'env=staging', type: 'drain', params: { node: 'node-1' } } });
    expect(parseRun(['team=payments', 'scale', 'namespace=payments', 'name=api', 'replicas=3'])).toEqual({
      ok: true,
      run: { selector: 'team=payments', type: 'scale', params: { namespace: 'payments', name: 'api', replicas: 3 } },
    });
    expect(parseRun(['env=staging,team=payments', 'backup', 'backupId=bk-1', 'namespaces=apps,web'])).toMatchObject({ ok: true, run: { params: { backupId: 'bk-1', namespaces: ['apps', 'web'] } } });
    expect(parseRun(['gpu', 'backup', 'namespaces=["a"]'])).toMatchObject({ ok: true, run: { selector: 'gpu', params: { namespaces: ['a'] } } });
    expect(parseRun(['env=dev', 'drain', 'node=n', 'timeoutSeconds=60'])).toMatchObject({ ok: true, run: { params: { timeoutSeconds: 60 } } });
    expect(parseRun(['env=dev', 'cleanup', 'teardown=true'])).toMatchObject({ ok: true, run: { params: { teardown: true } } });
  });

  it('says what is wrong with a bad line', () => {
    const error = (args: string[]) => {
      const r = parseRun(args);
      return r.ok ? null : r.error;
    };
    expect(error([])).toContain('usage: :run SELECTOR TYPE key=value');
    expect(error(['env=staging'])).toContain('usage');
    expect(error(['drain', 'env=staging', 'node=n'])).toContain('the selector comes first');
    expect(error(['env=staging', 'explode'])).toBe('unknown job type "explode"; cancel a job with c in the jobs view');
    expect(error(['env=staging', 'cancel', 'targetSeq=1'])).toContain('unknown job type "cancel"');
    expect(error(['env=staging', 'drain', 'node'])).toContain('"node" is not key=value');
    expect(error(['env=staging', 'drain', '=x'])).toContain('is not key=value');
    expect(error(['env=staging', 'drain', 'node=a', 'node=b'])).toBe('node is given twice');
  });

  it('is refused to a viewer before anything is parsed or sent', () => {
    expect(parseCommand(':run env=staging drain node=n', 'viewer')).toEqual({ kind: 'error', message: ':run needs the operator role; this token is viewer' });
    expect(parseCommand(':run env=staging drain node=n', 'operator')).toMatchObject({ kind: 'run' });
  });
});

describe(':run flow', () => {
  it('asks for a dry run first and shows its blast radius in the dialog', () => {
    let s = command(jobsState('operator'), ':run env=staging drain node=node-1');
    expect(s.calls).toEqual([{ key: 1, method: 'job.submit', params: { selector: 'env=staging', type: 'drain', params: { node: 'node-1' }, dryRun: true }, label: 'drain on env=staging' }]);
    expect(s.message).toEqual({ text: 'drain on env=staging: dry run…', level: 'info' });
    expect(s.dialog).toBeNull();
    s = answer(s, { ok: true, result: BLAST });
    expect(s.preview).toBeNull();
    expect(s.message).toBeNull();
    expect(s.dialog?.spec).toMatchObject({ type: 'drain', target: { kind: 'fleet', selector: 'env=staging', clusters: ['stg-1', 'stg-2', 'stg-3'] }, params: { node: 'node-1' }, blast: BLAST.dryRun.clusters });
    expect(s.dialog?.step).toBe('confirm');
  });

  it('submits a destructive fleet job with yes only after the number of clusters is typed', () => {
    let s = answer(command(jobsState('operator'), ':run env=staging drain node=node-1'), { ok: true, result: BLAST });
    s = apply(s, text('stg'), key('submit'));
    expect(s.calls).toEqual([]);
    expect(s.dialog?.error).toBe('type the number of clusters (3) to confirm, or esc to leave');
    s = apply(s, key('erase'), key('erase'), key('erase'), text('3'), key('submit'));
    expect(s.dialog).toBeNull();
    expect(s.calls).toEqual([
      { key: 2, method: 'job.submit', params: { selector: 'env=staging', type: 'drain', params: { node: 'node-1' }, yes: true }, label: 'drain on 3 clusters matching env=staging', expectedClusters: 3 },
    ]);
    s = answer(s, { ok: true, result: { jobs: fleetJobs(3) } });
    expect(s.message).toEqual({ text: 'drain on 3 clusters matching env=staging: 3 jobs submitted (fleet f1e2d3c4) — J shows their progress', level: 'info' });
  });

  it('submits a non-destructive fleet job on enter, without yes', () => {
    let s = command(jobsState('admin'), ':run team=payments scale namespace=payments name=api replicas=3');
    s = answer(s, { ok: true, result: { dryRun: { clusters: [{ cluster: 'pay-1', affected: ['Deployment payments/api replicas 2 → 3'] }] } } });
    expect(s.dialog?.spec.title).toBe('scale on 1 cluster matching team=payments');
    s = apply(s, text('x'), key('submit'));
    expect(s.calls[0]?.params).toEqual({ selector: 'team=payments', type: 'scale', params: { namespace: 'payments', name: 'api', replicas: 3 } });
  });

  it('flags a fleet that changed between the dry run and the submission', () => {
    let s = answer(command(jobsState('operator'), ':run env=staging drain node=node-1'), { ok: true, result: BLAST });
    s = apply(s, text('3'), key('submit'));
    s = answer(s, { ok: true, result: { jobs: fleetJobs(4) } });
    expect(s.message?.level).toBe('error');
    expect(s.message?.text).toContain('4 jobs submitted (fleet f1e2d3c4), but the dry run showed 3 clusters');
  });

  it('shows the daemon’s refusal of the dry run and opens no dialog', () => {
    const s = answer(command(jobsState('operator'), ':run env=nowhere drain node=n'), {
      ok: false,
      error: { code: 'not_found', message: 'no registered cluster matches the selector "env=nowhere"', next: 'Check the labels with `flotilla cluster list --json`.' },
    });
    expect(s.dialog).toBeNull();
    expect(s.preview).toBeNull();
    expect(s.message).toEqual({ text: 'drain on env=nowhere: no registered cluster matches the selector "env=nowhere" — Check the labels with `flotilla cluster list --json`.', level: 'error' });
  });

  it('opens no dialog from an answer it does not understand, or from no clusters', () => {
    const garbled = answer(command(jobsState('operator'), ':run env=staging drain node=n'), { ok: true, result: { dryRun: { clusters: 'all' } } });
    expect(garbled.dialog).toBeNull();
    expect(garbled.message?.text).toContain('not understood; nothing was submitted');
    const none = answer(command(jobsState('operator'), ':run env=staging drain node=n'), { ok: true, result: { dryRun: { clusters: [] } } });
    expect(none.dialog).toBeNull();
    expect(none.message?.text).toBe('drain on env=staging: no cluster matches; nothing to submit');
  });

  it('keeps a dialog the user opened meanwhile', () => {
    let s = command(jobsState('operator'), ':run env=staging drain node=n');
    const [dryRun] = s.calls;
    s = apply(s, { type: 'call/sent', key: 1 }, key('jobs'), key('cancelJob'));
    const open = s.dialog;
    expect(open?.spec.method).toBe('job.cancel');
    s = reduce(s, { type: 'call/done', call: { method: 'job.submit', label: dryRun?.label ?? '', key: dryRun?.key ?? 0 }, outcome: { ok: true, result: BLAST } });
    expect(s.dialog).toBe(open);
    expect(s.message?.text).toContain('dry run ready (3 clusters) but a dialog is open');
  });

  it('refuses a viewer locally: a message, no call', () => {
    const s = command(jobsState('viewer'), ':run env=staging drain node=node-1');
    expect(s.calls).toEqual([]);
    expect(s.preview).toBeNull();
    expect(s.message).toEqual({ text: ':run needs the operator role; this token is viewer', level: 'error' });
  });

  it('is in the help for operators only', () => {
    const usages = (role: 'viewer' | 'operator') => helpLines(role).flatMap((l) => (l.kind === 'entry' ? [l.keys] : []));
    expect(usages('operator')).toContain(':run SELECTOR TYPE key=value…');
    expect(usages('viewer')).not.toContain(':run SELECTOR TYPE key=value…');
    expect(usages('viewer')).toContain(':jobs');
  });
});
