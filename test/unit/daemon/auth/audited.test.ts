import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FlotillaError } from '../../../../core/errors.js';
import { silentLogger } from '../../../../core/log.js';
import { requireAllowed } from '../../../../daemon/auth/authorize.js';
import { auditDenial, audited } from '../../../../daemon/auth/audited.js';
import { Registry } from '../../../../daemon/registry/registry.js';
import { cleanupTempDirs, tempDir } from '../../../harness/tmp.js';
import { identity } from '../api/fake-session.js';

const actor = { id: 'tok_1', name: 'op' };
let registry: Registry;
beforeEach(() => {
  registry = Registry.open(join(tempDir('flotilla-audited-'), 'registry.db'));
});
afterEach(() => registry.close());
afterAll(cleanupTempDirs);

const records = () => registry.audit.list(100).reverse();
const tokenCount = () => registry.tokens.list().length;

describe('audited', () => {
  it('writes the mutation and its record together, with the detail the mutation adds', () => {
    const t = audited(registry, { actor, action: 'token.create', target: 'ci', detail: { role: 'viewer' } }, () => {
      const created = registry.tokens.create({ role: 'viewer', name: 'ci', expiresAt: null });
      return { result: created, detail: { tokenId: created.id } };
    });
    expect(records()).toMatchObject([{ action: 'token.create', target: 'ci', allowed: true, detail: { role: 'viewer', tokenId: t.id } }]);
    expect(registry.audit.verify()).toMatchObject({ ok: true, count: 1 });
  });

  it('records a request that failed on its own as allowed but failed, and rolls its writes back', () => {
    expect(() =>
      audited(registry, { actor, action: 'cluster.remove', target: 'nope' }, () => {
        registry.tokens.create({ role: 'viewer', name: 'half', expiresAt: null });
        throw new FlotillaError('not_found', 'no cluster named "nope"', 'List clusters.');
      }),
    ).toThrow('no cluster named');
    expect(tokenCount()).toBe(0);
    expect(records()).toMatchObject([{ action: 'cluster.remove', allowed: true, detail: { failed: 'not_found', message: 'no cluster named "nope"' } }]);
  });

  it('records a refusal by authorize inside the mutation as denied, with why', () => {
    const viewer = identity('viewer');
    expect(() => audited(registry, { actor, action: 'job.submit', target: 'alpha' }, () => {
      requireAllowed(viewer, 'job.submit', { clusters: ['alpha'] });
      return { result: undefined };
    })).toThrow(/job.submit needs the operator role/);
    expect(records()).toMatchObject([{ action: 'job.submit', target: 'alpha', allowed: false, detail: { action: 'job.submit', needs: 'operator', role: 'viewer' } }]);
  });

  it('refuses the mutation when its record cannot be written', () => {
    registry.db.exec('DROP TABLE audit');
    expect(() => audited(registry, { actor, action: 'token.create', target: 'ci' }, () => ({ result: registry.tokens.create({ role: 'viewer', name: 'ci', expiresAt: null }) }))).toThrow(
      expect.objectContaining({ kind: 'unavailable', message: expect.stringContaining('registry write failed') }),
    );
    expect(tokenCount()).toBe(0);
    // a refusal stays a refusal
    expect(() => audited(registry, { actor, action: 'job.submit', target: 'alpha' }, () => {
      requireAllowed(identity('viewer'), 'job.submit');
      return { result: undefined };
    })).toThrow(expect.objectContaining({ kind: 'forbidden' }));
  });
});

describe('auditDenial', () => {
  it('records a refusal, and a failed write leaves the refusal standing and is logged', () => {
    const logged: unknown[] = [];
    const log = Object.assign(silentLogger(), { error: (obj: unknown) => void logged.push(obj) });
    auditDenial(registry.audit, log, { actor, action: 'audit.read', target: '/api/v1/audit' });
    expect(records()).toMatchObject([{ action: 'audit.read', allowed: false }]);
    registry.db.exec('DROP TABLE audit');
    expect(() => auditDenial(registry.audit, log, { actor, action: 'audit.read', target: '/api/v1/audit' })).not.toThrow();
    expect(logged).toHaveLength(1);
  });
});
