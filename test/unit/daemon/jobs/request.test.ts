import { describe, expect, it } from 'vitest';
import { FlotillaError } from '../../../../core/errors.js';
import { JOB_LIMITS } from '../../../../core/jobs.js';
import { parseParams } from '../../../../cli/commands/job.js';
import { blastRadius } from '../../../../daemon/jobs/blast-radius.js';
import { validateSubmit } from '../../../../daemon/jobs/request.js';
import { matches, parseSelector } from '../../../../daemon/jobs/selector.js';
import { makeStatusReport } from '../../../harness/fake-agent.js';

function usageMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof FlotillaError && e.kind === 'usage') return e.message;
    throw e;
  }
  return 'no error';
}

describe('label selectors', () => {
  const staging = { env: 'staging', team: 'payments' };
  const prod = { env: 'prod', team: 'search' };
  const bare = {};

  it('matches equality, inequality, existence and absence, all required', () => {
    const sel = parseSelector('env=staging, team==payments');
    expect([staging, prod, bare].map((l) => matches(l, sel))).toEqual([true, false, false]);
    expect([staging, prod, bare].map((l) => matches(l, parseSelector('team!=search')))).toEqual([true, false, true]);
    expect([staging, prod, bare].map((l) => matches(l, parseSelector('env')))).toEqual([true, true, false]);
    expect([staging, prod, bare].map((l) => matches(l, parseSelector('!env')))).toEqual([false, false, true]);
    expect(matches({ 'example.com/tier': 'web' }, parseSelector('example.com/tier=web'))).toBe(true);
  });

  it('refuses malformed selectors with a usage error', () => {
    for (const bad of ['', 'env=staging,', 'env=bad value', '=x', 'a b', 'env=-x']) expect(usageMessage(() => parseSelector(bad))).not.toBe('no error');
  });
});

describe('dry-run blast radius', () => {
  const report = makeStatusReport('c1', 1, { nodes: 2, workloads: 3 });

  it('names the node and its pods for drain, the replicas change for scale, and the namespace workloads for cleanup', () => {
    expect(blastRadius('c1', 'drain', { node: 'c1-node-1' }, report).affected).toEqual(['node c1-node-1 (schedulable, 20 pods to evict)']);
    expect(blastRadius('c1', 'scale', { namespace: 'apps', name: 'app-2', kind: 'Deployment', replicas: 7 }, report).affected).toEqual(['Deployment apps/app-2 replicas 2 → 7']);
    expect(blastRadius('c1', 'cleanup', { namespace: 'apps', teardown: false }, report).affected).toEqual([
      'namespace apps',
      'Deployment apps/app-0 (2 replicas)',
      'Deployment apps/app-1 (2 replicas)',
      'Deployment apps/app-2 (2 replicas)',
    ]);
    expect(blastRadius('c1', 'backup', { backupId: 'b', namespaces: ['apps', 'none'] }, report).affected).toEqual(['namespace apps (3 workloads)', 'namespace none (0 workloads)']);
  });

  it('warns when the object is not in the report or there is no report', () => {
    expect(blastRadius('c1', 'cordon', { node: 'ghost' }, report)).toMatchObject({ affected: [], warning: 'node ghost is not in the latest status report' });
    expect(blastRadius('c1', 'restart', { namespace: 'apps', name: 'web' }, null)).toMatchObject({ affected: ['Deployment apps/web'], warning: expect.stringMatching(/no status report/) as unknown });
  });
});

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

describe('CLI --param parsing', () => {
  it('reads JSON values where they parse, strings otherwise, and lists for namespaces', () => {
    expect(parseParams(['replicas=3', 'name=web', 'teardown=true', 'namespaces=apps,web', 'namespaces=db', 'objects=[{"kind":"ConfigMap"}]'])).toEqual({
      replicas: 3,
      name: 'web',
      teardown: true,
      namespaces: ['apps', 'web', 'db'],
      objects: [{ kind: 'ConfigMap' }],
    });
    expect(parseParams(['keys=password'])).toEqual({ keys: ['password'] });
    expect(parseParams(['tag=1', 'tag=x'])).toEqual({ tag: [1, 'x'] });
    expect(usageMessage(() => parseParams(['novalue']))).toMatch(/not key=value/);
  });
});
