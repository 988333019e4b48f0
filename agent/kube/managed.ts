// Whether a server-side apply changed an object, judged from what the manifest manages. Pure.
//
// The resourceVersion cannot tell: controllers write the same object all the time (the deployment
// controller's status and its deployment.kubernetes.io/revision annotation right after a create or a
// rollout), so a version that moved between the agent's read and its apply says nothing about the
// apply. What the apply does decide is the values at the paths the manifest sets, and which fields
// the field manager owns (a field dropped from the manifest is removed). Both are compared between
// the object as read before and as returned by the apply, so server defaults, uid, timestamps,
// status and annotations set by others weigh on neither side.
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../actions.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Metadata the server sets: never something a manifest manages, whatever a manifest says. */
const SERVER_METADATA = new Set(['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink']);
const TOP_LEVEL_IGNORED = new Set(['apiVersion', 'kind', 'status']);

function isRecord(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A JSON-only copy: Dates from the client become the strings the server sent. */
function json(v: unknown): Json {
  return v === undefined ? null : (JSON.parse(JSON.stringify(v)) as Json);
}

/**
 * The manifest as the server stores it: a Secret's write-only `stringData` lands in `data` (base64),
 * so that is where its values are to be found on the live object.
 */
function storedShape(manifest: KubeObject): Json {
  const m = json(manifest) as Record<string, Json>;
  if (m.kind === 'Secret' && isRecord(m.stringData)) {
    const data: Record<string, Json> = isRecord(m.data) ? { ...m.data } : {};
    for (const [k, v] of Object.entries(m.stringData)) data[k] = Buffer.from(typeof v === 'string' ? v : JSON.stringify(v), 'utf8').toString('base64');
    m.data = data;
    delete m.stringData;
  }
  return m;
}

/** `live` cut down to the paths `shape` sets; list items follow the shape item by item, extra items count whole. */
function project(live: Json | undefined, shape: Json): Json {
  if (live === undefined) return null;
  if (Array.isArray(shape) && Array.isArray(live)) return live.map((item, i) => (i < shape.length ? project(item, shape[i]!) : item));
  if (isRecord(shape) && isRecord(live)) {
    const out: Record<string, Json> = {};
    for (const [k, sub] of Object.entries(shape)) out[k] = project(live[k], sub);
    return out;
  }
  return live;
}

/** What of `live` the manifest manages: the values at the manifest's paths, without status and server-set metadata. */
export function managedContent(live: unknown, manifest: KubeObject): Json {
  const shape = storedShape(manifest) as Record<string, Json>;
  const obj = json(live);
  if (!isRecord(obj)) return null;
  const out: Record<string, Json> = {};
  for (const [k, sub] of Object.entries(shape)) {
    if (TOP_LEVEL_IGNORED.has(k)) continue;
    if (k === 'metadata' && isRecord(sub)) {
      const meta = isRecord(obj.metadata) ? obj.metadata : {};
      out.metadata = Object.fromEntries(Object.entries(sub).filter(([mk]) => !SERVER_METADATA.has(mk)).map(([mk, ms]) => [mk, project(meta[mk], ms)]));
    } else out[k] = project(obj[k], sub);
  }
  return out;
}

/** The fields `manager` owns through apply, as the server lists them in managedFields (undefined: none). */
export function appliedFields(live: unknown, manager: string): Json | undefined {
  const obj = json(live);
  const entries = isRecord(obj) && isRecord(obj.metadata) && Array.isArray(obj.metadata.managedFields) ? obj.metadata.managedFields : [];
  const mine = entries.filter((e): e is Record<string, Json> => isRecord(e) && e.manager === manager && e.operation === 'Apply' && (e.subresource ?? '') === '');
  return mine.length === 0 ? undefined : (mine[0]!.fieldsV1 ?? null);
}

/**
 * Whether applying `manifest` as `manager` left the object as it was: it existed, the values the
 * manifest sets are the same before and after, and the manager owns the same fields (had it owned
 * none, there was nothing of its own to drop).
 */
export function applyUnchanged(before: unknown, after: unknown, manifest: KubeObject, manager: string): boolean {
  if (before === undefined || before === null) return false;
  if (!isDeepStrictEqual(managedContent(before, manifest), managedContent(after, manifest))) return false;
  const owned = appliedFields(before, manager);
  return owned === undefined || isDeepStrictEqual(owned, appliedFields(after, manager));
}
