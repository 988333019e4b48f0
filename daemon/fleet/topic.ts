// The `fleet` topic: a snapshot of every cluster row, then a patch per change whose fromRev is the
// rev the client must hold. Rows are built when a frame is, so age-driven changes (a silent cluster
// turning unreachable) go out as they happen. A slow client's changes are coalesced per cluster,
// latest row wins, into one patch from its last rev once it drains.
import type { FleetChange } from '../../core/fleet.js';
import type { FleetPatchFrame, FleetSnapshotFrame } from '../../core/protocol.js';
import { named, TopicChannel, type NoParams } from '../api/topic-channel.js';
import type { FleetChangeEvent, FleetState } from './state.js';

/** Current changes for these clusters: an upsert with a fresh row, or a remove if gone. */
function changesFor(state: FleetState, names: Iterable<string>, nowMs: number): FleetChange[] {
  const out: FleetChange[] = [];
  for (const name of names) {
    const row = state.row(name, nowMs);
    out.push(row ? { op: 'upsert', row } : { op: 'remove', name });
  }
  return out;
}

function patch(state: FleetState, rev: number, fromRev: number, names: Iterable<string>): FleetPatchFrame {
  return { topic: 'fleet', kind: 'patch', rev, fromRev, changes: changesFor(state, names, Date.now()) };
}

export function fleetTopic(state: FleetState): TopicChannel<FleetChangeEvent, NoParams, Set<string>> {
  return new TopicChannel<FleetChangeEvent, NoParams, Set<string>>({
    pattern: 'fleet',
    parse: named('fleet'),
    action: 'cluster.read',
    snapshot: () => {
      const frame: FleetSnapshotFrame = { topic: 'fleet', kind: 'snapshot', rev: state.rev, data: state.rows(Date.now()) };
      return { rev: frame.rev, frame };
    },
    listen: (publish) => state.subscribe(publish),
    inStep: (event, heldRev) => heldRev === event.rev - 1,
    frame: (event) => patch(state, event.rev, event.rev - 1, [...event.upserted, ...event.removed]),
    slow: {
      kind: 'coalesce',
      merge: (backlog, event) => {
        const names = backlog ?? new Set<string>();
        for (const n of event.upserted) names.add(n);
        for (const n of event.removed) names.add(n);
        return names;
      },
      catchUp: (names, _params, heldRev) => ({ rev: state.rev, frame: patch(state, state.rev, heldRev, names) }),
    },
  });
}
