// Grants as the daemon reads them: the highest role of the grants whose scope a cluster's labels
// match, fleet-wide roles for control-plane actions, scopes normalised and refused when they are not
// selectors; and authorize over them: a scope miss names the cluster, a role too low says so, an
// unknown cluster is covered by a fleet-wide grant only.
import { describe, expect, it } from 'vitest';
import { fleetRole, grantsKey, grantsOf, inScope, normalizeScope, roleOn, topRole, type Grant } from '../../../core/access.js';
import { authorize } from '../../../daemon/auth/authorize.js';
import { FLEET_ADMIN, scoped } from '../../harness/identities.js';

const PAY_PROD = { team: 'payments', env: 'prod' };
const PAY_STG = { team: 'payments', env: 'staging' };
const CHK = { team: 'checkout' };

describe('grants', () => {
  const grants: Grant[] = [
    { role: 'viewer', scope: 'team=payments' },
    { role: 'operator', scope: 'team=payments,env!=prod' },
  ];

  it('gives a cluster the highest role of the grants its labels match, or none', () => {
    expect(roleOn(grants, PAY_PROD)).toBe('viewer');
    expect(roleOn(grants, PAY_STG)).toBe('operator');
    expect(roleOn(grants, CHK)).toBeNull();
    expect(roleOn(grants, {})).toBeNull();
    expect(roleOn([{ role: 'admin', scope: null }], {})).toBe('admin');
  });

  it('says the fleet-wide role (none when every grant is scoped) and the top role', () => {
    expect(fleetRole(grants)).toBeNull();
    expect(topRole(grants)).toBe('operator');
    expect(fleetRole([...grants, { role: 'viewer', scope: null }])).toBe('viewer');
    expect(topRole([])).toBeNull();
  });

  it('reads a token without scope as its role over the whole fleet, and keys grants regardless of order', () => {
    expect(grantsOf({ role: 'operator' })).toEqual([{ role: 'operator', scope: null }]);
    expect(grantsKey(grants)).toBe(grantsKey([...grants].reverse()));
    expect(grantsKey(grants)).not.toBe(grantsKey([grants[0] as Grant]));
  });

  it('normalises a scope (empty: the whole fleet) and refuses one that is not a selector', () => {
    expect(normalizeScope('  team=payments ')).toBe('team=payments');
    expect(normalizeScope('')).toBeNull();
    expect(normalizeScope(undefined)).toBeNull();
    expect(() => normalizeScope('team=pay ments')).toThrow(/not a label value/);
    expect(inScope('gpu,!legacy', { gpu: 'a100' })).toBe(true);
    expect(inScope('gpu,!legacy', { gpu: 'a100', legacy: 'yes' })).toBe(false);
    // As in Kubernetes, key!=value matches a cluster without the key.
    expect(inScope('env!=prod', CHK)).toBe(true);
  });
});

describe('authorize with scopes', () => {
  const labels: Record<string, Record<string, string>> = { 'pay-prod': PAY_PROD, 'pay-stg': PAY_STG, chk: CHK };
  const labelsOf = (n: string) => labels[n];
  const op = scoped('pay-op', { role: 'operator', scope: 'team=payments,env!=prod' }, { role: 'viewer', scope: 'team=payments' });

  it('allows what the role on each cluster allows, naming the first cluster outside the scope', () => {
    expect(authorize(op, 'job.submit', { clusters: ['pay-stg'] }, labelsOf)).toEqual({ allowed: true });
    expect(authorize(op, 'cluster.read', { clusters: ['pay-prod', 'pay-stg'] }, labelsOf)).toEqual({ allowed: true });
    expect(authorize(op, 'job.submit', { clusters: ['pay-stg', 'pay-prod'] }, labelsOf)).toMatchObject({ allowed: false, role: 'viewer', needs: 'operator', reason: 'role viewer is below operator' });
    expect(authorize(op, 'cluster.read', { clusters: ['pay-stg', 'chk'] }, labelsOf)).toMatchObject({ allowed: false, cluster: 'chk', reason: 'cluster chk is outside the scope of pay-op' });
    expect(authorize(op, 'cluster.read', { clusters: ['nosuch'] }, labelsOf)).toMatchObject({ allowed: false, cluster: 'nosuch' });
    // even a scope that an empty label set matches does not cover a name the registry does not hold
    expect(authorize(scoped('not-legacy', { role: 'viewer', scope: '!legacy' }), 'cluster.read', { clusters: ['nosuch'] }, labelsOf)).toMatchObject({ allowed: false, cluster: 'nosuch' });
    expect(authorize(FLEET_ADMIN, 'cluster.read', { clusters: ['nosuch'] }, labelsOf)).toEqual({ allowed: true });
  });

  it('judges a cluster being added or relabelled on the labels it gets', () => {
    expect(authorize(op, 'cluster.add', { clusters: ['new'], labels: { new: { team: 'payments', env: 'dev' } } }, labelsOf)).toEqual({ allowed: true });
    expect(authorize(op, 'cluster.add', { clusters: ['new'], labels: { new: PAY_PROD } }, labelsOf)).toMatchObject({ allowed: false, role: 'viewer' });
  });

  it('lets an action as such through on the top role (its answers are filtered), and keeps control-plane actions fleet-wide', () => {
    expect(authorize(op, 'job.submit')).toEqual({ allowed: true });
    expect(authorize(op, 'token.read')).toMatchObject({ allowed: false, fleetWide: true, reason: 'token.read needs the admin role over the whole fleet and every grant of pay-op is scoped' });
    const admin = scoped('pay-admin', { role: 'admin', scope: 'team=payments' });
    expect(authorize(admin, 'backup.read')).toMatchObject({ allowed: false, fleetWide: true });
    expect(authorize(scoped('mixed', { role: 'admin', scope: 'team=payments' }, { role: 'admin', scope: null }), 'controlplane.backup')).toEqual({ allowed: true });
  });
});
