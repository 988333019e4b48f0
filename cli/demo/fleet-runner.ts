// Starts the demo fleet's agents in-process from bundles added through the REST client, and stops
// them again. Every agent logs to its own file in the data dir so nothing reaches the terminal.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadAgentConfig } from '../../config/agent.js';
import type { AgentLogsConfig } from '../../config/logs-schema.js';
import type { AgentConfig } from '../../config/schemas.js';
import { createLogger, type Logger } from '../../core/log.js';
import { bundleYaml, writeBundle } from '../bundle-file.js';
import type { FlotillaClient } from '../client.js';
import type { DemoCluster } from './fleet-plan.js';

interface RunningAgent {
  cluster: string;
  stop(): Promise<void>;
}

export interface DemoFleet {
  agents: RunningAgent[];
  stop(): Promise<void>;
}

const POLL_MS = 1000;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Stops a cluster's agent once the daemon has its first reports, so the fleet shows an unreachable row. */
async function goDarkAfterFirstReports(client: FlotillaClient, plan: DemoCluster, agent: RunningAgent, signal: AbortSignal, log: Logger): Promise<void> {
  while (!signal.aborted) {
    const detail = await client.getCluster(plan.name);
    if (detail.row.reportedAt !== null) break;
    await sleep(POLL_MS, signal);
  }
  await sleep(plan.intervalSeconds * 2000, signal);
  if (signal.aborted) return;
  log.info({ cluster: plan.name }, 'stopping this agent on purpose: the cluster turns unreachable');
  await agent.stop();
}

function onceStop(agent: { cluster: string; stop(): Promise<void> }): RunningAgent {
  let stopping: Promise<void> | null = null;
  return { cluster: agent.cluster, stop: () => (stopping ??= agent.stop()) };
}

async function bundleFor(client: FlotillaClient, plan: DemoCluster, dataDir: string, existing: Set<string>): Promise<AgentConfig | null> {
  const agentDir = join(dataDir, 'agents', plan.name);
  const bundlePath = join(dataDir, 'bundles', `${plan.name}.yaml`);
  if (existing.has(plan.name)) {
    // a reused data dir: the agent's key is already registered, its old bundle still describes it
    return existsSync(bundlePath) ? loadAgentConfig(bundlePath, {}, {}) : null;
  }
  const res = await client.addCluster({ name: plan.name, labels: plan.labels, intervalSeconds: plan.intervalSeconds });
  const bundle: AgentConfig = {
    ...res.bundle,
    sim: plan.sim,
    agent: { ...res.bundle.agent, dataDir: agentDir },
    log: { level: 'info', file: join(agentDir, 'agent.log') },
  };
  mkdirSync(join(dataDir, 'bundles'), { recursive: true, mode: 0o700 });
  writeBundle(bundlePath, bundleYaml(bundle, new Date(), res.cluster.expiresAt));
  return bundle;
}

/** The bundle as the demo runs it: with the cluster's edge broker when the demo runs the RabbitMQ chain. */
function withEdge(bundle: AgentConfig, edge: AgentLogsConfig['edge'] | undefined): AgentConfig {
  return edge ? { ...bundle, logs: { ...bundle.logs, edge } } : bundle;
}

export async function startDemoFleet(client: FlotillaClient, plans: DemoCluster[], dataDir: string, log: Logger, edges?: ReadonlyMap<string, NonNullable<AgentLogsConfig['edge']>>): Promise<DemoFleet> {
  const { startAgent } = await import('../../agent/main.js');
  const existing = new Set((await client.listClusters()).map((r) => r.name));
  const abort = new AbortController();
  const agents: RunningAgent[] = [];
  const stop = async (): Promise<void> => {
    abort.abort();
    const results = await Promise.allSettled(agents.map((a) => a.stop()));
    for (const r of results) if (r.status === 'rejected') log.error({ err: r.reason as unknown }, 'agent did not stop cleanly');
  };
  try {
    await Promise.all(
      plans.map(async (plan) => {
        const saved = await bundleFor(client, plan, dataDir, existing);
        if (!saved) {
          log.warn({ cluster: plan.name }, 'cluster exists but its bundle is gone; not starting its agent');
          return;
        }
        // The edge is not written into the bundle: its ports and password belong to this run's brokers.
        const bundle = withEdge(saved, edges?.get(plan.name));
        const agentDir = bundle.agent.dataDir ?? join(dataDir, 'agents', plan.name);
        const logger = createLogger({ name: 'agent', level: bundle.log.level, file: bundle.log.file ?? join(agentDir, 'agent.log') });
        const agent = onceStop(await startAgent(bundle, { logger, dataDir: agentDir }));
        agents.push(agent);
        if (plan.goesDark) {
          goDarkAfterFirstReports(client, plan, agent, abort.signal, log).catch((err: unknown) => log.warn({ err, cluster: plan.name }, 'could not take the cluster dark'));
        }
      }),
    );
  } catch (e) {
    await stop();
    throw e;
  }
  return { agents, stop };
}
