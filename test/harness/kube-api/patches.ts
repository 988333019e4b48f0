// The patch formats the API server accepts (JSON merge, strategic merge for the lists Flotilla
// touches, JSON patch) and the field paths server-side apply and managedFields are kept by.
import { ApiError, clone, isPlainObject, type Obj } from './common.js';

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return clone(patch);
  const out: Obj = isPlainObject(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Strategic merge for the lists Flotilla touches: lists of objects keyed by `name` (containers, env, ports, volumes) merge by that key. */
export function strategicMerge(target: unknown, patch: unknown): unknown {
  if (Array.isArray(patch) && Array.isArray(target) && patch.every((p) => isPlainObject(p) && typeof p.name === 'string')) {
    const out = clone(target) as unknown[];
    for (const item of patch as Obj[]) {
      const i = out.findIndex((t) => isPlainObject(t) && t.name === item.name);
      if (i >= 0) out[i] = strategicMerge(out[i], item);
      else out.push(clone(item));
    }
    return out;
  }
  if (!isPlainObject(patch)) return clone(patch);
  const out: Obj = isPlainObject(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = strategicMerge(out[k], v);
  }
  return out;
}

function pointer(path: string): string[] {
  return path
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

export function jsonPatch(doc: Obj, ops: unknown): Obj {
  if (!Array.isArray(ops)) throw new ApiError(400, 'BadRequest', 'the body of a json patch must be an array of operations');
  const out = clone(doc);
  for (const op of ops as Obj[]) {
    const segs = pointer(String(op.path));
    const last = segs.pop();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    let parent: any = out;
    for (const s of segs) parent = parent?.[Array.isArray(parent) ? Number(s) : s];
    if (last === undefined || parent === undefined || parent === null) throw new ApiError(422, 'Invalid', `doc is missing path: "${String(op.path)}"`);
    const key = Array.isArray(parent) ? (last === '-' ? parent.length : Number(last)) : last;
    switch (op.op) {
      case 'add':
        if (Array.isArray(parent)) parent.splice(key as number, 0, clone(op.value));
        else parent[key] = clone(op.value);
        break;
      case 'replace':
        if (parent[key] === undefined) throw new ApiError(422, 'Invalid', `the server rejected our request due to an error in our request: replace operation does not apply: doc is missing key: ${String(op.path)}`);
        parent[key] = clone(op.value);
        break;
      case 'remove':
        if (Array.isArray(parent)) parent.splice(key as number, 1);
        else delete parent[key];
        break;
      case 'test':
        if (JSON.stringify(parent[key]) !== JSON.stringify(op.value)) throw new ApiError(422, 'Invalid', `testing value ${String(op.path)} failed`);
        break;
      default:
        throw new ApiError(400, 'BadRequest', `unsupported json patch operation "${String(op.op)}"`);
    }
  }
  return out;
}

/**
 * A field path, as the JSON array of its segments: keys may hold dots (app.kubernetes.io/name,
 * deployment.kubernetes.io/revision), so segments are never joined on one.
 */
export type FieldPath = string;

export function fieldPath(segments: readonly string[]): FieldPath {
  return JSON.stringify(segments);
}

export function segmentsOf(path: FieldPath): string[] {
  return JSON.parse(path) as string[];
}

/** Leaf paths of an object (arrays count as one field, as atomic lists do; an empty object is a leaf). */
export function leafPaths(v: unknown, prefix: string[] = []): FieldPath[] {
  if (!isPlainObject(v) || Object.keys(v).length === 0) return prefix.length === 0 ? [] : [fieldPath(prefix)];
  return Object.entries(v).flatMap(([k, child]) => leafPaths(child, [...prefix, k]));
}

export function getPath(o: Obj, path: FieldPath): unknown {
  let cur: unknown = o;
  for (const seg of segmentsOf(path)) cur = isPlainObject(cur) ? cur[seg] : undefined;
  return cur;
}

/** Removes the field, and the objects above it that it leaves empty. */
export function deletePath(o: Obj, path: FieldPath): void {
  const remove = (cur: unknown, segs: string[]): void => {
    const [head, ...rest] = segs;
    if (head === undefined || !isPlainObject(cur) || !(head in cur)) return;
    if (rest.length === 0) {
      delete cur[head];
      return;
    }
    remove(cur[head], rest);
    if (isPlainObject(cur[head]) && Object.keys(cur[head]).length === 0) delete cur[head];
  };
  remove(o, segmentsOf(path));
}

/** The managedFields form of a set of paths (`f:` per key). */
export function fieldsV1(paths: Iterable<FieldPath>): Obj {
  const root: Obj = {};
  for (const p of paths) {
    let cur = root;
    for (const seg of segmentsOf(p)) cur = (cur[`f:${seg}`] ??= {}) as Obj;
  }
  return root;
}

/** Leaf paths whose values differ between two versions of an object: what an update changed. */
export function changedPaths(prev: Obj, next: Obj): FieldPath[] {
  const all = new Set([...leafPaths(prev), ...leafPaths(next)]);
  return [...all].filter((p) => JSON.stringify(getPath(prev, p)) !== JSON.stringify(getPath(next, p)));
}
