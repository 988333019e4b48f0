// Timestamps as the API server writes them: metav1.Time is RFC 3339 in whole seconds (a fraction a
// client sends is cut off on the way in), metav1.MicroTime (an event's eventTime, a series'
// lastObservedTime) keeps microseconds.
import { isPlainObject, type Obj } from './common.js';

/** Keys whose values are metav1.Time wherever they appear in the objects this server serves. */
const TIME_KEYS = new Set(['creationTimestamp', 'deletionTimestamp', 'firstTimestamp', 'lastTimestamp', 'startTime', 'lastTransitionTime', 'lastProbeTime', 'lastHeartbeatTime', 'startedAt', 'finishedAt', 'lastUpdateTime', 'time']);
/** Maps whose values are metav1.Time (a PodDisruptionBudget's disruptedPods). */
const TIME_MAP_KEYS = new Set(['disruptedPods']);
/** User data: never walked, whatever its keys are called. */
const OPAQUE_KEYS = new Set(['data', 'stringData', 'binaryData', 'labels', 'annotations', 'fieldsV1']);

export function wholeSeconds(t: Date | number = Date.now()): string {
  const ms = typeof t === 'number' ? t : t.getTime();
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function microTime(t: Date = new Date()): string {
  return t.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function truncate(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const ms = Date.parse(v);
  return Number.isNaN(ms) ? v : wholeSeconds(ms);
}

/** Cuts every metav1.Time in the object down to whole seconds, in place. */
export function normaliseTimes(o: unknown): void {
  if (Array.isArray(o)) {
    for (const item of o) normaliseTimes(item);
    return;
  }
  if (!isPlainObject(o)) return;
  const obj: Obj = o;
  for (const [k, v] of Object.entries(obj)) {
    if (OPAQUE_KEYS.has(k)) continue;
    if (TIME_KEYS.has(k)) obj[k] = truncate(v);
    else if (TIME_MAP_KEYS.has(k) && isPlainObject(v)) for (const [name, t] of Object.entries(v)) v[name] = truncate(t);
    else normaliseTimes(v);
  }
}
