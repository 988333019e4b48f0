// `flotilla demo --no-tui`: a daemon and a simulated fleet in one process, driven from outside by the CLI.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterRow } from '../../../core/fleet.js';
import { assertBuilt, killAll, runCli, startCli, waitUntil } from '../../harness/proc.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';

beforeAll(assertBuilt);
afterAll(() => {
  killAll();
  cleanupTempDirs();
});

describe('flotilla demo --no-tui', () => {
  it('serves a labelled fleet whose dark cluster turns unreachable, then stops cleanly on SIGTERM', async () => {
    const home = tempDir('flotilla-cli-home-');
    const env = { HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_DATA_HOME: join(home, 'data'), XDG_STATE_HOME: join(home, 'state'), FLOTILLA_TOKEN: '', FLOTILLA_SERVER: '' };
    const data = join(tempDir(), 'demo');
    const demo = startCli(['demo', '--no-tui', '--clusters', '3', '--data', data], { env });
    const [, server] = await demo.waitFor(/^server: (http:\/\/\S+)$/m, 30_000);
    const [, tokenFile] = await demo.waitFor(/^token-file: (\S+)$/m);
    expect(tokenFile).toBe(join(data, 'token'));
    expect(statSync(tokenFile as string).mode & 0o777).toBe(0o600);
    const client = { ...env, FLOTILLA_SERVER: server as string, FLOTILLA_TOKEN: readFileSync(tokenFile as string, 'utf8').trim() };

    const list = async (): Promise<ClusterRow[]> => JSON.parse((await runCli(['cluster', 'list', '--json'], { env: client })).stdout) as ClusterRow[];
    const rows = await list();
    expect(rows).toHaveLength(3);
    expect(new Set(rows.map((r) => r.labels.env))).toEqual(new Set(['prod', 'staging', 'dev']));
    await waitUntil(async () => (await list()).some((r) => r.health === 'unreachable'), { timeoutMs: 50_000, intervalMs: 1000, what: 'the dark cluster to turn unreachable' });

    const { code } = await demo.stop('SIGTERM');
    expect(code).toBe(0);
    expect(demo.stdout().trim().split('\n')).toEqual([`server: ${server as string}`, `token-file: ${tokenFile as string}`]);
    expect(demo.stderr()).toMatch(/demo stopped/);
    // daemon and agents log into the data dir, never to the terminal
    expect(readFileSync(join(data, 'daemon.log'), 'utf8').length).toBeGreaterThan(0);
    expect(demo.stderr()).not.toMatch(/"level":/);
  }, 90_000);
});
