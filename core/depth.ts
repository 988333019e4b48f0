// Bounds on the shape of untrusted JSON values (job params): how deep they nest and how many bytes
// they serialise to. Pure. The walk is iterative, so a value nested far past the stack's depth is
// measured without overflowing it — the recursive code downstream (canonical JSON for the audit
// chain, JSON.stringify into the registry, schema checks on the agent) only ever sees bounded values.

export interface JsonBounds {
  /** Containers (objects and arrays) nested inside each other; the value itself is level 1. */
  maxDepth: number;
  /** UTF-8 bytes of the value's JSON text. */
  maxBytes: number;
}

export type BoundsViolation = { kind: 'depth'; limit: number } | { kind: 'bytes'; limit: number; bytes: number };

/** Nesting depth of a JSON value, counted up to limit + 1 at most (so a huge value costs no more than needed). */
export function jsonDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (typeof node !== 'object' || node === null) continue;
    if (depth > deepest) deepest = depth;
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(node) ? node : Object.values(node as Record<string, unknown>)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return deepest;
}

/** The first bound a value breaks, or null if it keeps both. Depth is checked first, so the size is only measured on a value that is safe to serialise. */
export function checkJsonBounds(value: unknown, bounds: JsonBounds): BoundsViolation | null {
  if (jsonDepth(value, bounds.maxDepth) > bounds.maxDepth) return { kind: 'depth', limit: bounds.maxDepth };
  const bytes = Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
  if (bytes > bounds.maxBytes) return { kind: 'bytes', limit: bounds.maxBytes, bytes };
  return null;
}

/** Completes "params …": "nest deeper than 100 levels" / "are 1048577 bytes of JSON, over the 1048576-byte limit". */
export function describeViolation(v: BoundsViolation): string {
  return v.kind === 'depth' ? `nest deeper than ${v.limit} levels` : `are ${v.bytes} bytes of JSON, over the ${v.limit}-byte limit`;
}
