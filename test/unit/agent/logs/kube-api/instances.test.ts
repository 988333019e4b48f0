// Which container instances the kube API input reads, and how the kubelet serves each one now.
import { describe, expect, it } from 'vitest';
import { howToRead, instanceKey, KubeCheckpointSchema, startedInstances, statusOf, type PodView } from '../../../../../agent/logs/kube-api/instances.js';

const pod = (name: string, statuses: PodView['status'], nodeName = 'node-1'): PodView => ({ metadata: { name, namespace: 'shop', uid: `uid-${name}` }, spec: { nodeName }, status: statuses });

describe('startedInstances', () => {
  it('lists running and terminated containers with their restartCount and node, and skips waiting ones and unscheduled pods', () => {
    const pods = [
      pod('a', { containerStatuses: [{ name: 'app', restartCount: 2, state: { running: {} } }, { name: 'side', state: { waiting: { reason: 'ContainerCreating' } } }], initContainerStatuses: [{ name: 'init', state: { terminated: {} } }] }),
      pod('b', { containerStatuses: [{ name: 'app', state: { running: {} } }] }, ''),
    ];
    expect(startedInstances(pods)).toEqual([
      { key: instanceKey('uid-a', 'init', 0), namespace: 'shop', pod: 'a', uid: 'uid-a', node: 'node-1', container: 'init', restart: 0 },
      { key: 'uid-a/app/2', namespace: 'shop', pod: 'a', uid: 'uid-a', node: 'node-1', container: 'app', restart: 2 },
    ]);
    expect(statusOf(pods, 'uid-a', 'app')?.restartCount).toBe(2);
    expect(statusOf(pods, 'uid-x', 'app')).toBeUndefined();
  });
});

describe('howToRead', () => {
  it('follows the running instance, reads a terminated one to its end, the one before through previous, and knows an older one is gone', () => {
    expect(howToRead(1, { name: 'c', restartCount: 1, state: { running: {} } })).toEqual({ how: 'current', follow: true });
    expect(howToRead(1, { name: 'c', restartCount: 1, state: { terminated: {} } })).toEqual({ how: 'current', follow: false });
    expect(howToRead(1, { name: 'c', restartCount: 2, state: { running: {} } })).toEqual({ how: 'previous', follow: false });
    expect(howToRead(1, { name: 'c', restartCount: 1, state: { waiting: {} }, lastState: { terminated: {} } })).toEqual({ how: 'previous', follow: false });
    expect(howToRead(0, { name: 'c', restartCount: 0, state: { waiting: {} } })).toEqual({ how: 'waiting', follow: false });
    expect(howToRead(1, { name: 'c', restartCount: 3, state: { running: {} } })).toEqual({ how: 'gone', follow: false });
    expect(howToRead(1, undefined)).toEqual({ how: 'gone', follow: false });
  });
});

describe('KubeCheckpointSchema', () => {
  it('accepts what the input writes and refuses a damaged entry', () => {
    const entry = { namespace: 'shop', pod: 'a', uid: 'uid-a', container: 'app', node: 'node-1', restart: 0, ts: '2026-01-02T03:04:05.000000000Z', n: 1 };
    expect(KubeCheckpointSchema.safeParse({ version: 1, instances: { 'uid-a/app/0': entry } }).success).toBe(true);
    expect(KubeCheckpointSchema.safeParse({ version: 1, instances: { 'uid-a/app/0': { ...entry, ts: 'now' } } }).success).toBe(false);
    expect(KubeCheckpointSchema.safeParse({ version: 2, instances: {} }).success).toBe(false);
  });
});
