// The job view: one job's identity, params (secrets sealed), result and timing, opened from the jobs
// list. It reads the job from the jobs topic, which stays subscribed while it is open. Pure.
import { cancelJobSpec } from '../../state/job-actions.js';
import type { ViewModel } from '../../state/view-model.js';

export interface JobSlice {
  /** The job shown; null while the view is not open. */
  id: string | null;
}

export type JobKeyAction = 'cancelJob';

export const jobView: ViewModel<'job', JobSlice, JobKeyAction> = {
  kind: 'job',
  title: 'Job detail',
  over: ['fleet', 'cluster', 'jobs'],
  initial: () => ({ id: null }),
  open: (_slice, id) => (id === undefined ? { ok: false, error: 'no job selected' } : { ok: true, slice: { id } }),
  close: () => ({ id: null }),
  bindings: [
    { keys: ['esc'], action: 'back', description: 'back', hint: true },
    { keys: ['c'], action: 'cancelJob', short: 'cancel', description: 'cancel the selected job', hint: true, needs: 'job.cancel', target: 'job' },
  ],
  keys: {
    cancelJob: { run: (s, ctx) => ({ dialog: cancelJobSpec(s.id === null ? undefined : ctx.jobs.byId.get(s.id)) }) },
  },
  topics: () => ['jobs'],
};
