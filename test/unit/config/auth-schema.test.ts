// daemon.yaml's auth block: an issuer over https (http on loopback only), asymmetric algorithms only,
// bindings naming exactly one subject or group with a scope the selector parser accepts.
import { describe, expect, it } from 'vitest';
import { AuthConfigSchema } from '../../../config/auth-schema.js';

const issues = (raw: unknown) => {
  const r = AuthConfigSchema.safeParse(raw);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('auth config', () => {
  it('fills the OIDC defaults and takes the audience from the client', () => {
    const c = AuthConfigSchema.parse({ oidc: { issuer: 'https://sso.example.com/realms/ops', clientId: 'flotilla' } });
    expect(c.oidc).toMatchObject({ groupsClaim: 'groups', usernameClaim: 'preferred_username', clockSkewSeconds: 30, maxTokenBytes: 8192, jwksRefetchSeconds: 30 });
    expect(c.oidc?.algorithms).not.toContain('HS256');
    expect(c.bindings).toEqual([]);
  });

  it('takes an http issuer on loopback only', () => {
    expect(issues({ oidc: { issuer: 'http://127.0.0.1:8080', clientId: 'f' } })).toEqual([]);
    expect(issues({ oidc: { issuer: 'http://sso.example.com/realms/ops', clientId: 'f' } })).toEqual(['oidc.issuer: expected an https URL (http only on a loopback host: 127.x.x.x, [::1] or localhost)']);
  });

  it('refuses HMAC and none among the algorithms', () => {
    for (const alg of ['HS256', 'none']) expect(issues({ oidc: { issuer: 'https://x', clientId: 'f', algorithms: [alg] } })[0]).toMatch(/^oidc\.algorithms\.0: /);
  });

  it('takes bindings of exactly one subject or group, with a valid scope', () => {
    expect(issues({ bindings: [{ group: 'g', role: 'viewer', scope: 'team=payments,env!=prod' }, { subject: 's', role: 'admin' }] })).toEqual([]);
    expect(issues({ bindings: [{ group: 'g', subject: 's', role: 'viewer' }] })).toEqual(['bindings.0: give exactly one of subject and group']);
    expect(issues({ bindings: [{ role: 'viewer' }] })).toEqual(['bindings.0: give exactly one of subject and group']);
    expect(issues({ bindings: [{ group: 'g', role: 'root' }] })[0]).toMatch(/^bindings\.0\.role: /);
    expect(issues({ bindings: [{ group: 'g', role: 'viewer', scope: '=x' }] })).toEqual(['bindings.0.scope: selector requirement "=x" is neither key=value, key!=value, key nor !key']);
  });
});
