// `flotilla daemon` in the foreground: listening line, clean SIGTERM, config errors (78), and a client
// pointed at nothing (69).
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, killAll, runCli, startCli } from '../../harness/proc.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';
import { isolatedEnv } from '../../harness/control-plane.js';


async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

beforeAll(assertBuilt);
afterAll(() => {
  killAll();
  cleanupTempDirs();
});

describe('flotilla daemon', () => {
  it('serves in the foreground and stops cleanly on SIGTERM and SIGINT', async () => {
    const env = isolatedEnv();
    const data = join(tempDir(), 'cp');
    expect((await runCli(['init', '--data', data, '--port', '0'], { env })).code).toBe(0);
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const daemon = startCli(['daemon', '--config', join(data, 'daemon.yaml')], { env });
      const [, url] = await daemon.waitFor(/^flotilla daemon listening on (http:\/\/\S+)\n/m, 20_000, 'stderr');
      const health = await fetch(`${url as string}/healthz`);
      expect(health.status).toBe(200);
      const { code } = await daemon.stop(signal);
      expect(code).toBe(0);
      expect(daemon.stdout()).toBe('');
      expect(daemon.stderr().match(/listening on/g)).toHaveLength(1);
    }
  });

  it('finds its config through FLOTILLA_CONFIG', async () => {
    const env = isolatedEnv();
    const data = join(tempDir(), 'cp');
    expect((await runCli(['init', '--data', data, '--port', '0'], { env })).code).toBe(0);
    const daemon = startCli(['daemon'], { env: { ...env, FLOTILLA_CONFIG: join(data, 'daemon.yaml') } });
    await daemon.waitFor(/listening on/, 20_000, 'stderr');
    expect((await daemon.stop()).code).toBe(0);
  });

  it('takes flag overrides over the config file and the environment', async () => {
    const env = isolatedEnv();
    const root = tempDir();
    const data = join(root, 'cp');
    const init = await runCli(['init', '--data', data, '--port', '0', '--json'], { env });
    expect(init.code).toBe(0);
    const { token } = JSON.parse(init.stdout) as { token: string };
    // The registry (and so the admin token) moves with --data.
    mkdirSync(join(root, 'flag-data'));
    copyFileSync(join(data, 'registry.db'), join(root, 'flag-data', 'registry.db'));
    // So does the store: --store names one that init made (a daemon refuses any other).
    cpSync(join(data, 'store'), join(root, 'flag-store'), { recursive: true });
    // The environment says one thing, the flags another (relative to the cwd); the flags win.
    const envSide = { FLOTILLA_DATA_DIR: join(root, 'env-data'), FLOTILLA_STORE_PATH: join(root, 'env-store'), FLOTILLA_LOG_LEVEL: 'info', FLOTILLA_LISTEN_PORT: String(await closedPort()) };
    const daemon = startCli(
      ['daemon', '--config', join(data, 'daemon.yaml'), '--listen', '127.0.0.1:0', '--data', 'flag-data', '--store', 'flag-store', '--log-level', 'warn', '--log-file', 'flag.log', '--public-url', 'https://flotilla.example.test:7420', '--store-poll-ms', '250'],
      { env: { ...env, ...envSide }, cwd: root },
    );
    const [, url] = await daemon.waitFor(/listening on (http:\/\/\S+)/, 20_000, 'stderr');
    const info = (await (await fetch(`${url as string}/api/v1/info`, { headers: { authorization: `Bearer ${token}` } })).json()) as { dataDir: string; store: string; publicUrl: string };
    expect(info.dataDir).toBe(join(root, 'flag-data'));
    expect(info.store).toBe(`dir:${join(root, 'flag-store')}`);
    expect(info.publicUrl).toBe('https://flotilla.example.test:7420');
    expect(existsSync(join(root, 'flag-data', 'registry.db'))).toBe(true);
    expect(existsSync(envSide.FLOTILLA_DATA_DIR)).toBe(false);
    expect(existsSync(envSide.FLOTILLA_STORE_PATH)).toBe(false);
    expect((await daemon.stop()).code).toBe(0);
    // warn from the flag, not info from the environment: the info lines never reach the flag's log file.
    expect(existsSync(join(root, 'flag.log'))).toBe(true);
    expect(readFileSync(join(root, 'flag.log'), 'utf8')).not.toMatch(/daemon listening/);
  });

  it('refuses a malformed --listen as a usage error (64)', async () => {
    const res = await runCli(['daemon', '--listen', 'localhost'], { env: isolatedEnv() });
    expect(res.code).toBe(64);
    expect(res.stderr).toMatch(/--listen.*expected \[HOST:\]PORT/);
    expect(res.stderr).toMatch(/\nnext: /);
  });

  it('exits 78 on a broken config, naming the file, the key and the fix', async () => {
    const dir = tempDir();
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'dataDir: .\nstore: { type: dir, path: store }\nkeys: { signingKey: k.pem }\nlisten:\n  port: "not a port"\n');
    const res = await runCli(['daemon', '--config', file], { env: isolatedEnv() });
    expect(res.code).toBe(78);
    expect(res.stderr).toMatch(new RegExp(`^error: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: listen\\.port: `));
    expect(res.stderr).toMatch(/\nnext: Set listen\.port to TCP port/);
  });

  it('exits 78 on YAML that does not parse, naming the line', async () => {
    const file = join(tempDir(), 'broken.yaml');
    writeFileSync(file, 'dataDir: .\nstore:\n  type: dir\n   path: x\n');
    const res = await runCli(['daemon', '--config', file], { env: isolatedEnv() });
    expect(res.code).toBe(78);
    expect(res.stderr).toMatch(/broken\.yaml:\d+: YAML syntax error/);
  });

  it('a client pointed at no daemon exits 69 with how to start one', async () => {
    const server = `http://127.0.0.1:${await closedPort()}`;
    const res = await runCli(['cluster', 'list', '--server', server, '--token', 'whatever'], { env: isolatedEnv() });
    expect(res.code).toBe(69);
    expect(res.stderr).toBe(`error: cannot reach the daemon at ${server} (ECONNREFUSED)\nnext: start it with \`flotilla daemon\` or check --server/FLOTILLA_SERVER\n`);
  });
});
