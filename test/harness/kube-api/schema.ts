// Which fields of a request body the API server's schema does not declare, for field validation
// (fieldValidation=Ignore|Warn|Strict). The schema is the one @kubernetes/client-node's models are
// generated from (the Kubernetes OpenAPI), read through the models' attribute maps.
import * as models from '@kubernetes/client-node';
import { isPlainObject, type Obj } from './common.js';

interface Attribute {
  baseName: string;
  type: string;
}
type Model = { getAttributeTypeMap(): Attribute[] };

function model(type: string): Model | undefined {
  const m = (models as unknown as Record<string, unknown>)[type];
  return typeof m === 'function' && 'getAttributeTypeMap' in m ? (m as unknown as Model) : undefined;
}

function walk(value: unknown, type: string, path: string, out: string[]): void {
  if (value === null || value === undefined) return;
  let m = /^Array<(.+)>$/.exec(type);
  if (m) {
    if (Array.isArray(value)) value.forEach((v, i) => walk(v, m![1]!, `${path}[${i}]`, out));
    return;
  }
  m = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (m) {
    if (isPlainObject(value)) for (const [k, v] of Object.entries(value)) walk(v, m[1]!, `${path}[${k}]`, out);
    return;
  }
  const def = model(type);
  if (!def || !isPlainObject(value)) return;
  const attrs = new Map(def.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  for (const [k, v] of Object.entries(value)) {
    const child = path === '' ? k : `${path}.${k}`;
    const t = attrs.get(k);
    if (t === undefined) out.push(child);
    else walk(v, t, child, out);
  }
}

/** The paths (`spec.template.spec.containers[0].foo`) of fields the schema of apiVersion/kind does not declare. */
export function unknownFields(body: Obj, apiVersion: string, kind: string): string[] {
  const version = apiVersion.split('/').pop() ?? '';
  // Model names are <Version><Kind>; the core Event is the one exception (events.k8s.io has its own).
  const type = kind === 'Event' && !apiVersion.includes('/') ? 'CoreV1Event' : `${version.charAt(0).toUpperCase()}${version.slice(1)}${kind}`;
  const out: string[] = [];
  walk(body, type, '', out);
  return out;
}

/** Removes the fields `unknownFields` named, in place (fieldValidation Ignore and Warn drop them). */
export function dropFields(body: Obj, paths: readonly string[]): void {
  for (const p of paths) {
    const segs = p.match(/[^.[\]]+/g) ?? [];
    const last = segs.pop();
    let cur: unknown = body;
    for (const s of segs) cur = Array.isArray(cur) ? cur[Number(s)] : isPlainObject(cur) ? cur[s] : undefined;
    if (last !== undefined && isPlainObject(cur)) delete cur[last];
  }
}
