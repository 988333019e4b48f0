import { describe, expect, it } from 'vitest';
import { usageMessage } from '../../../harness/errors.js';
import { JOB_LIMITS } from '../../../../core/jobs.js';
import { validateSubmit } from '../../../../daemon/jobs/request.js';

describe('submission validation', () => {
  it('accepts a single-cluster job and applies the params defaults', () => {
    const req = validateSubmit({ cluster: 'c1', type: 'drain', params: { node: 'n1' }, expires: '30m' });
    expect(req).toMatchObject({ target: { cluster: 'c1' }, type: 'drain', params: { node: 'n1', timeoutSeconds: 300 }, expiresMs: 30 * 60_000, dryRun: false, yes: false });
  });

  it('refuses bad targets, types, params and expiries before anything is written', () => {
    const cases: [unknown, RegExp][] = [
      [{ type: 'scale', params: {} }, /exactly one of cluster and selector/],
      [{ cluster: 'c1', selector: 'a=b', type: 'cordon', params: { node: 'n' } }, /exactly one/],
      [{ cluster: 'Bad_Name', type: 'cordon', params: { node: 'n' } }, /not a valid cluster name/],
      [{ cluster: 'c1', type: 'reboot', params: {} }, /unknown job type/],
      [{ cluster: 'c1', type: 'cancel', params: { targetSeq: 1, targetId: '00000000-0000-4000-8000-000000000000' } }, /unknown job type/],
      [{ cluster: 'c1', type: 'scale', params: { namespace: 'apps', name: 'web', replicas: -1 } }, /replicas/],
      [{ cluster: 'c1', type: 'cordon', params: { node: 'n', extra: 1 } }, /params for cordon/],
      [{ cluster: 'c1', type: 'backup', params: { backupId: '../etc', namespaces: ['a'] } }, /backupId/],
      [{ cluster: 'c1', type: 'rotate-credentials', params: { namespace: 'a', target: 'secret', name: 's', sealed: { alg: 'x' } } }, /params for rotate-credentials/],
      [{ cluster: 'c1', type: 'cleanup', params: {} }, /namespace, a selector, or teardown/],
      [{ cluster: 'c1', type: 'cordon', params: { node: 'n' }, expires: '30d' }, /between 0 and 7d/],
      [{ cluster: 'c1', type: 'cordon', params: { node: 'n' }, yes: 'yes' }, /yes must be true or false/],
      [{ cluster: 'c1', type: 'cordon', params: { node: 'n' }, force: true }, /unknown field "force"/],
    ];
    for (const [body, message] of cases) expect(usageMessage(() => validateSubmit(body))).toMatch(message);
  });

  it('bounds the nesting depth and size of params before any schema (or the audit chain) sees them', () => {
    const manifest = (data: unknown) => ({ cluster: 'c1', type: 'apply', params: { objects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data }] } });
    const nested = (n: number): unknown => JSON.parse(`${'{"a":'.repeat(n)}"x"${'}'.repeat(n)}`);
    // params → objects → object → data: three levels above the nested value
    expect(validateSubmit(manifest(nested(JOB_LIMITS.params.maxDepth - 3))).type).toBe('apply');
    for (const depth of [JOB_LIMITS.params.maxDepth - 2, 3000, 6000]) {
      expect(usageMessage(() => validateSubmit(manifest(nested(depth))))).toBe(`params for apply nest deeper than ${JOB_LIMITS.params.maxDepth} levels`);
    }
    const big = { big: 'x'.repeat(JOB_LIMITS.params.maxBytes) };
    expect(usageMessage(() => validateSubmit(manifest(big)))).toMatch(/^params for apply are \d+ bytes of JSON, over the 1048576-byte limit$/);
  });
});
