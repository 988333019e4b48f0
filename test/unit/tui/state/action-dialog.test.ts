import { describe, expect, it } from 'vitest';
import { confirmationWord, openDialog, reduceDialog, type DialogSpec, type DialogState } from '../../../../tui/state/action-dialog.js';

const drain: DialogSpec = {
  title: 'drain n1 on prod-us-1',
  method: 'job.submit',
  type: 'drain',
  target: { kind: 'cluster', cluster: 'prod-us-1' },
  params: { node: 'n1' },
  lines: ['evicts pods'],
  field: null,
};
const fleetCleanup: DialogSpec = { ...drain, title: 'cleanup', type: 'cleanup', target: { kind: 'fleet', selector: 'env=staging', clusters: ['s1', 's2', 's3'] }, params: { namespace: 'tmp' } };
const scale: DialogSpec = { ...drain, title: 'scale', type: 'scale', params: { namespace: 'a', name: 'b', kind: 'Deployment' }, field: { kind: 'replicas', label: 'replicas' } };

function run(state: DialogState, ...steps: ({ type: 'text'; text: string } | { type: 'erase' } | { type: 'submit' } | { type: 'cancel' })[]) {
  let dialog: DialogState | null = state;
  let call = null;
  for (const step of steps) {
    if (!dialog) throw new Error('dialog closed early');
    const out = reduceDialog(dialog, step);
    dialog = out.dialog;
    call = out.call;
  }
  return { dialog, call };
}

describe('action dialog', () => {
  it('asks for the cluster name for a destructive job and the cluster count for a destructive fleet job', () => {
    expect(confirmationWord(drain)).toBe('prod-us-1');
    expect(confirmationWord(fleetCleanup)).toBe('3');
    expect(confirmationWord(scale)).toBeNull();
  });

  it('submits a destructive job only once the exact word is typed', () => {
    const wrong = run(openDialog(drain), { type: 'text', text: 'prod-us-2' }, { type: 'submit' });
    expect(wrong.call).toBeNull();
    expect(wrong.dialog?.error).toContain('type the cluster name (prod-us-1)');
    const fixed = run(wrong.dialog!, { type: 'erase' }, { type: 'text', text: '1' }, { type: 'submit' });
    expect(fixed.dialog).toBeNull();
    expect(fixed.call).toEqual({ method: 'job.submit', params: { cluster: 'prod-us-1', type: 'drain', params: { node: 'n1' }, yes: true }, label: 'drain n1 on prod-us-1' });
  });

  it('needs the number of clusters for a fleet job and sends the selector', () => {
    expect(run(openDialog(fleetCleanup), { type: 'text', text: 'staging' }, { type: 'submit' }).dialog?.error).toContain('the number of clusters (3)');
    const ok = run(openDialog(fleetCleanup), { type: 'text', text: '3' }, { type: 'submit' });
    expect(ok.call?.params).toEqual({ selector: 'env=staging', type: 'cleanup', params: { namespace: 'tmp' }, yes: true });
  });

  it('validates the typed value before the confirm step', () => {
    const bad = run(openDialog(scale, '3'), { type: 'text', text: 'x' }, { type: 'submit' });
    expect(bad.dialog?.step).toBe('field');
    expect(bad.dialog?.error).toBe('replicas must be a whole number');
    expect(run(openDialog(scale, '20000'), { type: 'submit' }).dialog?.error).toBe('replicas must be at most 10000');
    const good = run(openDialog(scale, '3'), { type: 'erase' }, { type: 'text', text: '5' }, { type: 'submit' });
    expect(good.dialog?.step).toBe('confirm');
    expect(good.dialog?.spec.params).toMatchObject({ replicas: 5 });
    expect(run(good.dialog!, { type: 'submit' }).call?.params).toEqual({ cluster: 'prod-us-1', type: 'scale', params: { namespace: 'a', name: 'b', kind: 'Deployment', replicas: 5 } });
  });

  it('checks namespace names', () => {
    const backup: DialogSpec = { ...scale, type: 'backup', params: { backupId: 'bk-1' }, field: { kind: 'namespaces', label: 'namespaces' } };
    expect(run(openDialog(backup, 'web, ../etc'), { type: 'submit' }).dialog?.error).toBe('"../etc" is not a namespace name');
    expect(run(openDialog(backup, ' '), { type: 'submit' }).dialog?.error).toBe('name at least one namespace');
    expect(run(openDialog(backup, 'web,web api'), { type: 'submit' }).dialog?.spec.params).toEqual({ backupId: 'bk-1', namespaces: ['web', 'api'] });
  });

  it('closes on cancel without a call, ignores control characters and stray keys without a word to type', () => {
    expect(run(openDialog(drain), { type: 'text', text: 'prod' }, { type: 'cancel' })).toEqual({ dialog: null, call: null });
    expect(run(openDialog(drain), { type: 'text', text: '\u001b[A\u0007' }).dialog?.typed).toBe('[A');
    const restart = { ...drain, type: 'restart' as const };
    expect(run(openDialog(restart), { type: 'text', text: 'y' }).dialog?.typed).toBe('');
  });

  it('sends job.cancel with the job id', () => {
    const cancel: DialogSpec = { ...drain, method: 'job.cancel', type: 'cancel', jobId: 'abc', title: 'cancel' };
    expect(run(openDialog(cancel), { type: 'submit' }).call).toEqual({ method: 'job.cancel', params: { id: 'abc' }, label: 'cancel' });
  });
});
