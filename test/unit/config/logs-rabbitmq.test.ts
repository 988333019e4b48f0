// logs.rabbitmq in daemon.yaml: defaults, paths resolved from the file, and every broken value a
// config error (exit 78) that names the key and the fix.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadDaemonConfig } from '../../../config/daemon.js';
import { FlotillaError } from '../../../core/errors.js';
import { readBrokerPassword } from '../../../daemon/logs/rabbitmq/open.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';

afterAll(cleanupTempDirs);

const BASE = `
dataDir: data
store:
  type: dir
  path: store
keys:
  signingKey: keys/cp.pem
logs:
  rabbitmq:
`;
const GOOD = ['url: amqp://127.0.0.1:5672', 'managementUrl: http://127.0.0.1:15672', 'username: flotilla', 'passwordFile: secrets/rabbitmq.password'];

function write(lines: string[]): string {
  const dir = tempDir();
  const file = join(dir, 'daemon.yaml');
  writeFileSync(file, BASE + lines.map((l) => `    ${l}\n`).join(''));
  return file;
}

function configError(fn: () => unknown): FlotillaError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FlotillaError);
    return e as FlotillaError;
  }
  throw new Error('expected a config error');
}

describe('logs.rabbitmq', () => {
  it('is absent by default', () => {
    const file = join(tempDir(), 'daemon.yaml');
    writeFileSync(file, BASE.replace('logs:\n  rabbitmq:\n', ''));
    expect(loadDaemonConfig(file, {}, {}).logs.rabbitmq).toBeUndefined();
  });

  it('applies its defaults and resolves the password and CA files from the config file', () => {
    const file = write([...GOOD, 'caFile: ca.pem']);
    const cfg = loadDaemonConfig(file, {}, {}).logs.rabbitmq;
    const dir = join(file, '..');
    expect(cfg).toEqual({
      url: 'amqp://127.0.0.1:5672',
      managementUrl: 'http://127.0.0.1:15672',
      vhost: '/',
      username: 'flotilla',
      passwordFile: join(dir, 'secrets/rabbitmq.password'),
      caFile: join(dir, 'ca.pem'),
      prefetch: 200,
    });
  });

  it.each([
    { what: 'a prefetch under 100', lines: [...GOOD, 'prefetch: 50'], key: 'logs.rabbitmq.prefetch' },
    { what: 'credentials in the url', lines: [...GOOD.slice(1), 'url: amqp://u:p@127.0.0.1:5672'], key: 'logs.rabbitmq.url' },
    { what: 'an http url for AMQP', lines: [...GOOD.slice(1), 'url: http://127.0.0.1:5672'], key: 'logs.rabbitmq.url' },
    { what: 'an AMQP management url', lines: [...GOOD.filter((l) => !l.startsWith('managementUrl')), 'managementUrl: amqp://127.0.0.1:15672'], key: 'logs.rabbitmq.managementUrl' },
    { what: 'no passwordFile', lines: GOOD.filter((l) => !l.startsWith('passwordFile')), key: 'logs.rabbitmq.passwordFile' },
    { what: 'an unknown key', lines: [...GOOD, 'password: hunter2'], key: 'logs.rabbitmq' },
    { what: 'a non-AMQP advertisedUrl', lines: [...GOOD, 'advertisedUrl: central.example:5672'], key: 'logs.rabbitmq.advertisedUrl' },
  ])('refuses $what with exit 78, naming the key', ({ lines, key }) => {
    const err = configError(() => loadDaemonConfig(write(lines), {}, {}));
    expect(err.exitCode).toBe(78);
    expect(err.message).toContain(key);
    expect(err.next).toMatch(/\S/);
  });
});

describe('the broker password file', () => {
  it('is its first line', () => {
    const file = join(tempDir(), 'pw');
    writeFileSync(file, 's3cret\n', { mode: 0o600 });
    expect(readBrokerPassword(file)).toBe('s3cret');
  });

  it('missing, empty or readable by others is a config error naming logs.rabbitmq.passwordFile', () => {
    const dir = tempDir();
    const empty = join(dir, 'empty');
    writeFileSync(empty, '\n', { mode: 0o600 });
    const open = join(dir, 'open');
    writeFileSync(open, 'pw\n', { mode: 0o644 });
    for (const file of [join(dir, 'missing'), empty, open]) {
      const err = configError(() => readBrokerPassword(file));
      expect(err.exitCode).toBe(78);
      expect(`${err.message} ${err.next}`).toMatch(/passwordFile|chmod 600/);
    }
  });
});
