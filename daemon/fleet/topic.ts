// The `fleet` topic: a snapshot of every cluster row, then a patch per change whose fromRev is the
// rev the client must hold. Rows are built when a frame is, so age-driven changes (a silent cluster
// turning unreachable) go out as they happen. A slow client's changes are coalesced per cluster,
// latest row wins, into one patch from its last rev once it drains.
import type { ClusterRow, FleetChange } from '../../core/fleet.js';
import type { FleetPatchFrame, FleetSnapshotFrame } from '../../core/protocol.js';
import { TopicChannel } from '../api/topic-channel.js';
import { scopeView, type ScopeView } from '../auth/scope.js';
import type { FleetChangeEvent, FleetState } from './state.js';

/**
 * The clusters each scoped view has been shown, by view key: a cluster leaving the view goes out as
 * a remove to views that had it, and no view ever hears the name of a cluster it never saw. A key's
 * set goes when the last subscription of that view ends (a new one starts from its snapshot).
 */
type Seen = Map<string, Set<string>>;

function seenBy(seen: Seen, view: ScopeView): Set<string> {
  let set = seen.get(view.key);
  if (!set) {
    set = new Set();
    seen.set(view.key, set);
  }
  return set;
}

const ROWS_FRESH_MS = 1000;

/**
 * The rows of the state as it is now, each built once however many views (distinct scopes) a change
 * fans out to; a new rev, or a second gone by (age-driven health moves on), starts afresh.
 */
class CurrentRows {
  private rev = -1;
  private atMs = 0;
  private readonly rows = new Map<string, ClusterRow | undefined>();
  private readonly upserts = new Map<string, string>();

  constructor(private readonly state: FleetState) {}

  row(name: string): ClusterRow | undefined {
    const now = Date.now();
    if (this.state.rev !== this.rev || now - this.atMs > ROWS_FRESH_MS) {
      this.rows.clear();
      this.upserts.clear();
      this.rev = this.state.rev;
      this.atMs = now;
    }
    if (!this.rows.has(name)) this.rows.set(name, this.state.row(name, this.atMs));
    return this.rows.get(name);
  }

  /** The upsert of a row that row() just gave, serialised once for every view. */
  upsertText(change: Extract<FleetChange, { op: 'upsert' }>): string {
    // A row from before a reset (the second passed while a frame was built) is serialised, not cached.
    const current = this.rows.get(change.row.name) === change.row;
    let text = current ? this.upserts.get(change.row.name) : undefined;
    if (text === undefined) {
      text = JSON.stringify(change);
      if (current) this.upserts.set(change.row.name, text);
    }
    return text;
  }
}

/** Current changes for these clusters as the view sees them: an upsert with a fresh row, or a remove if gone or out of view. */
function changesFor(rows: CurrentRows, names: Iterable<string>, view: ScopeView | null, seen: Seen): FleetChange[] {
  const out: FleetChange[] = [];
  const shown = view === null ? null : seenBy(seen, view);
  for (const name of names) {
    const row = rows.row(name);
    if (view === null || shown === null) {
      out.push(row ? { op: 'upsert', row } : { op: 'remove', name });
    } else if (row && view.sees(name)) {
      shown.add(name);
      out.push({ op: 'upsert', row });
    } else if (shown.has(name)) {
      out.push({ op: 'remove', name });
    }
  }
  return out;
}

function patch(rows: CurrentRows, rev: number, fromRev: number, names: Iterable<string>, view: ScopeView | null, seen: Seen): FleetPatchFrame {
  return { topic: 'fleet', kind: 'patch', rev, fromRev, changes: changesFor(rows, names, view, seen) };
}

/**
 * The same patch as text: each view's frame is the rows it sees, and with many distinct scopes the
 * serialising of those rows is what costs, so each row's upsert is serialised once for all of them.
 */
function patchText(rows: CurrentRows, rev: number, fromRev: number, names: Iterable<string>, view: ScopeView | null, seen: Seen): string {
  const changes = changesFor(rows, names, view, seen).map((c) => (c.op === 'upsert' ? rows.upsertText(c) : JSON.stringify(c)));
  return `{"topic":"fleet","kind":"patch","rev":${rev},"fromRev":${fromRev},"changes":[${changes.join(',')}]}`;
}

/** A subscription's view: every cluster, or those its grants cover (docs/ACCESS.md). */
interface FleetParams {
  view: ScopeView | null;
}

/**
 * A scoped subscriber gets the rows of its clusters only, judged on their labels as they are when a
 * frame is built: a cluster whose labels move it out of scope goes out as a remove, one that moves in
 * as an upsert (label changes are changes of the row, so they come as events).
 */
export function fleetTopic(state: FleetState): TopicChannel<FleetChangeEvent, FleetParams, Set<string>> {
  const labelsOf = (name: string) => state.get(name)?.record.labels;
  const seen: Seen = new Map();
  /** Open subscriptions per view key, so a key's seen set is dropped with its last one. */
  const holders = new Map<string, number>();
  const rows = new CurrentRows(state);
  const names = (event: FleetChangeEvent) => [...event.upserted, ...event.removed];
  return new TopicChannel<FleetChangeEvent, FleetParams, Set<string>>({
    pattern: 'fleet',
    parse: (name, _query, _after, who) => (name === 'fleet' ? { view: scopeView(who, 'cluster.read', labelsOf) } : undefined),
    action: 'cluster.read',
    snapshot: (p) => {
      const all = state.rows(Date.now());
      const { view } = p;
      const data = view === null ? all : all.filter((r) => view.sees(r.name));
      if (view !== null) {
        holders.set(view.key, (holders.get(view.key) ?? 0) + 1);
        for (const r of data) seenBy(seen, view).add(r.name);
      }
      const frame: FleetSnapshotFrame = { topic: 'fleet', kind: 'snapshot', rev: state.rev, data };
      return { rev: frame.rev, frame };
    },
    listen: (publish) => state.subscribe(publish),
    inStep: (event, heldRev) => heldRev === event.rev - 1,
    // An event of none of a view's clusters is not sent to it; the next one that is comes as a
    // catch-up patch from the rev it holds (not in step), so its revs stay a chain.
    concerns: (event, p) => p.view === null || names(event).some((n) => p.view?.sees(n) === true || seen.get(p.view?.key ?? '')?.has(n) === true),
    frame: (event, p) => patch(rows, event.rev, event.rev - 1, names(event), p.view, seen),
    frameText: (event, p) => patchText(rows, event.rev, event.rev - 1, names(event), p.view, seen),
    shareKey: (p) => p.view?.key ?? '',
    released: (p) => {
      if (p.view === null) return;
      const left = (holders.get(p.view.key) ?? 1) - 1;
      if (left > 0) {
        holders.set(p.view.key, left);
        return;
      }
      holders.delete(p.view.key);
      seen.delete(p.view.key);
    },
    slow: {
      kind: 'coalesce',
      merge: (backlog, event) => {
        const names = backlog ?? new Set<string>();
        for (const n of event.upserted) names.add(n);
        for (const n of event.removed) names.add(n);
        return names;
      },
      catchUp: (backlog, p, heldRev) => ({ rev: state.rev, frame: patch(rows, state.rev, heldRev, backlog, p.view, seen) }),
    },
  });
}
