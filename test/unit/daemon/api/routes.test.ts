import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { neededRole } from '../../../../core/roles.js';
import { ROUTES } from '../../../../daemon/api/routes.js';

const API_MD = readFileSync(new URL('../../../../docs/API.md', import.meta.url), 'utf8');

describe('REST route table', () => {
  it('audits every route that changes something, and only those', () => {
    for (const r of ROUTES) if (r.auth !== 'signed-body' && r.auth !== 'none') expect(r.mutating === true, `${r.method} ${r.path}`).toBe(r.method !== 'GET');
  });

  it('documents for every route the role its action needs, or the signed body that authenticates it (docs/API.md)', () => {
    for (const r of ROUTES) {
      const row = API_MD.split('\n').find((l) => l.startsWith(`| \`${r.method} ${r.path}\``) || l.startsWith(`| \`${r.method} ${r.path}?`));
      expect(row, `${r.method} ${r.path} in docs/API.md`).toBeDefined();
      expect(row!.split('|')[2]!.trim(), `${r.method} ${r.path}`).toBe(r.auth === 'signed-body' ? 'agent key' : r.auth === 'none' ? 'none' : neededRole(r.action));
    }
  });

  it('takes a signed body only where the body is a signed envelope the handler opens', () => {
    const signed = ROUTES.filter((r) => r.auth === 'signed-body');
    expect(signed.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /api/v1/ingest/logs']);
  });

  it('asks no credentials only of what a client needs before it can have any', () => {
    const open = ROUTES.filter((r) => r.auth === 'none');
    expect(open.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/v1/auth/oidc']);
  });
});
