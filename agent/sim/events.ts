// Warning events the way Kubernetes aggregates them: one entry per (namespace, object, reason) whose
// count grows each time the condition is seen again.
import type { SimEvent, SimState } from './state.js';

/** Events not seen for this long are no longer "recent". */
export const EVENT_TTL_MS = 60 * 60 * 1000;
/** Bounds the state however long a fault storm lasts. */
export const MAX_EVENTS = 500;

export function recordEvent(draft: SimState, e: Pick<SimEvent, 'namespace' | 'object' | 'reason' | 'message'>): void {
  const existing = draft.events.find((x) => x.namespace === e.namespace && x.object === e.object && x.reason === e.reason);
  if (existing) {
    existing.count += 1;
    existing.message = e.message;
    existing.lastSeen = draft.now;
    return;
  }
  draft.events.push({ ...e, count: 1, firstSeen: draft.now, lastSeen: draft.now });
}

export function expireEvents(draft: SimState): void {
  const cutoff = Date.parse(draft.now) - EVENT_TTL_MS;
  draft.events = draft.events.filter((e) => Date.parse(e.lastSeen) >= cutoff);
  if (draft.events.length > MAX_EVENTS) {
    draft.events.sort((a, b) => Date.parse(b.lastSeen) - Date.parse(a.lastSeen));
    draft.events.length = MAX_EVENTS;
  }
}
