import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadAgentConfig } from '../../../config/agent.js';
import { loadDaemonConfig } from '../../../config/daemon.js';
import { FlotillaError } from '../../../core/errors.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';

afterAll(cleanupTempDirs);

const VALID_DAEMON = `
dataDir: data
store:
  type: dir
  path: store
keys:
  signingKey: keys/cp.pem
listen:
  port: 7420
`;

function writeConfig(text: string, name = 'daemon.yaml'): string {
  const dir = tempDir();
  const file = join(dir, name);
  writeFileSync(file, text);
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

describe('daemon config loading', () => {
  it('applies defaults and resolves relative paths from the config file', () => {
    const file = writeConfig(VALID_DAEMON);
    const cfg = loadDaemonConfig(file, {}, {});
    const dir = join(file, '..');
    expect(cfg.dataDir).toBe(join(dir, 'data'));
    expect(cfg.store).toMatchObject({ type: 'dir', path: join(dir, 'store') });
    expect(cfg.keys.signingKey).toBe(join(dir, 'keys/cp.pem'));
    expect(cfg.listen.host).toBe('127.0.0.1');
    expect(cfg.status.intervalSeconds).toBe(10);
  });

  it('keeps absolute paths as they are', () => {
    const file = writeConfig(VALID_DAEMON.replace('path: store', 'path: /srv/flotilla/store'));
    expect(loadDaemonConfig(file, {}, {}).store).toMatchObject({ type: 'dir', path: '/srv/flotilla/store' });
  });

  it('reports bad YAML with the file, the line and exit 78', () => {
    const file = writeConfig('dataDir: x\nstore:\n  type: dir\n    path: "unclosed\n');
    const err = configError(() => loadDaemonConfig(file, {}, {}));
    expect(err.kind).toBe('config');
    expect(err.exitCode).toBe(78);
    expect(err.message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: YAML syntax error`));
    expect(err.next).toMatch(/YAML syntax/);
  });

  it('rejects an unknown key, naming it and the fix', () => {
    const file = writeConfig(`${VALID_DAEMON}\nlisten_port: 1\n`);
    const err = configError(() => loadDaemonConfig(file, {}, {}));
    expect(err.message).toContain(file);
    expect(err.next).toContain('listen_port');
    expect(err.next).toMatch(/unknown key/);
  });

  it('names the key path and the fix for a wrong type', () => {
    const file = writeConfig(VALID_DAEMON.replace('port: 7420', 'port: high'));
    const err = configError(() => loadDaemonConfig(file, {}, {}));
    expect(err.message).toContain('listen.port');
    expect(err.next).toBe('Set listen.port to TCP port, 0-65535 (0 picks a free one).');
    expect(err.details).toMatchObject({ file, keyPath: 'listen.port' });
  });

  it('reports a missing file as a config error with the next step', () => {
    const err = configError(() => loadDaemonConfig(join(tempDir(), 'absent.yaml'), {}, {}));
    expect(err.exitCode).toBe(78);
    expect(err.message).toMatch(/ENOENT/);
    expect(err.next).toMatch(/flotilla init/);
  });

  it('lets FLOTILLA_* environment override the file, and flags override both', () => {
    const file = writeConfig(VALID_DAEMON);
    const env = { FLOTILLA_LISTEN_PORT: '8000', FLOTILLA_LISTEN_HOST: '0.0.0.0' };
    const fromEnv = loadDaemonConfig(file, {}, env);
    expect(fromEnv.listen).toEqual({ host: '0.0.0.0', port: 8000 });
    const fromFlags = loadDaemonConfig(file, { 'listen.port': 9000 }, env);
    expect(fromFlags.listen).toEqual({ host: '0.0.0.0', port: 9000 });
  });

  it('says an empty file (or one with only comments) is empty, and how to write one', () => {
    for (const text of ['', '\n', '# nothing here yet\n', '~\n']) {
      const file = writeConfig(text);
      const err = configError(() => loadDaemonConfig(file, {}, {}));
      expect(err.exitCode).toBe(78);
      expect(err.message).toBe(`${file}: the file is empty`);
      expect(err.next).toMatch(/flotilla init --data DIR.*config\/examples\/daemon\.yaml/);
    }
    const bundle = writeConfig('', 'bundle.yaml');
    expect(configError(() => loadAgentConfig(bundle, {}, {})).next).toMatch(/flotilla cluster add NAME --out FILE/);
  });

  it('refuses a YAML alias bomb as a config error instead of expanding it', () => {
    const rows = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (const [name, prev] of [['b', 'a'], ['c', 'b'], ['d', 'c'], ['e', 'd'], ['f', 'e']] as const) rows.push(`${name}: &${name} [${Array(10).fill(`*${prev}`).join(', ')}]`);
    const err = configError(() => loadDaemonConfig(writeConfig(`${VALID_DAEMON}\n${rows.join('\n')}\n`), {}, {}));
    expect(err.exitCode).toBe(78);
    expect(err.message).toMatch(/: YAML aliases expand too far \(Excessive alias count/);
    expect(err.next).toMatch(/at most 100 aliases/);
  });

  it('validates environment overrides like file values', () => {
    const file = writeConfig(VALID_DAEMON);
    const err = configError(() => loadDaemonConfig(file, {}, { FLOTILLA_LISTEN_PORT: 'eighty' }));
    expect(err.message).toContain('listen.port');
  });
});

describe('daemon config: the Elasticsearch log sink', () => {
  const withSink = (sink: string) => `${VALID_DAEMON}logs:\n  sink:\n${sink.replace(/^/gm, '    ')}\n`;

  it('applies defaults and resolves the secret and CA files from the config file', () => {
    const file = writeConfig(withSink('type: elasticsearch\nnodes: [https://es-1:9200]\nauth:\n  apiKeyFile: secrets/es-key\ncaFile: tls/es-ca.crt'));
    const dir = join(file, '..');
    expect(loadDaemonConfig(file, {}, {}).logs.sink).toEqual({
      type: 'elasticsearch',
      nodes: ['https://es-1:9200'],
      auth: { apiKeyFile: join(dir, 'secrets/es-key') },
      caFile: join(dir, 'tls/es-ca.crt'),
      indexPrefix: 'flotilla-logs',
      indexHours: 24,
      refresh: 'wait_for',
      requestTimeoutMs: 30_000,
      retry: { initialMs: 200, maxMs: 10_000, writeDeadlineMs: 20_000 },
    });
    const tuned = writeConfig(withSink('type: elasticsearch\nnodes: [https://es-1:9200]\nindexSettings:\n  replicas: 0\n  refreshInterval: 500ms'));
    expect(loadDaemonConfig(tuned, {}, {}).logs.sink).toMatchObject({ indexSettings: { replicas: 0, refreshInterval: '500ms' } });
    const user = writeConfig(withSink('type: elasticsearch\nnodes: [http://127.0.0.1:9200]\nauth:\n  username: flotilla\n  passwordFile: /run/credentials/es-password'));
    expect(loadDaemonConfig(user, {}, {}).logs.sink).toMatchObject({ auth: { username: 'flotilla', passwordFile: '/run/credentials/es-password' } });
  });

  it('refuses credentials in a node URL, naming the key and where they go instead', () => {
    const err = configError(() => loadDaemonConfig(writeConfig(withSink('type: elasticsearch\nnodes: [https://elastic:changeme@es-1:9200]')), {}, {}));
    expect(err.message).toMatch(/logs\.sink\.nodes\.0: credentials in the URL/);
    expect(err.message).toMatch(/logs\.sink\.auth/);
    expect(err.exitCode).toBe(78);
  });

  it('refuses a node that is not an http(s) URL, an index prefix Elasticsearch would refuse, and an inline password', () => {
    expect(configError(() => loadDaemonConfig(writeConfig(withSink('type: elasticsearch\nnodes: [es-1:9200]')), {}, {})).message).toMatch(/logs\.sink\.nodes\.0: expected an http/);
    expect(configError(() => loadDaemonConfig(writeConfig(withSink('type: elasticsearch\nnodes: [https://es-1:9200]\nindexPrefix: Flotilla')), {}, {})).message).toMatch(/logs\.sink\.indexPrefix/);
    expect(configError(() => loadDaemonConfig(writeConfig(withSink('type: elasticsearch\nnodes: [https://es-1:9200]\nauth:\n  username: u\n  password: p')), {}, {})).message).toMatch(/logs\.sink\.auth: expected \{apiKeyFile/);
  });
});

describe('agent bundle loading', () => {
  const bundle = (extra = ''): string => `apiVersion: flotilla/v1
kind: AgentBundle
cluster: edge-01
store: { type: dir, path: ../store }
controlPlane: { keyid: k1, publicKey: AAAA }
bootstrapToken: 0123456789abcdef0123
${extra}`;

  it('resolves the store path from the bundle and the data dir flag as given', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'etc'));
    const file = join(dir, 'etc', 'bundle.yaml');
    writeFileSync(file, bundle());
    const cfg = loadAgentConfig(file, { 'agent.dataDir': '/var/lib/agent' }, {});
    expect(cfg.store).toMatchObject({ type: 'dir', path: join(dir, 'store') });
    expect(cfg.agent.dataDir).toBe('/var/lib/agent');
    expect(cfg.agent.backend).toBe('sim');
  });

  it('rejects a cluster name that is not a DNS label, naming the key', () => {
    const file = writeConfig(bundle().replace('cluster: edge-01', 'cluster: Edge_01'), 'bundle.yaml');
    const err = configError(() => loadAgentConfig(file, {}, {}));
    expect(err.message).toContain('cluster');
    expect(err.next).toMatch(/lower-case/);
  });

  it('takes the status interval from FLOTILLA_STATUS_INTERVAL', () => {
    const file = writeConfig(bundle('status: { intervalSeconds: 10 }'), 'bundle.yaml');
    expect(loadAgentConfig(file, {}, { FLOTILLA_STATUS_INTERVAL: '3' }).status.intervalSeconds).toBe(3);
  });
});
