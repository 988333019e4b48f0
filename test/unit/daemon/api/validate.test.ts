import { describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../../../config/schemas.js';
import { FlotillaError } from '../../../../core/errors.js';
import { validateClusterAdd, validateLabels, validateTokenCreate, isLabelKey, parseLimit } from '../../../../daemon/api/validate.js';
import { decodePathParam } from '../../../../daemon/api/path-param.js';
import { buildBundle } from '../../../../daemon/bundle.js';
import { daemonYaml } from '../../../../daemon/config-file.js';
import { parseConfigText } from '../../../../config/load.js';
import { DaemonConfigSchema } from '../../../../config/schemas.js';

const NOW = new Date('2025-01-01T00:00:00Z');

describe('request validation', () => {
  it('accepts Kubernetes-style label keys and values', () => {
    expect(validateLabels({ env: 'prod', 'team.example.com/owner': 'sre_1', empty: '' })).toEqual({ env: 'prod', 'team.example.com/owner': 'sre_1', empty: '' });
    expect(isLabelKey('a/b/c')).toBe(false);
    expect(isLabelKey('-x')).toBe(false);
  });

  it('refuses bad labels with a usage error', () => {
    expect(() => validateLabels({ 'bad key': 'x' })).toThrow(FlotillaError);
    expect(() => validateLabels({ env: 'x'.repeat(64) })).toThrow(/invalid value/);
    expect(() => validateLabels({ env: 3 })).toThrow(/invalid value/);
    expect(() => validateLabels(['env'])).toThrow(/object/);
  });

  it('validates a cluster add and turns the ttl into an expiry', () => {
    expect(validateClusterAdd({ name: 'edge-1', ttl: '2h' }, 10, NOW)).toEqual({ name: 'edge-1', labels: {}, expiresAt: '2025-01-01T02:00:00.000Z', intervalSeconds: 10 });
    expect(() => validateClusterAdd({ name: 'Edge_1' }, 10, NOW)).toThrow(/not a valid cluster name/);
    expect(() => validateClusterAdd({ name: 'e', ttl: 'soon' }, 10, NOW)).toThrow(/not a duration/);
    expect(() => validateClusterAdd({ name: 'e', intervalSeconds: 0 }, 10, NOW)).toThrow(/intervalSeconds/);
    expect(() => validateClusterAdd({}, 10, NOW)).toThrow(/name is required/);
  });

  it('refuses a ttl too long to be a date as a usage error, not a crash', () => {
    expect(() => validateClusterAdd({ name: 'e', ttl: '999999999999d' }, 10, NOW)).toThrow(/longer than the longest duration/);
    expect(() => validateTokenCreate({ role: 'viewer', ttl: '999999999999d' }, NOW)).toThrow(/longer than the longest duration/);
    expect(validateClusterAdd({ name: 'e', ttl: '36500d' }, 10, NOW).expiresAt).toBe('2124-12-08T00:00:00.000Z');
  });

  it('refuses unknown fields, naming the field, instead of dropping them', () => {
    expect(() => validateClusterAdd({ name: 'e', lables: { env: 'prod' } }, 10, NOW)).toThrow('unknown field "lables"');
    expect(() => validateTokenCreate({ role: 'viewer', scopes: 'env=prod' }, NOW)).toThrow('unknown field "scopes"');
    try {
      validateClusterAdd({ name: 'e', interval: 5 }, 10, NOW);
    } catch (e) {
      expect((e as FlotillaError).kind).toBe('usage');
      expect((e as FlotillaError).next).toBe('Send only name, labels, ttl, intervalSeconds; see docs/API.md.');
    }
  });

  it('validates token creation', () => {
    expect(validateTokenCreate({ role: 'viewer' }, NOW)).toEqual({ role: 'viewer', name: 'viewer', expiresAt: null, scope: null });
    expect(validateTokenCreate({ role: 'operator', scope: ' team=payments,env!=prod ' }, NOW)).toMatchObject({ scope: 'team=payments,env!=prod' });
    expect(validateTokenCreate({ role: 'operator', scope: '' }, NOW)).toMatchObject({ scope: null });
    expect(() => validateTokenCreate({ role: 'operator', scope: '=x' }, NOW)).toThrow(/selector/);
    expect(() => validateTokenCreate({ role: 'root' }, NOW)).toThrow(/role/);
  });

  it('decodes path parameters, and a malformed percent-escape is a usage error', () => {
    expect(decodePathParam('edge%2D1')).toBe('edge-1');
    for (const bad of ['%E0%A4%A', '%', '%zz', '%C0%AF']) {
      let err: unknown;
      try {
        decodePathParam(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(FlotillaError);
      expect((err as FlotillaError).httpStatus).toBe(400);
      expect((err as FlotillaError).message).toBe(`path segment "${bad}" is not valid percent-encoding`);
    }
  });

  it('parses limits with a ceiling', () => {
    expect(parseLimit(null, 100, 1000)).toBe(100);
    expect(parseLimit('5000', 100, 1000)).toBe(1000);
    expect(() => parseLimit('-1', 100, 1000)).toThrow(/limit/);
  });
});

describe('generated files', () => {
  it('builds a bundle valid under AgentConfigSchema', () => {
    const bundle = buildBundle({ cluster: 'c1', store: { type: 'dir', path: '/srv/store', pollIntervalMs: 500 }, controlPlane: { keyid: 'ed25519:ab', publicKey: 'AAAA' }, bootstrapToken: 'fbt_0123456789abcdef', publicUrl: 'http://127.0.0.1:7420', intervalSeconds: 5 });
    expect(AgentConfigSchema.safeParse(bundle).success).toBe(true);
    expect(bundle).toMatchObject({ apiVersion: 'flotilla/v1', kind: 'AgentBundle', store: { type: 'dir', path: '/srv/store', pollIntervalMs: 500 }, status: { intervalSeconds: 5 } });
  });

  it('writes a daemon.yaml that loads with relative paths resolved', () => {
    const text = daemonYaml({ host: '0.0.0.0', port: 7421 });
    expect(text).toMatch(/^# /m);
    const cfg = parseConfigText('/data/daemon.yaml', text, { schema: DaemonConfigSchema, pathKeys: ['dataDir', 'store.path', 'keys.signingKey'] });
    expect(cfg).toMatchObject({ listen: { host: '0.0.0.0', port: 7421 }, dataDir: '/data', store: { path: '/data/store' }, keys: { signingKey: '/data/keys/controlplane.key' } });
  });
});
