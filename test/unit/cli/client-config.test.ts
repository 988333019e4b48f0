import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SERVER, requireToken, resolveClient } from '../../../cli/client-config.js';
import { FlotillaError } from '../../../core/errors.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';

afterAll(cleanupTempDirs);

/** An environment whose XDG config home holds the given client config. */
function envWithConfig(yaml: string | null, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const home = tempDir();
  if (yaml !== null) {
    mkdirSync(join(home, 'flotilla'));
    writeFileSync(join(home, 'flotilla', 'config.yaml'), yaml);
  }
  return { HOME: home, XDG_CONFIG_HOME: home, ...extra };
}

describe('client config resolution', () => {
  it('defaults to the loopback daemon and no token', () => {
    const r = resolveClient({}, envWithConfig(null));
    expect(r).toMatchObject({ server: DEFAULT_SERVER, serverSource: 'default', token: null, tokenSource: null });
  });

  it('prefers flag over environment over config file for the server', () => {
    const env = envWithConfig('server: http://config:1\n', { FLOTILLA_SERVER: 'http://env:2/' });
    expect(resolveClient({}, { ...env, FLOTILLA_SERVER: '' })).toMatchObject({ server: 'http://config:1', serverSource: 'config' });
    expect(resolveClient({}, env)).toMatchObject({ server: 'http://env:2', serverSource: 'env' });
    expect(resolveClient({ server: 'http://flag:3' }, env)).toMatchObject({ server: 'http://flag:3', serverSource: 'flag' });
  });

  it('prefers flag over environment over config token over config tokenFile', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'tok'), 'from-file\n');
    const both = envWithConfig(`token: from-config\ntokenFile: ${join(dir, 'tok')}\n`, { FLOTILLA_TOKEN: 'from-env' });
    expect(resolveClient({ token: 'from-flag' }, both)).toMatchObject({ token: 'from-flag', tokenSource: 'flag' });
    expect(resolveClient({}, both)).toMatchObject({ token: 'from-env', tokenSource: 'env' });
    expect(resolveClient({}, { ...both, FLOTILLA_TOKEN: '' })).toMatchObject({ token: 'from-config', tokenSource: 'config' });
    const fileOnly = envWithConfig(`tokenFile: ${join(dir, 'tok')}\n`);
    expect(resolveClient({}, fileOnly)).toMatchObject({ token: 'from-file', tokenSource: 'config' });
  });

  it('resolves a relative tokenFile from the config file directory', () => {
    const env = envWithConfig('tokenFile: secret\n');
    writeFileSync(join(env.XDG_CONFIG_HOME as string, 'flotilla', 'secret'), 'rel-token');
    expect(resolveClient({}, env).token).toBe('rel-token');
  });

  it('does not read the config file when flags and environment settle everything', () => {
    const env = envWithConfig('not: [valid yaml', { FLOTILLA_TOKEN: 't' });
    expect(resolveClient({ server: 'http://x:1' }, env)).toMatchObject({ server: 'http://x:1', token: 't' });
  });

  it('reports a broken config file as a config error naming the key', () => {
    const env = envWithConfig('server: 42\n');
    expect(() => resolveClient({}, env)).toThrow(/config\.yaml: server/);
    const bad = envWithConfig('tokenFile: missing\n');
    let err: unknown;
    try {
      resolveClient({ server: 'http://x:1' }, bad);
    } catch (e) {
      err = e;
    }
    expect((err as FlotillaError).exitCode).toBe(78);
    expect((err as FlotillaError).message).toMatch(/tokenFile: cannot read/);
  });

  it('rejects a server that is not an http(s) URL', () => {
    expect(() => resolveClient({ server: 'localhost:7420' }, envWithConfig(null))).toThrow(/not an http\(s\) URL|not a URL/);
    expect(() => resolveClient({ server: 'no url' }, envWithConfig(null))).toThrow(FlotillaError);
  });

  it('without a token, says exactly how to get one (exit 77)', () => {
    const r = resolveClient({}, envWithConfig(null));
    let err: unknown;
    try {
      requireToken(r);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FlotillaError);
    expect((err as FlotillaError).kind).toBe('unauthenticated');
    expect((err as FlotillaError).exitCode).toBe(77);
    expect((err as FlotillaError).next).toBe('sign in with `flotilla login`, or pass --token or set FLOTILLA_TOKEN (an admin creates one with `flotilla token create`)');
  });
});
