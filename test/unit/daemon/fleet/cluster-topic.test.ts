/* eslint-disable @typescript-eslint/no-unsafe-return -- frames are checked by assertions, not by types */
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../core/log.js';
import { clusterTopic } from '../../../../daemon/fleet/cluster-topic.js';
import { FleetService } from '../../../../daemon/fleet/service.js';
import { FleetState } from '../../../../daemon/fleet/state.js';
import { DaemonMetrics } from '../../../../daemon/metrics.js';
import { Registry } from '../../../../daemon/registry/registry.js';
import { cleanupTempDirs, tempDir } from '../../../harness/tmp.js';
import { fakeSession, openNow, setSlow } from '../api/fake-session.js';
import { FLEET_ADMIN } from '../../../harness/identities.js';

const ADMIN = { id: 'admin', name: 'admin' };
let registry: Registry;
let fleet: FleetService;

beforeEach(() => {
  registry = Registry.open(join(tempDir('flotilla-cluster-topic-'), 'registry.db'));
  const state = new FleetState(3);
  fleet = new FleetService(registry, state, new DaemonMetrics(() => state.healthCounts(Date.now())), silentLogger());
});
afterEach(() => registry.close());
afterAll(cleanupTempDirs);

function add(name: string, labels: Record<string, string> = {}): void {
  fleet.addCluster(ADMIN, { name, labels, expiresAt: null, intervalSeconds: 10, tokenHash: 'x' });
}

function subscribe(topic: ReturnType<typeof clusterTopic>, name: string) {
  const { sock, session } = fakeSession();
  const request = topic.match(`cluster:${name}`, undefined, undefined, FLEET_ADMIN)!;
  const { snapshot } = openNow(request, session);
  session.sendText(JSON.stringify(snapshot));
  return { sock, session };
}

describe('cluster:<name> topic', () => {
  it('asks to read that one cluster', () => {
    const topic = clusterTopic(fleet);
    expect(topic.match('fleet', undefined, undefined, FLEET_ADMIN)).toBeUndefined();
    expect(topic.match('cluster:edge-1', undefined, undefined, FLEET_ADMIN)).toMatchObject({ action: 'cluster.read', target: { clusters: ['edge-1'] } });
  });

  it('sends a null snapshot for an unknown cluster, a fresh one when that cluster changes, and nothing for others', () => {
    const topic = clusterTopic(fleet);
    const { sock } = subscribe(topic, 'edge-1');
    add('other');
    add('edge-1', { env: 'prod' });
    fleet.removeCluster(ADMIN, 'edge-1');
    expect(sock.sent.map((f) => [f.topic, f.rev, f.data?.row.labels ?? null])).toEqual([
      ['cluster:edge-1', 0, null],
      ['cluster:edge-1', 2, { env: 'prod' }],
      ['cluster:edge-1', 3, null],
    ]);
  });

  it('holds back snapshots while slow and sends only the latest once drained', () => {
    const topic = clusterTopic(fleet);
    add('a');
    const { sock, session } = subscribe(topic, 'a');
    setSlow(sock, true);
    fleet.state.changed(['a']);
    fleet.state.changed(['a']);
    expect(sock.sent).toHaveLength(1);
    setSlow(sock, false);
    topic.flush(session);
    topic.flush(session);
    expect(sock.sent.slice(1).map((f) => [f.topic, f.rev, f.data.row.name])).toEqual([['cluster:a', 3, 'a']]);
  });
});
