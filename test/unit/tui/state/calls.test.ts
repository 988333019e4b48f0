// What the daemon's answer to a call becomes on the message line.
import { describe, expect, it } from 'vitest';
import { outcomeMessage } from '../../../../tui/state/calls.js';
import { DETAIL, apply } from '../helpers.js';
import { JOBS, jobById, jobsState } from '../jobs-helpers.js';

describe('call outcomes', () => {
  it('turns the answer into a message line with the job id or the error and its next step', () => {
    const s = apply(jobsState(), { type: 'key', action: 'drill' }, { type: 'cluster/snapshot', name: 'prod-us-1', rev: 1, data: DETAIL }, {
      type: 'call/done',
      call: { method: 'job.submit', label: 'drain us1-n3 on prod-us-1' },
      outcome: { ok: false, error: { code: 'forbidden', message: 'role viewer may not submit jobs', next: 'ask an admin for the operator role' } },
    });
    expect(s.message).toEqual({ text: 'drain us1-n3 on prod-us-1: role viewer may not submit jobs — ask an admin for the operator role', level: 'error' });
    expect(outcomeMessage({ method: 'job.submit', label: 'scale' }, { ok: true, result: { jobs: [jobById(1)] } })).toEqual({
      text: 'scale: job 00000001 submitted (seq 7) — J shows its progress',
      level: 'info',
    });
    expect(outcomeMessage({ method: 'job.submit', label: 'cordon' }, { ok: true, result: { jobs: JOBS.slice(3, 6) } }).text).toBe(
      'cordon: 3 jobs submitted (fleet f1ee7000) — J shows their progress',
    );
    expect(outcomeMessage({ method: 'job.submit', label: 'x' }, { ok: true, result: { nonsense: 1 } }).level).toBe('error');
    expect(outcomeMessage({ method: 'job.cancel', label: 'cancel' }, { ok: true, result: {} }).text).toBe('cancel: cancellation submitted');
  });
});
