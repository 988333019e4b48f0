// Label selectors (query strings and LabelSelector objects) and field selectors, with the field
// labels each resource supports: any other field is a 400, as from a real API server.
import { ApiError, isPlainObject, type Obj } from './common.js';

type Requirement = (labels: Record<string, string>) => boolean;

export function parseLabelSelector(selector: string): Requirement[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of selector) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim() !== '') parts.push(cur);
  return parts.map((raw) => {
    const p = raw.trim();
    let m = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(p);
    if (m) {
      const [, key, op, list] = m as unknown as [string, string, string, string];
      const values = list.split(',').map((s) => s.trim());
      return op === 'in' ? (l) => l[key] !== undefined && values.includes(l[key]) : (l) => l[key] === undefined || !values.includes(l[key]);
    }
    m = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(p);
    if (m) {
      const [, key, op, value] = m as unknown as [string, string, string, string];
      return op === '!=' ? (l) => l[key] !== value : (l) => l[key] === value;
    }
    if (p.startsWith('!')) return (l) => l[p.slice(1).trim()] === undefined;
    if (/^[A-Za-z0-9_./-]+$/.test(p)) return (l) => l[p] !== undefined;
    throw new ApiError(400, 'BadRequest', `unable to parse requirement: invalid label selector "${selector}"`);
  });
}

export function matchesLabels(obj: Obj, reqs: Requirement[]): boolean {
  const labels = (obj.metadata?.labels ?? {}) as Record<string, string>;
  return reqs.every((r) => r(labels));
}

/** A LabelSelector object (matchLabels, matchExpressions); an empty one matches everything, none matches nothing. */
export function matchSelector(selector: Obj | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  const ml = (selector.matchLabels ?? {}) as Record<string, string>;
  const exprs = (selector.matchExpressions ?? []) as Obj[];
  if (Object.keys(ml).length === 0 && exprs.length === 0) return true;
  if (!Object.entries(ml).every(([k, v]) => labels[k] === v)) return false;
  return exprs.every((e) => {
    const v = labels[e.key as string];
    const values = (e.values ?? []) as string[];
    switch (e.operator) {
      case 'In':
        return v !== undefined && values.includes(v);
      case 'NotIn':
        return v === undefined || !values.includes(v);
      case 'Exists':
        return v !== undefined;
      case 'DoesNotExist':
        return v === undefined;
      default:
        return false;
    }
  });
}

function at(obj: Obj, path: string): unknown {
  let cur: unknown = obj;
  for (const seg of path.split('.')) cur = isPlainObject(cur) ? cur[seg] : undefined;
  return cur;
}

const text = (path: string) => (o: Obj): string => {
  const v = at(o, path);
  return v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
};
const bool = (path: string) => (o: Obj): string => String(at(o, path) === true);

type FieldLabels = Record<string, (o: Obj) => string>;

const COMMON: FieldLabels = { 'metadata.name': text('metadata.name'), 'metadata.namespace': text('metadata.namespace') };

/** The field labels the API server registers per resource (pkg/registry/*: GetAttrs / field label conversion). */
const FIELD_LABELS: Record<string, FieldLabels> = {
  pods: {
    'spec.nodeName': text('spec.nodeName'),
    'spec.restartPolicy': text('spec.restartPolicy'),
    'spec.schedulerName': text('spec.schedulerName'),
    'spec.serviceAccountName': text('spec.serviceAccountName'),
    'spec.hostNetwork': bool('spec.hostNetwork'),
    'status.phase': text('status.phase'),
    'status.podIP': text('status.podIP'),
    'status.nominatedNodeName': text('status.nominatedNodeName'),
  },
  events: {
    'involvedObject.kind': text('involvedObject.kind'),
    'involvedObject.namespace': text('involvedObject.namespace'),
    'involvedObject.name': text('involvedObject.name'),
    'involvedObject.uid': text('involvedObject.uid'),
    'involvedObject.apiVersion': text('involvedObject.apiVersion'),
    'involvedObject.resourceVersion': text('involvedObject.resourceVersion'),
    'involvedObject.fieldPath': text('involvedObject.fieldPath'),
    reason: text('reason'),
    reportingComponent: text('reportingComponent'),
    source: text('source.component'),
    type: text('type'),
  },
  secrets: { type: text('type') },
  nodes: { 'spec.unschedulable': bool('spec.unschedulable') },
  namespaces: { 'status.phase': text('status.phase') },
  replicasets: { 'status.replicas': (o) => String((at(o, 'status.replicas') as number | undefined) ?? 0) },
};

/** Parses a field selector for a resource; a field the resource does not support is refused. */
export function parseFieldSelector(plural: string, selector: string): ((o: Obj) => boolean)[] {
  const labels = { ...COMMON, ...(FIELD_LABELS[plural] ?? {}) };
  return selector
    .split(',')
    .filter((p) => p.trim() !== '')
    .map((p) => {
      const m = /^([A-Za-z.]+)\s*(==|=|!=)\s*(.*)$/.exec(p.trim());
      if (!m) throw new ApiError(400, 'BadRequest', `invalid selector: '${selector}'; can't understand '${p}'`);
      const [, field, op, value] = m as unknown as [string, string, string, string];
      const get = labels[field];
      if (!get) throw new ApiError(400, 'BadRequest', `field label not supported: ${field}`);
      return op === '!=' ? (o: Obj) => get(o) !== value : (o: Obj) => get(o) === value;
    });
}
