import { describe, expect, it } from 'vitest';
import { discover } from '../../../../cli/login/oidc-client.js';
import { FlotillaError } from '../../../../core/errors.js';

describe('oidc client', () => {
  it('refuses a plain http issuer elsewhere before sending anything', async () => {
    const e = await discover('http://login.example.com/realms/ops', 'flotilla').catch((err: unknown) => err);
    expect(e).toBeInstanceOf(FlotillaError);
    expect((e as FlotillaError).kind).toBe('config');
    expect((e as FlotillaError).next).toMatch(/https/);
  });

  it('calls an issuer that is not a URL a config error', async () => {
    const e = await discover('login.example.com', 'flotilla').catch((err: unknown) => err);
    expect((e as FlotillaError).kind).toBe('config');
  });
});
