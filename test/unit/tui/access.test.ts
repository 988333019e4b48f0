import { describe, expect, it } from 'vitest';
import { ROLES, roleAtLeast } from '../../../core/roles.js';
import { can, GATED_ACTIONS, requiredRole } from '../../../tui/access.js';

describe('can', () => {
  it('lets a role make a call exactly when it is at least the call’s minimum role', () => {
    for (const action of GATED_ACTIONS) for (const role of ROLES) expect(can(role, action), `${role} ${action}`).toBe(roleAtLeast(role, requiredRole(action)));
  });

  it('keeps viewers to reading and lets operators submit and cancel jobs', () => {
    expect(GATED_ACTIONS.filter((a) => can('viewer', a))).toEqual([]);
    expect(GATED_ACTIONS.filter((a) => can('operator', a))).toEqual(['job.submit', 'job.cancel']);
    expect(GATED_ACTIONS.filter((a) => can('admin', a))).toEqual(['job.submit', 'job.cancel']);
  });
});
