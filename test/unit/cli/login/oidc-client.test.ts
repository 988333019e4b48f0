import { describe, expect, it } from 'vitest';
import { discover, isLoopbackHost } from '../../../../cli/login/oidc-client.js';
import { FlotillaError } from '../../../../core/errors.js';

describe('oidc client', () => {
  it('knows the loopback hosts plain http is allowed for', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '[::1]']) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['10.0.0.1', 'example.com', 'localhost.example.com', '127.0.0.1.nip.io']) expect(isLoopbackHost(host)).toBe(false);
  });

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
