import { describe, expect, it } from 'vitest';
import { blastRadius } from '../../../../daemon/jobs/blast-radius.js';
import { makeStatusReport } from '../../../harness/fake-agent.js';

describe('dry-run blast radius', () => {
  const report = makeStatusReport('c1', 1, { nodes: 2, workloads: 3 });

  it('names the node and its pods for drain, the replicas change for scale, and the namespace workloads for cleanup', () => {
    expect(blastRadius('c1', 'drain', { node: 'c1-node-1' }, report).affected).toEqual(['node c1-node-1 (schedulable, 20 pods to evict)']);
    expect(blastRadius('c1', 'scale', { namespace: 'apps', name: 'app-2', kind: 'Deployment', replicas: 7 }, report).affected).toEqual(['Deployment apps/app-2 replicas 2 → 7']);
    expect(blastRadius('c1', 'cleanup', { namespace: 'apps', teardown: false }, report).affected).toEqual([
      'namespace apps',
      'Deployment apps/app-0 (2 replicas)',
      'Deployment apps/app-1 (2 replicas)',
      'Deployment apps/app-2 (2 replicas)',
    ]);
    expect(blastRadius('c1', 'backup', { backupId: 'b', namespaces: ['apps', 'none'] }, report).affected).toEqual(['namespace apps (3 workloads)', 'namespace none (0 workloads)']);
  });

  it('warns when the object is not in the report or there is no report', () => {
    expect(blastRadius('c1', 'cordon', { node: 'ghost' }, report)).toMatchObject({ affected: [], warning: 'node ghost is not in the latest status report' });
    expect(blastRadius('c1', 'restart', { namespace: 'apps', name: 'web' }, null)).toMatchObject({ affected: ['Deployment apps/web'], warning: expect.stringMatching(/no status report/) as unknown });
  });
});
