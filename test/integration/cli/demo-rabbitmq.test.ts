// `flotilla demo --log-chain rabbitmq`: a central RabbitMQ node and an edge node per simulated
// cluster from Debian's rabbitmq-server, the clusters switched to the broker chain, lines reaching
// the center through the shovels, every node stopped with the demo; and exit 69 naming the package
// when rabbitmq-server is not where the demo looks.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineSnapshot } from '../../../core/pipeline.js';
import { nodeProcesses } from '../../../daemon/brokers/rabbitmq-node.js';
import { assertBuilt, killAll, runCli, startCli, waitUntil } from '../../harness/proc.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';

beforeAll(assertBuilt);
afterAll(() => {
  killAll();
  cleanupTempDirs();
});

function cliEnv() {
  const home = tempDir('flotilla-cli-home-');
  return { HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_DATA_HOME: join(home, 'data'), XDG_STATE_HOME: join(home, 'state'), FLOTILLA_TOKEN: '', FLOTILLA_SERVER: '' };
}

/** Messages the shovels published into the center's ingest queue, as its management API counts them. */
async function centralPublished(brokers: string): Promise<number> {
  const node = JSON.parse(readFileSync(join(brokers, 'central', 'node.json'), 'utf8')) as { ports: { management: number }; admin: { username: string; password: string } };
  const res = await fetch(`http://127.0.0.1:${node.ports.management}/api/queues/%2F/flotilla.logs.ingest`, { headers: { authorization: `Basic ${Buffer.from(`${node.admin.username}:${node.admin.password}`).toString('base64')}` } });
  if (!res.ok) return 0;
  const q = (await res.json()) as { message_stats?: { publish?: number } };
  return q.message_stats?.publish ?? 0;
}

describe('flotilla demo --log-chain rabbitmq', () => {
  it('fails with exit 69 naming the package when rabbitmq-server is missing, before starting anything', async () => {
    const data = join(tempDir(), 'demo');
    const r = await runCli(['demo', '--no-tui', '--clusters', '1', '--log-chain', 'rabbitmq', '--rabbitmq-server', '/nonexistent/rabbitmq-server', '--data', data], { env: cliEnv() });
    expect(r.code).toBe(69);
    expect(r.stderr).toMatch(/error: RabbitMQ is not installed: rabbitmq-server was not found at \/nonexistent\/rabbitmq-server/);
    expect(r.stderr).toMatch(/next: Install Debian's package rabbitmq-server \(sudo apt-get install rabbitmq-server\)/);
  });

  it('runs the chain: every live cluster on rabbitmq with its shovel running, lines at the center, every node stopped on SIGTERM', { timeout: 300_000 }, async () => {
    const env = cliEnv();
    const data = join(tempDir(), 'demo');
    const brokers = join(data, 'brokers');
    const demo = startCli(['demo', '--no-tui', '--clusters', '2', '--log-chain', 'rabbitmq', '--data', data], { env });
    const [, server] = await demo.waitFor(/^server: (http:\/\/\S+)$/m, 180_000);
    const [, tokenFile] = await demo.waitFor(/^token-file: (\S+)$/m);
    expect(demo.stderr()).toMatch(/starting 3 RabbitMQ nodes/);
    const client = { ...env, FLOTILLA_SERVER: server as string, FLOTILLA_TOKEN: readFileSync(tokenFile as string, 'utf8').trim() };
    const pipeline = async () => JSON.parse((await runCli(['pipeline', '--json'], { env: client })).stdout) as PipelineSnapshot;

    // prod-payments-01 keeps running; staging-payments-02 goes dark on purpose after its first reports.
    const live = await waitUntil(
      async () => {
        const row = (await pipeline()).rows.find((r) => r.cluster === 'prod-payments-01');
        return row?.transport === 'rabbitmq' && row.edge?.shovelState === 'running' ? row : null;
      },
      { what: 'the live cluster on the RabbitMQ chain with a running shovel', timeoutMs: 120_000, intervalMs: 1000 },
    );
    expect(live.edge).toMatchObject({ outboxMaxBytes: expect.any(Number), error: null });
    await waitUntil(async () => (await centralPublished(brokers)) > 0, { what: 'log batches shovelled into the center', timeoutMs: 60_000, intervalMs: 1000 });
    await waitUntil(async () => ((await pipeline()).rows.find((r) => r.cluster === 'prod-payments-01')?.ingestLinesPerSecond ?? 0) > 0, { what: 'the daemon ingesting the cluster from the center', timeoutMs: 60_000, intervalMs: 1000 });

    const nodeDirs = readdirSync(brokers).map((d) => join(brokers, d));
    expect(nodeDirs.map((d) => d.slice(brokers.length + 1)).sort()).toEqual(['central', 'edge-prod-payments-01', 'edge-staging-payments-02']);
    expect(nodeDirs.every((d) => nodeProcesses(d).length > 0)).toBe(true);
    const { code } = await demo.stop('SIGTERM');
    expect(code).toBe(0);
    expect(demo.stderr()).toMatch(/demo stopped/);
    expect(nodeDirs.flatMap((d) => nodeProcesses(d))).toEqual([]);
  });
});
