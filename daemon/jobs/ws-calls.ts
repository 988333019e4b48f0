// The WebSocket calls `job.submit` and `job.cancel` (DESIGN.md §3.8): the same operations and checks
// as REST. The hub asks authorize before a call runs; the service checks the clusters it reaches.
import { FlotillaError } from '../../core/errors.js';
import type { WsMethod } from '../api/ws-method.js';
import type { JobService } from './service.js';

export function jobMethods(jobs: JobService): WsMethod[] {
  return [
    { name: 'job.submit', action: 'job.submit', run: (who, params) => jobs.submit(who, params) },
    {
      name: 'job.cancel',
      action: 'job.cancel',
      run: async (who, params) => {
        if (typeof params.id !== 'string') throw new FlotillaError('usage', 'job.cancel needs {"id": "<job id>"}', 'Send the id of the job to cancel.');
        return jobs.cancel(who, params.id);
      },
    },
  ];
}
