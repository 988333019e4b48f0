// JSON messages become dotted `fields` (DESIGN.md §3.6) so `fields.http.status:500` can be searched.
// The caps of LOG_LIMITS bound what one hostile line can cost: a field count (the rest counted in
// `_truncated`), a depth (deeper values kept as a bounded JSON string), and key and value lengths.
// Pure.
import { LOG_LIMITS, type FieldValue } from '../../core/logs/record.js';
import { cleanText } from './text.js';

export const TRUNCATED_KEY = '_truncated';

/** Bounded JSON text of a value: stops once `budget` characters are written (so a deep or huge value costs at most that). */
export function boundedJson(value: unknown, budget: number): string {
  const out: string[] = [];
  let used = 0;
  const push = (s: string): boolean => {
    out.push(s);
    used += s.length;
    return used < budget;
  };
  const walk = (v: unknown): boolean => {
    if (v === null || typeof v !== 'object') return push(JSON.stringify(v) ?? 'null');
    if (Array.isArray(v)) {
      if (!push('[')) return false;
      for (let i = 0; i < v.length; i++) {
        if (i > 0 && !push(',')) return false;
        if (!walk(v[i])) return false;
      }
      return push(']');
    }
    if (!push('{')) return false;
    let first = true;
    for (const [k, x] of Object.entries(v)) {
      if (!first && !push(',')) return false;
      first = false;
      if (!push(JSON.stringify(k) + ':')) return false;
      if (!walk(x)) return false;
    }
    return push('}');
  };
  walk(value);
  const s = out.join('');
  return s.length > budget ? s.slice(0, budget) : s;
}

function clampKey(k: string): string {
  return k.length > LOG_LIMITS.fieldKeyChars ? k.slice(0, LOG_LIMITS.fieldKeyChars) : k;
}

function leaf(v: unknown): FieldValue {
  if (typeof v === 'string') {
    const s = cleanText(v);
    return s.length > LOG_LIMITS.fieldValueChars ? s.slice(0, LOG_LIMITS.fieldValueChars) : s;
  }
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return v;
  return cleanText(boundedJson(v, LOG_LIMITS.fieldValueChars));
}

/**
 * Flatten a parsed JSON object into at most LOG_LIMITS.fields dotted keys, in document order
 * (arrays by index: `tags.0`). `skip` names top-level keys left out (the one shown as the message).
 * Written straight into the result (no entry pairs: this runs for every JSON line); a `__proto__`
 * key is defined as an ordinary own field and never touches a prototype.
 */
export function flattenFields(obj: Record<string, unknown>, skip?: string): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  // Every field added counts against the cap, also one whose key repeats an earlier one.
  let added = 0;
  let dropped = 0;
  const add = (key: string, v: unknown): void => {
    if (added >= LOG_LIMITS.fields) dropped++;
    else {
      added++;
      setField(out, clampKey(key), leaf(v));
    }
  };
  const walk = (v: unknown, key: string, depth: number): void => {
    if (v !== null && typeof v === 'object' && depth < LOG_LIMITS.fieldDepth) {
      if (Array.isArray(v)) {
        if (v.length === 0) return add(key, '[]');
        for (let i = 0; i < v.length; i++) {
          if (added >= LOG_LIMITS.fields) dropped += countLeaves(v[i], depth + 1);
          else walk(v[i], key === '' ? String(i) : `${key}.${i}`, depth + 1);
        }
        return;
      }
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o);
      if (keys.length === 0) return add(key, '{}');
      for (const k of keys) {
        if (added >= LOG_LIMITS.fields) dropped += countLeaves(o[k], depth + 1);
        else walk(o[k], key === '' ? k : `${key}.${k}`, depth + 1);
      }
      return;
    }
    add(key, v);
  };
  for (const k of Object.keys(obj)) {
    if (k === skip) continue;
    if (added >= LOG_LIMITS.fields) dropped += countLeaves(obj[k], 1);
    else walk(obj[k], k, 1);
  }
  if (dropped > 0) setField(out, TRUNCATED_KEY, dropped);
  return out;
}

function setField(out: Record<string, FieldValue>, key: string, value: FieldValue): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

// How many fields a value would have produced: what `_truncated` reports for a value past the cap.
// Bounded by the depth cap like the walk itself.
function countLeaves(v: unknown, depth: number): number {
  if (v === null || typeof v !== 'object' || depth >= LOG_LIMITS.fieldDepth) return 1;
  const kids = Array.isArray(v) ? (v as unknown[]) : Object.values(v);
  if (kids.length === 0) return 1;
  let n = 0;
  for (const x of kids) n += countLeaves(x, depth + 1);
  return n;
}
