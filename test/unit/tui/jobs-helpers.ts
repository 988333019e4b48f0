// Job fixtures and states for the console's jobs tests.
import { readFileSync } from 'node:fs';
import type { JobRecord } from '../../../core/jobs.js';
import type { Role } from '../../../core/roles.js';
import type { AppState } from '../../../tui/state/app.js';
import { apply, connectedState, NOW } from './helpers.js';

export const JOBS = JSON.parse(readFileSync(new URL('../../fixtures/jobs-tui/jobs.json', import.meta.url), 'utf8')) as JobRecord[];

export function jobById(n: number): JobRecord {
  const job = JOBS[n - 1];
  if (!job) throw new Error(`no fixture job ${n}`);
  return job;
}

/** Connected as the given role, holding the fixture jobs. */
export function jobsState(role: Role = 'operator', columns = 80, rows = 24): AppState {
  return apply(connectedState(undefined, columns, rows), { type: 'conn/open', at: NOW, identity: { name: role === 'viewer' ? 'vera' : 'alice', role } }, { type: 'jobs/snapshot', rev: 1, jobs: JOBS });
}
