// The `cluster:<name>` topics: a snapshot of one cluster's detail (null for an unknown cluster),
// and a fresh one whenever that cluster changes. A slow client gets only the latest, once drained.
import type { ClusterSnapshotFrame } from '../../core/protocol.js';
import { TopicChannel } from '../api/topic-channel.js';
import type { FleetService } from './service.js';
import type { FleetChangeEvent } from './state.js';

const PREFIX = 'cluster:';

interface ClusterParams {
  name: string;
}

export function clusterTopic(fleet: Pick<FleetService, 'state' | 'detail'>): TopicChannel<FleetChangeEvent, ClusterParams, true> {
  const snapshot = (name: string, rev: number): ClusterSnapshotFrame => ({ topic: `${PREFIX}${name}`, kind: 'snapshot', rev, data: fleet.detail(name, Date.now()) });
  // One event can name every cluster; each subscription asks it once, so look names up in a set.
  const nameSets = new WeakMap<FleetChangeEvent, Set<string>>();
  const names = (event: FleetChangeEvent): Set<string> => {
    let set = nameSets.get(event);
    if (!set) {
      set = new Set([...event.upserted, ...event.removed]);
      nameSets.set(event, set);
    }
    return set;
  };
  return new TopicChannel<FleetChangeEvent, ClusterParams, true>({
    pattern: `${PREFIX}<name>`,
    parse: (name) => (name.startsWith(PREFIX) ? { name: name.slice(PREFIX.length) } : undefined),
    action: 'cluster.read',
    target: (p) => ({ clusters: [p.name] }),
    snapshot: (p) => ({ rev: fleet.state.rev, frame: snapshot(p.name, fleet.state.rev) }),
    listen: (publish) => fleet.state.subscribe(publish),
    concerns: (event, p) => names(event).has(p.name),
    frame: (event, p) => snapshot(p.name, event.rev),
    shareKey: (p) => p.name,
    slow: {
      kind: 'coalesce',
      merge: () => true,
      catchUp: (_changed, p) => ({ rev: fleet.state.rev, frame: snapshot(p.name, fleet.state.rev) }),
    },
  });
}
