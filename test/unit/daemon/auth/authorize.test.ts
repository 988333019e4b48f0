import { describe, expect, it } from 'vitest';
import { ACTION_ROLES, AUTH_ACTIONS, may, ROLES, type Role } from '../../../../core/roles.js';
import { authorize, forbidden, requireAllowed } from '../../../../daemon/auth/authorize.js';
import { identity } from '../api/fake-session.js';

// The order of ROLES is the oracle: each role may do what the one before it may, and more.
const rank = (r: Role) => ROLES.indexOf(r);
const cases = AUTH_ACTIONS.flatMap((action) => ROLES.map((role) => ({ action, role, allowed: rank(role) >= rank(ACTION_ROLES[action]) })));

describe('authorize', () => {
  it('has a case for every action and every role', () => {
    expect(cases).toHaveLength(AUTH_ACTIONS.length * ROLES.length);
    expect(new Set(AUTH_ACTIONS)).toEqual(new Set(Object.keys(ACTION_ROLES)));
  });

  it.each(cases)('$role → $action: allowed $allowed', ({ action, role, allowed }) => {
    const who = identity(role);
    const decision = authorize(who, action);
    expect(decision.allowed).toBe(allowed);
    expect(may(role, action)).toBe(allowed);
    if (allowed) {
      expect(() => requireAllowed(who, action, { clusters: ['a', 'b'] })).not.toThrow();
      return;
    }
    const needs = ACTION_ROLES[action];
    expect(decision).toEqual({ allowed: false, action, role, needs, reason: `role ${role} is below ${needs}` });
    const err = forbidden(who, decision as Extract<typeof decision, { allowed: false }>);
    expect(err.kind).toBe('forbidden');
    expect(err.httpStatus).toBe(403);
    expect(err.exitCode).toBe(77);
    expect(err.message).toBe(`${action} needs the ${needs} role; ${who.name} has ${role}`);
    expect(err.next).toContain(`flotilla token create --role ${needs}`);
    expect(err.details).toEqual({ action, needs, role });
    expect(() => requireAllowed(who, action, { clusters: ['a'] })).toThrow(err.message);
  });

  it('decides the same for any clusters while every role covers the whole fleet', () => {
    for (const { action, role, allowed } of cases) {
      for (const clusters of [[], ['one'], ['a', 'b', 'c']]) expect(authorize(identity(role), action, { clusters }).allowed).toBe(allowed);
    }
  });

  it('keeps the least privilege the docs promise: viewers read, operators change clusters and jobs, admins manage tokens, bindings, audit and control-plane backups', () => {
    const byRole = (r: Role) => AUTH_ACTIONS.filter((a) => ACTION_ROLES[a] === r).sort();
    expect(byRole('viewer')).toEqual(['audit.read', 'cluster.read', 'info.read', 'job.read', 'log.read', 'rejection.read']);
    expect(byRole('operator')).toEqual(['cluster.add', 'cluster.label', 'cluster.remove', 'job.cancel', 'job.submit']);
    expect(byRole('admin')).toEqual(['audit.verify', 'backup.read', 'binding.create', 'binding.read', 'binding.remove', 'controlplane.backup', 'token.create', 'token.read', 'token.revoke']);
  });
});
