import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../agent/actions.js';
import { contractFixtureState } from '../../../fixtures/sim/contract-cluster.js';
import { applyObject, deleteObjects, exportNamespace, namespaceOf, stripServerFields } from '../../../../agent/sim/objects.js';
import { createRng } from '../../../../agent/sim/rng.js';

const T0 = new Date('2026-11-01T10:00:00Z');
const cm = (data: Record<string, string>, labels?: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'app', namespace: 'payments', ...(labels ? { labels } : {}) }, data });

describe('sim object store', () => {
  it('puts namespaced objects without a namespace in default and cluster-scoped ones in none', () => {
    expect(namespaceOf({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } })).toBe('default');
    expect(namespaceOf({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x', namespace: 'ignored' } })).toBeUndefined();
  });

  it('strips status and server-set metadata', () => {
    const stripped = stripServerFields({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', uid: 'u', resourceVersion: '9', managedFields: [] }, status: { a: 1 } });
    expect(stripped).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default' } });
  });

  it('applies as server-side apply: created, unchanged, configured; dropped fields go unless another manager owns them', () => {
    const state = contractFixtureState(T0, createRng(1));
    expect(applyObject(state, cm({ a: '1', b: '2' }), 'release')).toBe('created');
    expect(applyObject(state, cm({ a: '1', b: '2' }), 'release')).toBe('unchanged');
    expect(applyObject(state, cm({ c: '3' }), 'hand-edit')).toBe('configured');
    expect(applyObject(state, cm({ a: '1' }), 'release')).toBe('configured');
    const body = state.objects.find((o) => o.body.kind === 'ConfigMap' && o.body.metadata.name === 'app')!.body;
    expect(body.data).toEqual({ a: '1', c: '3' });
  });

  it('deletes a namespace with everything in it and exports a namespace in a stable order', () => {
    const state = contractFixtureState(T0, createRng(1));
    const exported = exportNamespace(state, 'payments')!;
    expect(exported[0]!.kind).toBe('Namespace');
    expect(exported.map((o) => o.kind)).toEqual(['Namespace', 'ServiceAccount', 'Secret', 'ConfigMap', 'Service', 'Deployment', 'PodDisruptionBudget']);
    expect(exportNamespace(state, 'nowhere')).toBeUndefined();
    const gone = deleteObjects(state, (o) => o.kind === 'Namespace' && o.metadata.name === 'payments');
    expect(gone.length).toBe(exported.length);
    expect(exportNamespace(state, 'payments')).toBeUndefined();
  });
});
