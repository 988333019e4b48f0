import { describe, expect, it } from 'vitest';
import { canonicalJson, isWorkloadKind, parseQuantity, templateHash, workloadFromObject, workloadManifest } from '../../../../agent/sim/workloads.js';

describe('sim workloads', () => {
  it('reads Kubernetes quantities in base units and refuses what is unreadable', () => {
    expect(parseQuantity('250m')).toBe(0.25);
    expect(parseQuantity('1.5')).toBe(1.5);
    expect(parseQuantity('512Mi')).toBe(512 * 2 ** 20);
    expect(parseQuantity('1G')).toBe(1e9);
    expect(parseQuantity(2)).toBe(2);
    for (const bad of ['', 'lots', '-1', '1Zi', -1, Number.NaN, null, {}]) expect(parseQuantity(bad)).toBeUndefined();
  });

  it('writes canonical JSON whatever the key order, leaving out undefined', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: undefined }] })).toBe('{"a":[{"d":2}],"b":1}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });

  it('hashes a template stably and changes the hash when the template changes', () => {
    const t = { spec: { containers: [{ name: 'api', image: 'a:1' }] } };
    expect(templateHash(t)).toBe(templateHash(structuredClone(t)));
    expect(templateHash(t)).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{10}$/);
    expect(templateHash({ spec: { containers: [{ name: 'api', image: 'a:2' }] } })).not.toBe(templateHash(t));
  });

  it('reads back what workloadManifest wrote', () => {
    expect(isWorkloadKind('StatefulSet')).toBe(true);
    expect(isWorkloadKind('Pod')).toBe(false);
    const manifest = workloadManifest({ namespace: 'payments', name: 'api', kind: 'Deployment', replicas: 3, container: 'api', cpuMillis: 250, memoryMiB: 256 });
    const w = workloadFromObject(manifest, 4);
    expect(w).toMatchObject({ namespace: 'payments', name: 'api', kind: 'Deployment', desired: 3 });
  });
});
