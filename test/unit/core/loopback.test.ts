// The one rule for plain http to an identity provider, which the daemon's auth.oidc and the CLI's sign-in share.
import { describe, expect, it } from 'vitest';
import { httpsOrLoopback, isLoopbackHost } from '../../../core/loopback.js';

describe('loopback', () => {
  it('knows the loopback hosts plain http is allowed for', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '[::1]']) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['10.0.0.1', 'example.com', 'localhost.example.com', '127.0.0.1.nip.io']) expect(isLoopbackHost(host)).toBe(false);
  });

  it('takes https anywhere and http on loopback only', () => {
    for (const url of ['https://sso.example.com/realms/ops', 'http://127.0.0.1:8080', 'http://[::1]:9000/x', 'http://localhost']) expect(httpsOrLoopback(url)).toBe(true);
    for (const url of ['http://sso.example.com', 'ftp://127.0.0.1', 'not a url', 'http://127.0.0.1.nip.io']) expect(httpsOrLoopback(url)).toBe(false);
  });
});
