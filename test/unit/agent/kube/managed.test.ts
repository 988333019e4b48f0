// Whether a server-side apply changed an object, from the content the manifest manages.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../agent/actions.js';
import { appliedFields, applyUnchanged, managedContent } from '../../../../agent/kube/managed.js';

const manifest: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'release', labels: { app: 'web' } },
  spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'web:2' }] } } },
};

const owned = { 'f:metadata': { 'f:labels': { 'f:app': {} } }, 'f:spec': { 'f:replicas': {}, 'f:selector': {}, 'f:template': {} } };

/** The object as the API server returns it after applying `manifest`: defaults, server metadata, status, others' annotations. */
function live(overrides: { rv?: string; replicas?: number; image?: string; fields?: object; status?: object; annotations?: Record<string, string> } = {}): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'release',
      uid: 'u-1',
      resourceVersion: overrides.rv ?? '100',
      generation: 1,
      creationTimestamp: new Date('2026-03-01T10:00:00Z'),
      labels: { app: 'web' },
      annotations: { 'deployment.kubernetes.io/revision': '1', ...overrides.annotations },
      managedFields: [
        { manager: 'flotilla', operation: 'Apply', apiVersion: 'apps/v1', time: new Date('2026-03-01T10:00:00Z'), fieldsType: 'FieldsV1', fieldsV1: overrides.fields ?? owned },
        { manager: 'kube-controller-manager', operation: 'Update', subresource: 'status', apiVersion: 'apps/v1', time: new Date(), fieldsType: 'FieldsV1', fieldsV1: { 'f:status': {} } },
      ],
    },
    spec: {
      replicas: overrides.replicas ?? 2,
      revisionHistoryLimit: 10,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { restartPolicy: 'Always', containers: [{ name: 'web', image: overrides.image ?? 'web:2', imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log' }] } },
    },
    status: overrides.status ?? { replicas: 2, readyReplicas: 1 },
  };
}

describe('managedContent', () => {
  it('is the live values at the paths the manifest sets, list items by position, nothing the server adds', () => {
    expect(managedContent(live(), manifest)).toEqual({
      metadata: { name: 'web', namespace: 'release', labels: { app: 'web' } },
      spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'web:2' }] } } },
    });
  });

  it('ignores status and server-set metadata even when a manifest carries them', () => {
    const noisy = { ...manifest, status: { replicas: 9 }, metadata: { ...manifest.metadata, resourceVersion: '1', uid: 'x', generation: 4 } };
    expect(managedContent(live(), noisy)).toEqual(managedContent(live(), manifest));
  });

  it('counts list items the manifest does not have whole, so a sidecar someone added shows', () => {
    const withSidecar = live();
    (withSidecar.spec as { template: { spec: { containers: object[] } } }).template.spec.containers.push({ name: 'proxy', image: 'envoy:1' });
    expect(managedContent(withSidecar, manifest)).not.toEqual(managedContent(live(), manifest));
  });

  it("reads a Secret's stringData where the server keeps it, in data", () => {
    const secret: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'n' }, stringData: { password: 'hunter2' } };
    const stored = (password: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'n', uid: 'u' }, type: 'Opaque', data: { password: Buffer.from(password).toString('base64') } });
    expect(managedContent(stored('hunter2'), secret)).toEqual({ metadata: { name: 's', namespace: 'n' }, data: { password: Buffer.from('hunter2').toString('base64') } });
    expect(applyUnchanged(stored('old'), stored('hunter2'), secret, 'flotilla')).toBe(false);
    expect(applyUnchanged(stored('hunter2'), stored('hunter2'), secret, 'flotilla')).toBe(true);
  });
});

describe('applyUnchanged', () => {
  it('holds when only what controllers write moved: resourceVersion, status, revision annotation, managedFields times', () => {
    const after = live({ rv: '107', status: { replicas: 2, readyReplicas: 2 }, annotations: { 'deployment.kubernetes.io/revision': '2' } });
    expect(applyUnchanged(live(), after, manifest, 'flotilla')).toBe(true);
  });

  it('fails for an object that did not exist', () => {
    expect(applyUnchanged(undefined, live(), manifest, 'flotilla')).toBe(false);
  });

  it('fails when a value the manifest sets was different before (a hand edit taken back, a new image)', () => {
    expect(applyUnchanged(live({ replicas: 5 }), live(), manifest, 'flotilla')).toBe(false);
    expect(applyUnchanged(live({ image: 'web:1' }), live(), manifest, 'flotilla')).toBe(false);
  });

  it('fails when the fields the manager owns changed: a field dropped from the manifest was removed', () => {
    const before = live({ fields: { ...owned, 'f:spec': { ...owned['f:spec'], 'f:minReadySeconds': {} } } });
    expect(applyUnchanged(before, live(), manifest, 'flotilla')).toBe(false);
  });

  it('holds when the manager owned nothing before and the values are the same', () => {
    const before = live();
    (before.metadata as { managedFields: unknown[] }).managedFields = [];
    expect(applyUnchanged(before, live(), manifest, 'flotilla')).toBe(true);
  });

  it("reads the manager's own apply entry only", () => {
    expect(appliedFields(live(), 'flotilla')).toEqual(owned);
    expect(appliedFields(live(), 'kube-controller-manager')).toBeUndefined();
    expect(appliedFields({ metadata: {} }, 'flotilla')).toBeUndefined();
  });
});
