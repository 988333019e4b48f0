// Fleet rows keyed by name, with the rev of the snapshot/patch chain they came from. A patch that
// does not start at the held rev is refused and flagged so the client resubscribes.
import type { ClusterRow, FleetChange } from '../../core/fleet.js';

export interface FleetState {
  rev: number | null;
  rows: ReadonlyMap<string, ClusterRow>;
  /** Set when a patch arrived out of sequence; cleared by the next snapshot. */
  gap: { heldRev: number | null; fromRev: number } | null;
  /** What the last patch changed, so derived lists update in place instead of re-sorting them all. */
  delta: FleetDelta | null;
}

export interface FleetDelta {
  /** The rows map the patch was applied to. */
  from: ReadonlyMap<string, ClusterRow>;
  /** Each changed cluster once, however often the patch named it. */
  names: readonly string[];
}

export type FleetAction =
  | { type: 'fleet/snapshot'; rev: number; rows: ClusterRow[] }
  | { type: 'fleet/patch'; rev: number; fromRev: number; changes: FleetChange[] };

export function initialFleet(): FleetState {
  return { rev: null, rows: new Map(), gap: null, delta: null };
}

export function reduceFleet(state: FleetState, action: FleetAction): FleetState {
  switch (action.type) {
    case 'fleet/snapshot':
      return { rev: action.rev, rows: new Map(action.rows.map((r) => [r.name, r])), gap: null, delta: null };
    case 'fleet/patch': {
      if (state.rev === null || action.fromRev !== state.rev) {
        return { ...state, gap: { heldRev: state.rev, fromRev: action.fromRev } };
      }
      const rows = new Map(state.rows);
      const names: string[] = [];
      for (const change of action.changes) {
        if (change.op === 'upsert') {
          rows.set(change.row.name, change.row);
          names.push(change.row.name);
        } else {
          rows.delete(change.name);
          names.push(change.name);
        }
      }
      return { rev: action.rev, rows, gap: null, delta: { from: state.rows, names: [...new Set(names)] } };
    }
  }
}
