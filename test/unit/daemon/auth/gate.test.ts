import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../../core/log.js';
import { checkAccess } from '../../../../daemon/auth/gate.js';
import { Registry } from '../../../../daemon/registry/registry.js';
import { cleanupTempDirs, tempDir } from '../../../harness/tmp.js';
import { identity } from '../api/fake-session.js';

let registry: Registry;
beforeEach(() => {
  registry = Registry.open(join(tempDir('flotilla-gate-'), 'registry.db'));
});
afterEach(() => registry.close());
afterAll(cleanupTempDirs);

describe('checkAccess', () => {
  it('lets an allowed request through without a record', () => {
    expect(checkAccess(registry.audit, silentLogger(), identity('admin'), 'token.read', {}, { target: '/api/v1/tokens' })).toBeUndefined();
    expect(registry.audit.list(10)).toEqual([]);
  });

  it('answers a denial with the 403 and writes exactly one record naming the actor, the action and why', () => {
    const err = checkAccess(registry.audit, silentLogger(), identity('operator', 'tok_op'), 'token.read', {}, { target: '/api/v1/tokens', detail: { method: 'GET' } });
    expect(err?.toBody()).toMatchObject({ code: 'forbidden', details: { action: 'token.read', needs: 'admin', role: 'operator' } });
    expect(registry.audit.list(10)).toMatchObject([
      { actor: { id: 'tok_op', name: 'operator-user' }, action: 'token.read', target: '/api/v1/tokens', allowed: false, detail: { method: 'GET', reason: 'role operator is below admin', needs: 'admin' } },
    ]);
  });
});
