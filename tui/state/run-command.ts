// `:run SELECTOR TYPE key=value…`: a fleet job typed on the command line. Parsed here, purely; the
// daemon validates the params against the job type's schema in the dry run that always comes first.
// Values read like the CLI's --param: JSON where it parses (numbers, booleans, arrays), else the
// string; list params (namespaces, keys) also take commas.
import { isJobType, type JobType } from '../../core/jobs.js';
import type { Affected } from './calls.js';
import type { DialogSpec } from './action-dialog.js';

export type RunType = Exclude<JobType, 'cancel'>;

export interface RunRequest {
  selector: string;
  type: RunType;
  params: Record<string, unknown>;
}

export type RunParse = { ok: true; run: RunRequest } | { ok: false; error: string };

export const RUN_USAGE = ':run SELECTOR TYPE key=value…';
const EXAMPLE = 'e.g. :run env=staging drain node=node-1';
const LIST_PARAMS = new Set(['namespaces', 'keys']);
const PARAM_KEY = /^[A-Za-z][A-Za-z0-9]{0,63}$/;

function jsonOrString(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function paramValue(key: string, raw: string): unknown {
  if (!LIST_PARAMS.has(key)) return jsonOrString(raw);
  if (raw.startsWith('[')) return jsonOrString(raw);
  return raw
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

export function parseRun(args: readonly string[]): RunParse {
  const [selector, type, ...rest] = args;
  if (selector === undefined || type === undefined) return { ok: false, error: `usage: ${RUN_USAGE} (${EXAMPLE})` };
  if (isJobType(selector) && !isJobType(type)) return { ok: false, error: `the selector comes first: ${RUN_USAGE} (${EXAMPLE})` };
  if (!isJobType(type) || type === 'cancel') return { ok: false, error: `unknown job type "${type}"; cancel a job with c in the jobs view` };
  const params: Record<string, unknown> = {};
  for (const word of rest) {
    const eq = word.indexOf('=');
    const key = eq > 0 ? word.slice(0, eq) : '';
    if (!PARAM_KEY.test(key)) return { ok: false, error: `"${word}" is not key=value (e.g. replicas=3, namespaces=apps,web)` };
    if (Object.prototype.hasOwnProperty.call(params, key)) return { ok: false, error: `${key} is given twice` };
    params[key] = paramValue(key, word.slice(eq + 1));
  }
  return { ok: true, run: { selector, type, params } };
}

/** The call that asks the daemon for the blast radius; nothing is written by it. */
export function dryRunParams(run: RunRequest): Record<string, unknown> {
  return { selector: run.selector, type: run.type, params: run.params, dryRun: true };
}

export function runLabel(run: RunRequest): string {
  return `${run.type} on ${run.selector}`;
}

/** The confirmation dialog for a fleet job, from the dry run's answer. */
export function runDialogSpec(run: RunRequest, blast: readonly Affected[]): DialogSpec {
  const clusters = blast.map((b) => b.cluster);
  const params = Object.entries(run.params)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return {
    title: `${run.type} on ${clusters.length} ${clusters.length === 1 ? 'cluster' : 'clusters'} matching ${run.selector}`,
    method: 'job.submit',
    type: run.type,
    target: { kind: 'fleet', selector: run.selector, clusters },
    params: run.params,
    lines: [`One ${run.type} job per cluster${params ? ` with ${params}` : ''}. Dry run: nothing is submitted yet.`],
    field: null,
    blast,
  };
}
