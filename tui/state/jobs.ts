// Jobs as the console holds them: the `jobs` topic's snapshot and patches keyed by id, the view's
// filter language (`cluster:` glob, `state:`, `type:`, plain words) and fleet-job progress.
// Pure: no Ink, no I/O, no clock reads.
import { JOB_STATES, JOB_TYPES, type JobRecord, type JobState } from '../../core/jobs.js';
import { globToRegExp } from './glob.js';

/** A long session's patches never grow the list without bound; the oldest jobs fall off. */
export const MAX_JOBS = 5000;

export interface JobsState {
  rev: number | null;
  byId: ReadonlyMap<string, JobRecord>;
}

export type JobsAction = { type: 'jobs/snapshot'; rev: number; jobs: JobRecord[] } | { type: 'jobs/patch'; rev: number; changes: JobRecord[] };

export function initialJobs(): JobsState {
  return { rev: null, byId: new Map() };
}

/** Newest first: by submission time, then by seq for jobs submitted in the same millisecond. */
export function compareJobs(a: JobRecord, b: JobRecord): number {
  const t = Date.parse(b.submittedAt) - Date.parse(a.submittedAt);
  if (t !== 0 && !Number.isNaN(t)) return t;
  if (a.cluster === b.cluster && a.seq !== b.seq) return b.seq - a.seq;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function capped(byId: Map<string, JobRecord>): Map<string, JobRecord> {
  if (byId.size <= MAX_JOBS) return byId;
  return new Map([...byId.values()].sort(compareJobs).slice(0, MAX_JOBS).map((j) => [j.id, j]));
}

export function reduceJobs(state: JobsState, action: JobsAction): JobsState {
  switch (action.type) {
    case 'jobs/snapshot':
      return { rev: action.rev, byId: capped(new Map(action.jobs.map((j) => [j.id, j]))) };
    case 'jobs/patch': {
      // A patch before the snapshot, or one older than what we hold, would resurrect stale states.
      if (state.rev === null || action.rev <= state.rev) return state;
      const byId = new Map(state.byId);
      for (const job of action.changes) byId.set(job.id, job);
      return { rev: action.rev, byId: capped(byId) };
    }
  }
}

export type JobFilterToken =
  | { kind: 'word'; text: string }
  | { kind: 'cluster'; pattern: RegExp }
  /** Kept as typed so a misspelt state or type is reported instead of silently matching nothing. */
  | { kind: 'state'; state: string }
  | { kind: 'type'; jobType: string };

function parseToken(raw: string): JobFilterToken {
  const lower = raw.toLowerCase();
  const colon = lower.indexOf(':');
  const prefix = colon > 0 ? lower.slice(0, colon) : '';
  const value = colon > 0 ? raw.slice(colon + 1) : '';
  if (value.length > 0) {
    if (prefix === 'cluster') return { kind: 'cluster', pattern: globToRegExp(value) };
    if (prefix === 'state') return { kind: 'state', state: value.toLowerCase() };
    if (prefix === 'type') return { kind: 'type', jobType: value.toLowerCase() };
  }
  return { kind: 'word', text: lower };
}

export function parseJobFilter(text: string): JobFilterToken[] {
  return text
    .split(/\s+/)
    .filter((t) => t.length > 0)
    .map(parseToken);
}

function tokenMatches(token: JobFilterToken, job: JobRecord): boolean {
  switch (token.kind) {
    case 'word':
      return job.cluster.toLowerCase().includes(token.text) || job.type.includes(token.text) || job.state === token.text || job.id.startsWith(token.text);
    case 'cluster':
      return token.pattern.test(job.cluster);
    case 'state':
      return job.state === token.state;
    case 'type':
      return job.type === token.jobType;
  }
}

export function matchesJobFilter(tokens: readonly JobFilterToken[], job: JobRecord): boolean {
  return tokens.every((t) => tokenMatches(t, job));
}

export function jobFilterProblems(text: string): string[] {
  const problems: string[] = [];
  for (const t of parseJobFilter(text)) {
    if (t.kind === 'state' && !(JOB_STATES as readonly string[]).includes(t.state)) problems.push(`unknown state "${t.state}" (use ${JOB_STATES.join(', ')})`);
    if (t.kind === 'type' && !(JOB_TYPES as readonly string[]).includes(t.jobType)) problems.push(`unknown job type "${t.jobType}" (use ${JOB_TYPES.join(', ')})`);
  }
  return problems;
}

let lastVisible: { byId: ReadonlyMap<string, JobRecord>; filter: string; result: JobRecord[] } | null = null;

/** The jobs the view lists, newest first; recomputed only when the jobs or the filter change. */
export function selectVisibleJobs(jobs: JobsState, filter: string): JobRecord[] {
  if (lastVisible && lastVisible.byId === jobs.byId && lastVisible.filter === filter) return lastVisible.result;
  const tokens = parseJobFilter(filter);
  const result = [...jobs.byId.values()].filter((j) => matchesJobFilter(tokens, j)).sort(compareJobs);
  lastVisible = { byId: jobs.byId, filter, result };
  return result;
}

export interface FleetGroup {
  fleetJobId: string;
  type: string;
  total: number;
  /** Only states that occur, in the order of JOB_STATES. */
  counts: { state: JobState; count: number }[];
  /** Every job of the fan-out has reached a final state. */
  done: boolean;
}

/** Jobs of one fleet-wide fan-out grouped, newest fan-out first (the input is newest first). */
export function fleetGroups(jobs: readonly JobRecord[]): FleetGroup[] {
  const groups = new Map<string, { type: string; byState: Map<JobState, number>; total: number }>();
  for (const job of jobs) {
    if (job.fleetJobId === null) continue;
    const g = groups.get(job.fleetJobId) ?? { type: job.type, byState: new Map<JobState, number>(), total: 0 };
    g.total += 1;
    g.byState.set(job.state, (g.byState.get(job.state) ?? 0) + 1);
    groups.set(job.fleetJobId, g);
  }
  return [...groups.entries()].map(([fleetJobId, g]) => {
    const counts = JOB_STATES.filter((s) => g.byState.has(s)).map((s) => ({ state: s, count: g.byState.get(s) ?? 0 }));
    const pending = (g.byState.get('pending') ?? 0) + (g.byState.get('dispatched') ?? 0) + (g.byState.get('running') ?? 0);
    return { fleetJobId, type: g.type, total: g.total, counts, done: pending === 0 };
  });
}

/** Only a job the agent has not started can be cancelled; a cancellation itself cannot. */
export function isCancellable(job: JobRecord): boolean {
  return (job.state === 'pending' || job.state === 'dispatched') && job.type !== 'cancel';
}
