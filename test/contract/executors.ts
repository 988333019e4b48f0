// The executor contract: what every backend's ClusterActions must do, observed the way an operator
// sees it (status collection and exported objects), never by peeking into a backend's internals.
//
// Fixture every `make` must provide, fresh for each test:
//   nodes            node-1, node-2, node-3 (Ready, schedulable, room for every pod below)
//   kube-system      DaemonSet log-agent: one pod on every node
//   payments         Namespace (label team=payments); Deployment api, 3 replicas, pod labels app=api,
//                    one pod on each node; PodDisruptionBudget api {minAvailable: 2, selector app=api};
//                    Service api; ConfigMap api-config; Secret api-credentials (Opaque, data username,
//                    password); ServiceAccount api (no token Secret yet)
//   checkout         Namespace (label team=checkout); StatefulSet db, 2 replicas: db-0 on node-1, db-1 on node-2
// Conventions the suite holds backends to: actions throw a FlotillaError to fail; restart's output says
// `restarted: true|false`; a namespace applyObjects has to create for an object is labelled
// flotilla.dev/managed=true; a ServiceAccount's token Secret is `<sa>-token` of type
// kubernetes.io/service-account-token annotated kubernetes.io/service-account.name when none exists.
// `advance(ms)` lets time pass: a sim ticks, a real backend just waits.
import { describe, expect, it } from 'vitest';
import type { ActionContext, ClusterActions, KubeObject } from '../../agent/actions.js';
import type { ClusterBackend, ClusterObservation } from '../../agent/backend.js';

export interface ExecutorFixture {
  backend: ClusterBackend & ClusterActions;
  cleanup(): Promise<void>;
  advance?(ms: number): Promise<void>;
}

const POLL_MS = 500;
const MAX_POLLS = 120;

function context(jobId = '00000000-0000-4000-8000-000000000001', signal = new AbortController().signal): ActionContext {
  return { jobId, signal, fieldManager: 'flotilla' };
}

function workload(o: ClusterObservation, namespace: string, name: string): { desired: number; ready: number } | undefined {
  return o.workloads.find((w) => w.namespace === namespace && w.name === name);
}

function node(o: ClusterObservation, name: string): ClusterObservation['nodes'][number] {
  const n = o.nodes.find((x) => x.name === name);
  if (!n) throw new Error(`node ${name} is missing from the status`);
  return n;
}

/** The parts of an object a round trip must keep. */
function essence(o: KubeObject): unknown {
  const { apiVersion, kind, metadata } = o;
  return { apiVersion, kind, name: metadata.name, namespace: metadata.namespace, labels: metadata.labels ?? {}, spec: o.spec, data: o.data, type: o.type };
}

function b64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}

export function executorContract(name: string, make: () => Promise<ExecutorFixture>): void {
  describe(`executor contract: ${name}`, () => {
    async function withFixture(body: (f: ExecutorFixture, waitFor: (what: string, ok: (o: ClusterObservation) => boolean) => Promise<ClusterObservation>) => Promise<void>): Promise<void> {
      const f = await make();
      const pass = async (): Promise<void> => {
        if (f.advance) await f.advance(POLL_MS);
        else await new Promise((r) => setTimeout(r, POLL_MS));
      };
      const waitFor = async (what: string, ok: (o: ClusterObservation) => boolean): Promise<ClusterObservation> => {
        let last: ClusterObservation | undefined;
        for (let i = 0; i < MAX_POLLS; i += 1) {
          last = await f.backend.collect(new Date());
          if (ok(last)) return last;
          await pass();
        }
        throw new Error(`never observed: ${what}; last workloads ${JSON.stringify(last?.workloads)}`);
      };
      try {
        await body(f, waitFor);
      } finally {
        await f.cleanup();
      }
    }

    it('scales a Deployment to 5 and back to 3, and the pods follow', () =>
      withFixture(async ({ backend }, waitFor) => {
        await waitFor('api ready', (o) => workload(o, 'payments', 'api')?.ready === 3);
        const up = await backend.scale({ namespace: 'payments', name: 'api', kind: 'Deployment', replicas: 5 }, context());
        expect(up.detail).toContain('5');
        await backend.scale({ namespace: 'payments', name: 'api', kind: 'Deployment', replicas: 5 }, context());
        await waitFor('api at 5/5', (o) => workload(o, 'payments', 'api')?.desired === 5 && workload(o, 'payments', 'api')?.ready === 5);
        await backend.scale({ namespace: 'payments', name: 'api', kind: 'Deployment', replicas: 3 }, context());
        const o = await waitFor('api back at 3/3', (x) => workload(x, 'payments', 'api')?.desired === 3 && workload(x, 'payments', 'api')?.ready === 3);
        expect(o.workloads.filter((w) => w.namespace === 'payments' && w.name === 'api')).toHaveLength(1);
        await backend.scale({ namespace: 'checkout', name: 'db', kind: 'StatefulSet', replicas: 3 }, context());
        await waitFor('db at 3/3', (x) => workload(x, 'checkout', 'db')?.ready === 3);
        await expect(backend.scale({ namespace: 'payments', name: 'nope', kind: 'Deployment', replicas: 1 }, context())).rejects.toMatchObject({ kind: 'not_found' });
      }));

    it('restarts once per job id: the same job twice is one restart, another job restarts again', () =>
      withFixture(async ({ backend }, waitFor) => {
        const params = { namespace: 'payments', name: 'api', kind: 'Deployment' as const };
        const first = await backend.restart(params, context('11111111-1111-4111-8111-111111111111'));
        const again = await backend.restart(params, context('11111111-1111-4111-8111-111111111111'));
        expect(first.output?.restarted).toBe(true);
        expect(again.output?.restarted).toBe(false);
        const [deployment] = (await backend.exportObjects(['payments'], context())).filter((o) => o.kind === 'Deployment' && o.metadata.name === 'api');
        expect(deployment).toMatchObject({ spec: { template: { metadata: { annotations: { 'flotilla.dev/restarted-by': '11111111-1111-4111-8111-111111111111' } } } } });
        await waitFor('api rolled and ready', (o) => workload(o, 'payments', 'api')?.ready === 3 && o.pods.total === o.workloads.reduce((s, w) => s + w.desired, 0));
        const other = await backend.restart(params, context('22222222-2222-4222-8222-222222222222'));
        expect(other.output?.restarted).toBe(true);
      }));

    it('cordons and uncordons idempotently', () =>
      withFixture(async ({ backend }, waitFor) => {
        await backend.cordon({ node: 'node-2' }, context());
        await backend.cordon({ node: 'node-2' }, context());
        await waitFor('node-2 cordoned', (o) => node(o, 'node-2').unschedulable && !node(o, 'node-1').unschedulable);
        await backend.uncordon({ node: 'node-2' }, context());
        await backend.uncordon({ node: 'node-2' }, context());
        await waitFor('node-2 schedulable', (o) => !node(o, 'node-2').unschedulable);
        await expect(backend.cordon({ node: 'node-9' }, context())).rejects.toMatchObject({ kind: 'not_found' });
      }));

    it('drains a node: every pod but the DaemonSet pod moves, and api never drops below its budget', () =>
      withFixture(async ({ backend }, waitFor) => {
        const running = backend.drain({ node: 'node-1', timeoutSeconds: 120 }, context());
        let lowest = 3;
        let done = false;
        const finished = running.finally(() => {
          done = true;
        });
        while (!done) {
          const o = await backend.collect(new Date());
          lowest = Math.min(lowest, workload(o, 'payments', 'api')?.ready ?? 0);
          await new Promise((r) => setImmediate(r));
        }
        const outcome = await finished;
        expect(outcome.detail).toContain('node-1');
        expect(lowest).toBeGreaterThanOrEqual(2);
        const o = await waitFor('replacements ready', (x) => workload(x, 'payments', 'api')?.ready === 3 && workload(x, 'checkout', 'db')?.ready === 2);
        expect(node(o, 'node-1')).toMatchObject({ unschedulable: true, usage: { pods: 1 } });
        const again = await backend.drain({ node: 'node-1', timeoutSeconds: 10 }, context());
        expect(again.detail).toContain('node-1');
      }));

    it('refuses evictions the budget forbids and fails at the timeout, leaving the node cordoned', () =>
      withFixture(async ({ backend }, waitFor) => {
        await backend.cordon({ node: 'node-2' }, context());
        await backend.cordon({ node: 'node-3' }, context());
        // api's pod on node-1 may go (3 healthy, 2 required); its replacement has nowhere to run.
        await backend.drain({ node: 'node-1', timeoutSeconds: 60 }, context());
        await expect(backend.drain({ node: 'node-2', timeoutSeconds: 3 }, context())).rejects.toThrow(/node-2.*(timed out|PodDisruptionBudget)/s);
        const o = await backend.collect(new Date());
        expect(node(o, 'node-2').unschedulable).toBe(true);
        expect(node(o, 'node-2').usage.pods).toBeGreaterThanOrEqual(2);
        expect(workload(o, 'payments', 'api')?.ready).toBe(2);
        await backend.uncordon({ node: 'node-3' }, context());
        await waitFor('api recovers once there is room', (x) => workload(x, 'payments', 'api')?.ready === 3);
      }));

    it('stops a drain when its signal aborts, and a re-run finishes it', () =>
      withFixture(async ({ backend }, waitFor) => {
        await backend.cordon({ node: 'node-2' }, context());
        await backend.cordon({ node: 'node-3' }, context());
        await backend.drain({ node: 'node-1', timeoutSeconds: 60 }, context());
        const abort = new AbortController();
        const blocked = backend.drain({ node: 'node-2', timeoutSeconds: 3600 }, context(undefined, abort.signal));
        abort.abort(new Error('agent stopping'));
        await expect(blocked).rejects.toThrow();
        await backend.uncordon({ node: 'node-3' }, context());
        await backend.drain({ node: 'node-2', timeoutSeconds: 120 }, context());
        const o = await waitFor('node-2 empty but for its DaemonSet pod', (x) => node(x, 'node-2').usage.pods === 1 && workload(x, 'payments', 'api')?.ready === 3);
        expect(node(o, 'node-2').unschedulable).toBe(true);
      }));

    it('replaces the whole of a Secret and writes a ServiceAccount token Secret', () =>
      withFixture(async ({ backend }) => {
        const secret = { namespace: 'payments', target: 'secret' as const, name: 'api-credentials' };
        await backend.writeCredentials(secret, { password: 'rotated-1' }, context());
        const outcome = await backend.writeCredentials(secret, { password: 'rotated-1' }, context());
        expect(outcome.detail).not.toContain('rotated-1');
        const sa = { namespace: 'payments', target: 'service-account-token' as const, name: 'api' };
        await backend.writeCredentials(sa, { token: 'tok-1' }, context());
        await backend.writeCredentials(sa, { token: 'tok-2' }, context());
        const objects = await backend.exportObjects(['payments'], context());
        expect(objects.find((o) => o.kind === 'Secret' && o.metadata.name === 'api-credentials')?.data).toEqual({ password: b64('rotated-1') });
        const tokens = objects.filter((o) => o.kind === 'Secret' && o.type === 'kubernetes.io/service-account-token');
        expect(tokens).toHaveLength(1);
        expect(tokens[0]).toMatchObject({ metadata: { name: 'api-token', annotations: { 'kubernetes.io/service-account.name': 'api' } }, data: { token: b64('tok-2') } });
        await expect(backend.writeCredentials({ ...secret, name: 'missing' }, { a: 'b' }, context())).rejects.toMatchObject({ kind: 'not_found' });
      }));

    it('exports a namespace, and after deleting it, applying the export restores it', () =>
      withFixture(async ({ backend }, waitFor) => {
        const exported = await backend.exportObjects(['payments'], context());
        expect(exported[0]).toMatchObject({ kind: 'Namespace', metadata: { name: 'payments' } });
        expect(exported.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(expect.arrayContaining(['Deployment/api', 'PodDisruptionBudget/api', 'Service/api', 'ConfigMap/api-config', 'Secret/api-credentials', 'ServiceAccount/api']));
        for (const o of exported) {
          expect(o).not.toHaveProperty('status');
          expect(o.metadata).not.toHaveProperty('uid');
          expect(o.metadata).not.toHaveProperty('resourceVersion');
          expect(o.metadata).not.toHaveProperty('managedFields');
        }
        await backend.cleanup({ namespace: 'payments', teardown: false }, context());
        await waitFor('payments gone', (o) => workload(o, 'payments', 'api') === undefined);
        await expect(backend.exportObjects(['payments'], context())).rejects.toMatchObject({ kind: 'not_found' });
        await backend.cleanup({ namespace: 'payments', teardown: false }, context());
        await backend.applyObjects(exported, context());
        await waitFor('api back at 3/3', (o) => workload(o, 'payments', 'api')?.ready === 3);
        const restored = await backend.exportObjects(['payments'], context());
        expect(restored.map(essence)).toEqual(exported.map(essence));
      }));

    it('applies the same manifests twice with the same result, creating the namespace they need', () =>
      withFixture(async ({ backend }, waitFor) => {
        const manifests: KubeObject[] = [
          { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web-config', namespace: 'release', labels: { app: 'web' } }, data: { MODE: 'blue' } },
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata: { name: 'web', namespace: 'release', labels: { app: 'web' } },
            spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'registry.example.com/web:2.0.0', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] } } },
          },
        ];
        await backend.applyObjects(manifests, context());
        const first = await backend.exportObjects(['release'], context());
        const second = await backend.applyObjects(manifests, context());
        expect(second.output).toMatchObject({ applied: 2, unchanged: 2 });
        expect(await backend.exportObjects(['release'], context())).toEqual(first);
        expect(first[0]).toMatchObject({ kind: 'Namespace', metadata: { name: 'release', labels: { 'flotilla.dev/managed': 'true' } } });
        await waitFor('web at 2/2', (o) => workload(o, 'release', 'web')?.ready === 2);
        const changed = [{ ...manifests[0]!, data: { MODE: 'green' } }];
        await backend.applyObjects(changed, context());
        const cm = (await backend.exportObjects(['release'], context())).find((o) => o.kind === 'ConfigMap');
        expect(cm?.data).toEqual({ MODE: 'green' });
      }));

    it('deletes the objects a selector matches and nothing else', () =>
      withFixture(async ({ backend }, waitFor) => {
        await backend.cleanup({ selector: 'app=api', namespace: 'payments', teardown: false }, context());
        await backend.cleanup({ selector: 'app=api', namespace: 'payments', teardown: false }, context());
        const left = (await backend.exportObjects(['payments'], context())).map((o) => `${o.kind}/${o.metadata.name}`);
        expect(left).not.toContain('Deployment/api');
        expect(left).not.toContain('Service/api');
        expect(left).not.toContain('ConfigMap/api-config');
        expect(left).toEqual(expect.arrayContaining(['Namespace/payments', 'Secret/api-credentials', 'ServiceAccount/api']));
        const o = await waitFor('api gone, db untouched', (x) => workload(x, 'payments', 'api') === undefined && workload(x, 'checkout', 'db')?.ready === 2);
        expect(o.workloads.some((w) => w.namespace === 'kube-system' && w.name === 'log-agent')).toBe(true);
      }));

    it('tears down only the namespaces Flotilla manages', () =>
      withFixture(async ({ backend }, waitFor) => {
        await backend.applyObjects(
          [
            { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'preview-7', labels: { 'flotilla.dev/managed': 'true' } } },
            { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'preview-7' }, data: { a: '1' } },
            { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'scratch' }, data: { b: '2' } },
          ],
          context(),
        );
        const outcome = await backend.cleanup({ teardown: true }, context());
        expect(outcome.output).toMatchObject({ namespaces: expect.arrayContaining(['preview-7', 'scratch']) as unknown });
        await backend.cleanup({ teardown: true }, context());
        await expect(backend.exportObjects(['preview-7'], context())).rejects.toMatchObject({ kind: 'not_found' });
        await expect(backend.exportObjects(['scratch'], context())).rejects.toMatchObject({ kind: 'not_found' });
        expect((await backend.exportObjects(['payments', 'checkout'], context())).length).toBeGreaterThan(2);
        await waitFor('fixture workloads untouched', (o) => workload(o, 'payments', 'api')?.ready === 3 && workload(o, 'checkout', 'db')?.ready === 2);
      }));
  });
}
