// Portable objects for backups and restores, against objects shaped as an API server returns them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../agent/actions.js';
import { applyOrder, EXPORTED_KINDS, isClusterGenerated, KIND_ORDER, portable } from '../../../../agent/kube/export.js';

const FIXTURE = join(import.meta.dirname, '../../../fixtures/kube/exported-objects.json');

function live(kind: string): KubeObject {
  const { items } = JSON.parse(readFileSync(FIXTURE, 'utf8')) as { items: KubeObject[] };
  const o = items.find((i) => i.kind === kind);
  if (!o) throw new Error(`fixture has no ${kind}`);
  return o;
}

describe('portable', () => {
  it('drops status and every server-set field, keeps what the owner wrote', () => {
    const d = portable(live('Deployment'));
    expect(d).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'api', namespace: 'payments', labels: { app: 'api' }, annotations: { 'team.example/owner': 'payments' } },
      spec: {
        ...live('Deployment').spec as object,
        template: {
          metadata: { labels: { app: 'api' }, annotations: { 'flotilla.dev/restarted-by': '6f1c2b7e-0000-4000-8000-000000000001' } },
          spec: (live('Deployment').spec as { template: { spec: unknown } }).template.spec,
        },
      },
    });
  });

  it('drops the metadata of a pod that is going, its owners and selfLink included', () => {
    expect(portable(live('Pod')).metadata).toEqual({ name: 'api-7c9d-abcde', namespace: 'payments' });
  });

  it('leaves a Service its cluster to assign an address in', () => {
    const svc = portable(live('Service')) as KubeObject & { spec: Record<string, unknown> };
    expect(svc.spec).not.toHaveProperty('clusterIP');
    expect(svc.spec).not.toHaveProperty('clusterIPs');
    expect(svc.spec.ports).toEqual([{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }]);
    expect(svc).not.toHaveProperty('status');
  });

  it('keeps a Namespace its own labels but not the one the API server sets, nor its spec', () => {
    expect(portable(live('Namespace'))).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'payments', labels: { team: 'payments' } } });
    const bare = portable({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x', labels: { 'kubernetes.io/metadata.name': 'x' } }, spec: { finalizers: ['kubernetes'] } });
    expect(bare).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } });
  });

  it("keeps a token Secret's ServiceAccount name but not the uid of the account on this cluster", () => {
    expect(portable(live('Secret')).metadata).toEqual({ name: 'api-token', namespace: 'payments', annotations: { 'kubernetes.io/service-account.name': 'api' } });
  });

  it('returns a JSON-only copy and leaves its input alone', () => {
    const input = { ...live('Deployment'), metadata: { ...live('Deployment').metadata, creationTimestamp: new Date('2026-02-20T08:01:00Z') } };
    const before = JSON.stringify(input);
    const out = portable({ ...input, spec: { startedAt: new Date('2026-01-01T00:00:00Z') } });
    expect(JSON.stringify(input)).toBe(before);
    expect(out.spec).toEqual({ startedAt: '2026-01-01T00:00:00.000Z' });
  });
});

describe('what a cluster makes for itself', () => {
  it('is the root CA ConfigMap and the default ServiceAccount, nothing else of those names or kinds', () => {
    const o = (kind: string, name: string): KubeObject => ({ apiVersion: 'v1', kind, metadata: { name, namespace: 'payments' } });
    expect(isClusterGenerated(o('ConfigMap', 'kube-root-ca.crt'))).toBe(true);
    expect(isClusterGenerated(o('ServiceAccount', 'default'))).toBe(true);
    expect(isClusterGenerated(o('ConfigMap', 'default'))).toBe(false);
    expect(isClusterGenerated(o('ServiceAccount', 'api'))).toBe(false);
    expect(isClusterGenerated(o('Secret', 'kube-root-ca.crt'))).toBe(false);
  });
});

describe('apply order', () => {
  it('puts namespaces first and workloads after what they use, unknown kinds last, keeping the given order within a kind', () => {
    const o = (kind: string, name: string): KubeObject => ({ apiVersion: 'v1', kind, metadata: { name } });
    const given = [o('Deployment', 'a'), o('Ingress', 'i'), o('ConfigMap', 'c2'), o('Namespace', 'n'), o('ConfigMap', 'c1'), o('PodDisruptionBudget', 'p'), o('ServiceAccount', 's'), o('Secret', 'x'), o('Service', 'svc'), o('StatefulSet', 'db')];
    expect(applyOrder(given).map((x) => `${x.kind}/${x.metadata.name}`)).toEqual(['Namespace/n', 'ServiceAccount/s', 'Secret/x', 'ConfigMap/c2', 'ConfigMap/c1', 'Service/svc', 'Deployment/a', 'StatefulSet/db', 'PodDisruptionBudget/p', 'Ingress/i']);
    expect(given[0]!.kind).toBe('Deployment');
  });

  it('exports every kind it orders, each through its API group', () => {
    expect(EXPORTED_KINDS.map((k) => k.kind)).toEqual(KIND_ORDER.filter((k) => k !== 'Namespace'));
    expect(Object.fromEntries(EXPORTED_KINDS.map((k) => [k.kind, k.apiVersion]))).toMatchObject({ Deployment: 'apps/v1', StatefulSet: 'apps/v1', PodDisruptionBudget: 'policy/v1', Secret: 'v1' });
  });
});
