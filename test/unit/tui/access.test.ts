import { describe, expect, it } from 'vitest';
import { ACTION_ROLES, may, ROLES } from '../../../core/roles.js';
import { can, GATED_ACTIONS, requiredRole } from '../../../tui/access.js';

describe('can', () => {
  it('hides exactly what the daemon’s action table refuses', () => {
    for (const action of GATED_ACTIONS) {
      expect(requiredRole(action)).toBe(ACTION_ROLES[action]);
      for (const role of ROLES) expect(can(role, action), `${role} ${action}`).toBe(may(role, action));
    }
  });

  it('keeps viewers to reading (logs too) and lets operators submit and cancel jobs', () => {
    expect(GATED_ACTIONS.filter((a) => can('viewer', a))).toEqual(['log.read']);
    expect(GATED_ACTIONS.filter((a) => can('operator', a))).toEqual(['job.submit', 'job.cancel', 'log.read']);
    expect(GATED_ACTIONS.filter((a) => can('admin', a))).toEqual(['job.submit', 'job.cancel', 'log.read']);
  });
});
