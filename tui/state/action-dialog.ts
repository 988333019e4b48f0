// The confirmation dialog in front of every job the console submits. Pure reducer: it says what will
// happen, collects the one value an action needs (replicas, namespaces), and for a destructive job
// demands the cluster's name — or for a fleet job the number of clusters — typed back before it lets
// the call go.
import { DESTRUCTIVE, type JobType } from '../../core/jobs.js';
import type { Affected, CallRequest } from './calls.js';

export type ActionTarget = { kind: 'cluster'; cluster: string } | { kind: 'fleet'; selector: string; clusters: readonly string[] };

export type FieldKind = 'replicas' | 'namespaces';

export interface DialogSpec {
  title: string;
  method: 'job.submit' | 'job.cancel';
  type: JobType;
  target: ActionTarget;
  params: Record<string, unknown>;
  /** What will happen, one line each. */
  lines: readonly string[];
  /** A value typed before confirming; it becomes params[kind]. */
  field: { kind: FieldKind; label: string } | null;
  /** The job.cancel target; set only for method job.cancel. */
  jobId?: string;
  /** A fleet job's dry-run answer: what each matching cluster would see touched. */
  blast?: readonly Affected[];
}

export interface DialogState {
  spec: DialogSpec;
  step: 'field' | 'confirm';
  fieldText: string;
  typed: string;
  error: string | null;
}

export type DialogAction = { type: 'text'; text: string } | { type: 'erase' } | { type: 'submit' } | { type: 'cancel' };

export interface DialogOutcome {
  dialog: DialogState | null;
  call: CallRequest | null;
}

export function openDialog(spec: DialogSpec, fieldText = ''): DialogState {
  return { spec, step: spec.field ? 'field' : 'confirm', fieldText, typed: '', error: null };
}

/** What must be typed to confirm, or null when enter alone confirms. */
export function confirmationWord(spec: DialogSpec): string | null {
  if (!DESTRUCTIVE[spec.type]) return null;
  return spec.target.kind === 'cluster' ? spec.target.cluster : String(spec.target.clusters.length);
}

export const MAX_REPLICAS = 10_000;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function parseField(kind: FieldKind, text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  const trimmed = text.trim();
  if (kind === 'replicas') {
    if (!/^\d+$/.test(trimmed)) return { ok: false, error: 'replicas must be a whole number' };
    const n = Number(trimmed);
    return n <= MAX_REPLICAS ? { ok: true, value: n } : { ok: false, error: `replicas must be at most ${MAX_REPLICAS}` };
  }
  const names = trimmed.split(/[\s,]+/).filter((n) => n.length > 0);
  if (names.length === 0) return { ok: false, error: 'name at least one namespace' };
  const bad = names.find((n) => !NAMESPACE.test(n));
  if (bad !== undefined) return { ok: false, error: `"${bad}" is not a namespace name` };
  return { ok: true, value: [...new Set(names)] };
}

export function callFor(spec: DialogSpec): CallRequest {
  if (spec.method === 'job.cancel') return { method: 'job.cancel', params: { id: spec.jobId }, label: spec.title };
  const where = spec.target.kind === 'cluster' ? { cluster: spec.target.cluster } : { selector: spec.target.selector };
  const yes = DESTRUCTIVE[spec.type] ? { yes: true } : {};
  const expected = spec.target.kind === 'fleet' ? { expectedClusters: spec.target.clusters.length } : {};
  return { method: 'job.submit', params: { ...where, type: spec.type, params: spec.params, ...yes }, label: spec.title, ...expected };
}

function clean(text: string): string {
  return [...text].filter((ch) => ch >= ' ' && ch !== '\u007f').join('');
}

export function reduceDialog(state: DialogState, action: DialogAction): DialogOutcome {
  const stay = (dialog: DialogState): DialogOutcome => ({ dialog, call: null });
  switch (action.type) {
    case 'cancel':
      return { dialog: null, call: null };
    case 'text': {
      const text = clean(action.text);
      if (text.length === 0) return stay(state);
      if (state.step === 'field') return stay({ ...state, fieldText: (state.fieldText + text).slice(0, 256), error: null });
      // Without a word to type, stray keys must not look like they did something.
      if (confirmationWord(state.spec) === null) return stay(state);
      return stay({ ...state, typed: (state.typed + text).slice(0, 256), error: null });
    }
    case 'erase':
      if (state.step === 'field') return stay({ ...state, fieldText: state.fieldText.slice(0, -1), error: null });
      return stay({ ...state, typed: state.typed.slice(0, -1), error: null });
    case 'submit': {
      const { spec } = state;
      if (state.step === 'field' && spec.field) {
        const parsed = parseField(spec.field.kind, state.fieldText);
        if (!parsed.ok) return stay({ ...state, error: parsed.error });
        return stay({ ...state, step: 'confirm', spec: { ...spec, params: { ...spec.params, [spec.field.kind]: parsed.value } }, error: null });
      }
      const word = confirmationWord(spec);
      if (word !== null && state.typed !== word) {
        const what = spec.target.kind === 'cluster' ? 'the cluster name' : 'the number of clusters';
        return stay({ ...state, error: `type ${what} (${word}) to confirm, or esc to leave` });
      }
      return { dialog: null, call: callFor(spec) };
    }
  }
}
