// The demo's RabbitMQ log chain (`flotilla demo --log-chain rabbitmq`, docs/LOGS.md "Running the
// RabbitMQ chain"): one central node and one edge node per simulated cluster, each a private node
// from Debian's rabbitmq-server under the demo's data dir (daemon/brokers/rabbitmq-node.ts). Nodes
// start a few at a time (each boot is CPU-heavy for seconds) and are stopped with the demo; a data
// dir reused is the same nodes with their durable queues.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentLogsConfig, RabbitMqCentralConfig } from '../../config/logs-schema.js';
import { openRabbitNode, type RabbitNode } from '../../daemon/brokers/rabbitmq-node.js';
import type { FlotillaClient } from '../client.js';

/** Nodes booting at once: three at once take ~10 s each on two cores, more only queue for CPU. */
const START_CONCURRENCY = 3;

export interface DemoBrokers {
  central: RabbitNode;
  /** The daemon config's logs.rabbitmq for the central node. */
  centralConfig: RabbitMqCentralConfig;
  /** Each cluster's agent logs.edge. */
  edges: Map<string, NonNullable<AgentLogsConfig['edge']>>;
  nodes(): RabbitNode[];
  close(): Promise<void>;
}

export interface DemoBrokerOptions {
  /** rabbitmq-server's start script; default Debian's. */
  serverPath?: string;
  progress: (text: string) => void;
}

function passwordFile(dir: string, name: string, password: string): string {
  const path = join(dir, `${name}.password`);
  writeFileSync(path, `${password}\n`, { mode: 0o600 });
  return path;
}

async function startAll(nodes: RabbitNode[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < nodes.length) {
      const node = nodes[next++] as RabbitNode;
      await node.start();
    }
  };
  await Promise.all(Array.from({ length: Math.min(START_CONCURRENCY, nodes.length) }, worker));
}

export async function startDemoBrokers(dataDir: string, clusters: readonly string[], o: DemoBrokerOptions): Promise<DemoBrokers> {
  const dir = join(dataDir, 'brokers');
  const open = (name: string) => openRabbitNode({ name, dataDir: join(dir, name), ...(o.serverPath ? { serverPath: o.serverPath } : {}) });
  // Opening checks the package is installed before anything starts.
  const central = await open('central');
  const edgeNodes = new Map<string, RabbitNode>();
  for (const c of clusters) edgeNodes.set(c, await open(`edge-${c}`));
  const all = [central, ...edgeNodes.values()];
  const close = async () => {
    await Promise.allSettled(all.map((n) => n.close()));
  };
  o.progress(`demo: starting ${all.length} RabbitMQ nodes (a central broker and one edge broker per cluster; logs in ${dir})\n`);
  try {
    await startAll(all);
  } catch (e) {
    await close();
    throw e;
  }
  const edges = new Map<string, NonNullable<AgentLogsConfig['edge']>>();
  for (const [c, n] of edgeNodes) {
    edges.set(c, { url: `amqp://127.0.0.1:${n.ports.amqp}`, managementUrl: n.managementUrl, vhost: '/', username: n.admin.username, passwordFile: passwordFile(n.dataDir, 'admin', n.admin.password) });
  }
  const centralConfig: RabbitMqCentralConfig = {
    url: `amqp://127.0.0.1:${central.ports.amqp}`,
    managementUrl: central.managementUrl,
    vhost: '/',
    username: central.admin.username,
    passwordFile: passwordFile(central.dataDir, 'admin', central.admin.password),
    prefetch: 200,
  };
  return { central, centralConfig, edges, nodes: () => all, close };
}

/**
 * Switches each cluster to the RabbitMQ chain once its agent has reported (so the daemon holds the
 * agent's key to seal the central password to). Resolves with the clusters switched; one that has
 * not reported within the timeout is left on the embedded chain and named in the error list.
 */
export async function switchToRabbit(client: Pick<FlotillaClient, 'getCluster' | 'switchLogging'>, clusters: readonly string[], o: { timeoutMs: number; pollMs?: number }): Promise<{ switched: string[]; failed: { cluster: string; error: string }[] }> {
  const switched: string[] = [];
  const failed: { cluster: string; error: string }[] = [];
  const deadline = Date.now() + o.timeoutMs;
  await Promise.all(
    clusters.map(async (c) => {
      try {
        while ((await client.getCluster(c)).row.reportedAt === null) {
          if (Date.now() > deadline) throw new Error('its agent has not reported yet');
          await new Promise((r) => setTimeout(r, o.pollMs ?? 500));
        }
        await client.switchLogging(c, { transport: 'rabbitmq' });
        switched.push(c);
      } catch (e) {
        failed.push({ cluster: c, error: (e as Error).message });
      }
    }),
  );
  return { switched, failed };
}
