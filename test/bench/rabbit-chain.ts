// The RabbitMQ log chain as an operator runs it, for the RabbitMQ chain benchmark
// (test/bench/log-rabbit-chain.ts): a central and an edge RabbitMQ node from Debian's rabbitmq-server
// (daemon/brokers/rabbitmq-node.ts, the nodes the demo and the tests run), a TCP proxy in front of the
// central AMQP port that the edge's shovel dials (`logs.rabbitmq.advertisedUrl`; the daemon itself
// connects to the central node directly), `flotilla init` and `flotilla daemon` with `logs.rabbitmq`,
// and one cluster whose `flotilla agent` has `logs.edge`, switched to the chain with
// `flotilla cluster logging <c> --transport rabbitmq` (as test/integration/logs/chain-loss.test.ts
// and `flotilla demo --log-chain rabbitmq` wire it). Everything it starts, `stop()` stops.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { rabbitManagement, type RabbitManagement } from '../../core/brokers/rabbitmq-management.js';
import { SHOVEL_NAME } from '../../core/brokers/topology.js';
import type { PipelineRow, PipelineSnapshot } from '../../core/pipeline.js';
import { startRabbitNode, type RabbitNode } from '../../daemon/brokers/rabbitmq-node.js';
import { isolatedEnv } from '../harness/control-plane.js';
import { runCli, startCli, waitUntil, type Proc } from '../harness/proc.js';
import { metricValue } from '../harness/prom-text.js';
import { startProxyProcess, type ProxyProcess } from './proxy-process.js';
import { freePort } from '../harness/free-port.js';

function passwordFile(dir: string, name: string, password: string): string {
  const path = join(dir, `${name}.password`);
  writeFileSync(path, `${password}\n`, { mode: 0o600 });
  return path;
}

/**
 * fetch, once more when a kept-alive socket was closed under the request (the management API's web
 * server drops a connection idle for 60 s, and undici may pick it just then: "other side closed").
 */
async function managementFetch(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    return fetch(url, init);
  }
}

/** The shovel parameter's value as the edge holds it (dest-uri with the cluster user's password in it). */
export type ShovelParameter = Record<string, unknown> & { 'ack-mode': string };

export class RabbitLogChain {
  daemon: Proc | undefined;
  agent: Proc | undefined;
  cluster: string | undefined;
  readonly edgeManagement: RabbitManagement;
  readonly centralManagement: RabbitManagement;

  private constructor(
    readonly data: string,
    readonly url: string,
    readonly token: string,
    readonly configPath: string,
    readonly central: RabbitNode,
    readonly edge: RabbitNode,
    readonly proxy: ProxyProcess,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.edgeManagement = rabbitManagement({ url: edge.managementUrl, ...edge.admin });
    this.centralManagement = rabbitManagement({ url: central.managementUrl, ...central.admin });
  }

  /** Boots both nodes side by side, the proxy, `flotilla init` and the daemon with logs.rabbitmq, all under dir. */
  static async start(dir: string, log: (s: string) => void): Promise<RabbitLogChain> {
    const t0 = performance.now();
    const started = await Promise.allSettled([startRabbitNode({ name: 'bench-central', dataDir: join(dir, 'central') }), startRabbitNode({ name: 'bench-edge', dataDir: join(dir, 'edge') })]);
    const nodes = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      await Promise.allSettled(nodes.map((n) => n.close()));
      throw failed.reason;
    }
    const [central, edge] = nodes as [RabbitNode, RabbitNode];
    log(`log-rabbit-chain: central and edge RabbitMQ nodes up in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    let proxy: ProxyProcess | undefined;
    try {
      proxy = await startProxyProcess({ port: central.ports.amqp });
      const data = join(dir, 'data');
      let env: NodeJS.ProcessEnv = { ...isolatedEnv(), FLOTILLA_LOG_LEVEL: 'warn' };
      const port = await freePort();
      const init = await runCli(['init', '--data', data, '--port', String(port), '--json'], { env });
      if (init.code !== 0) throw new Error(`flotilla init exited ${String(init.code)}: ${init.stderr}`);
      const token = (JSON.parse(init.stdout) as { token: string }).token;
      const url = `http://127.0.0.1:${port}`;
      env = { ...env, FLOTILLA_SERVER: url, FLOTILLA_TOKEN: token };
      const configPath = join(data, 'daemon.yaml');
      const config = parseYaml(readFileSync(configPath, 'utf8')) as Record<string, Record<string, unknown>>;
      config.logs = {
        ...config.logs,
        rabbitmq: {
          url: `amqp://127.0.0.1:${central.ports.amqp}`,
          managementUrl: central.managementUrl,
          vhost: '/',
          username: central.admin.username,
          passwordFile: passwordFile(data, 'central', central.admin.password),
          advertisedUrl: `amqp://${proxy.host}:${proxy.port}`,
          prefetch: 200,
        },
      };
      writeFileSync(configPath, stringifyYaml(config), { mode: 0o600 });
      const chain = new RabbitLogChain(data, url, token, configPath, central, edge, proxy, env);
      await chain.startDaemon();
      return chain;
    } catch (e) {
      await proxy?.close();
      await Promise.allSettled([central.close(), edge.close()]);
      throw e;
    }
  }

  async startDaemon(): Promise<void> {
    this.daemon = startCli(['daemon', '--config', this.configPath], { env: this.env });
    await this.daemon.waitFor(/listening on (\S+)/, 30_000, 'stderr');
    await waitUntil(async () => metricValue(await this.metrics(), 'flotilla_log_rabbitmq_consumer_state', { state: 'consuming' }) === 1, { what: 'the daemon consuming flotilla.logs.ingest', timeoutMs: 60_000, intervalMs: 200 });
  }

  async stopDaemon(): Promise<void> {
    await this.daemon?.stop();
    this.daemon = undefined;
  }

  /** Registers the cluster and starts its agent (sim backend, its own logs off) on `inputs` with logs.edge on the edge node. */
  async startAgent(name: string, paths: string[], logs: Record<string, unknown>): Promise<void> {
    const bundle = join(this.data, `${name}.yaml`);
    const add = await runCli(['cluster', 'add', name, '--interval', '5', '--out', bundle], { env: this.env });
    if (add.code !== 0) throw new Error(`cluster add ${name} exited ${String(add.code)}: ${add.stderr}`);
    const b = parseYaml(readFileSync(bundle, 'utf8')) as Record<string, unknown>;
    b.logs = {
      inputs: [{ paths, format: 'cri', exclude: [] }],
      edge: { url: `amqp://127.0.0.1:${this.edge.ports.amqp}`, managementUrl: this.edge.managementUrl, vhost: '/', username: this.edge.admin.username, passwordFile: passwordFile(this.data, `${name}-edge`, this.edge.admin.password) },
      ...logs,
    };
    b.sim = { ...(b.sim as object), logs: { enabled: false } };
    writeFileSync(bundle, stringifyYaml(b), { mode: 0o600 });
    this.cluster = name;
    this.agent = startCli(['agent', '--config', bundle, '--data', join(this.data, `${name}-agent`), '--backend', 'sim'], { env: this.env });
  }

  /** Waits for the agent's first report, switches the cluster to the RabbitMQ chain and waits for its shovel to run. */
  async switchToRabbit(outboxMaxBytes?: number): Promise<void> {
    const name = this.cluster as string;
    await waitUntil(async () => (await this.row())?.transport ?? undefined, { what: `${name}'s first status report`, timeoutMs: 90_000, intervalMs: 500 });
    const r = await runCli(['cluster', 'logging', name, '--transport', 'rabbitmq', ...(outboxMaxBytes ? ['--outbox-max-bytes', String(outboxMaxBytes)] : [])], { env: this.env });
    if (r.code !== 0) throw new Error(`cluster logging ${name} --transport rabbitmq exited ${String(r.code)}: ${r.stderr}`);
    await waitUntil(async () => {
      const row = await this.row();
      return row?.transport === 'rabbitmq' && row.edge?.shovelState === 'running' ? true : undefined;
    }, { what: `${name} on the RabbitMQ chain with a running shovel`, timeoutMs: 120_000, intervalMs: 500 });
  }

  async metrics(): Promise<string> {
    return (await fetch(`${this.url}/metrics`)).text();
  }

  async get<T>(path: string): Promise<T> {
    const res = await fetch(`${this.url}${path}`, { headers: { authorization: `Bearer ${this.token}` } });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  async row(): Promise<PipelineRow | undefined> {
    return (await this.get<PipelineSnapshot>('/api/v1/pipeline')).rows.find((r) => r.cluster === this.cluster);
  }

  /** Records, messages and sink writes the daemon's consumer committed since it started (flotilla_log_rabbitmq_*_total{result="stored"}). */
  async stored(): Promise<{ records: number; messages: number; commits: number }> {
    const text = await this.metrics();
    return {
      records: metricValue(text, 'flotilla_log_rabbitmq_records_total', { result: 'stored' }),
      messages: metricValue(text, 'flotilla_log_rabbitmq_messages_total', { result: 'stored' }),
      commits: metricValue(text, 'flotilla_log_rabbitmq_commits_total', { result: 'stored' }),
    };
  }

  /** The edge shovel's state as the edge's management API reports it; 'absent' when it runs none. */
  async shovelState(): Promise<{ state: string; reason?: string }> {
    const s = (await this.edgeManagement.shovelStatus('/')).find((x) => x.name === SHOVEL_NAME);
    return s ? { state: s.state, ...(s.reason ? { reason: s.reason } : {}) } : { state: 'absent' };
  }

  private async edgeParameter(method: 'GET' | 'PUT', body?: unknown): Promise<unknown> {
    const res = await managementFetch(`${this.edge.managementUrl}/api/parameters/shovel/%2F/${encodeURIComponent(SHOVEL_NAME)}`, {
      method,
      headers: { authorization: `Basic ${Buffer.from(`${this.edge.admin.username}:${this.edge.admin.password}`).toString('base64')}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`${method} shovel parameter on the edge: ${res.status} ${await res.text()}`);
    return method === 'GET' ? res.json() : undefined;
  }

  /** The shovel's definition as the agent set it (shovelDefinition() with the cluster user's credentials). */
  async shovelParameter(): Promise<ShovelParameter> {
    return ((await this.edgeParameter('GET')) as { value: ShovelParameter }).value;
  }

  /** Sets the shovel again with this value (RabbitMQ restarts it) and waits until it runs. */
  async setShovel(value: ShovelParameter): Promise<void> {
    await this.edgeParameter('PUT', { value });
    // The old one may still say running for a moment: wait for the new definition to be the one running.
    await new Promise((r) => setTimeout(r, 500));
    await waitUntil(async () => ((await this.shovelState()).state === 'running' ? true : undefined), { what: 'the shovel running again', timeoutMs: 60_000, intervalMs: 200 });
  }

  /** A node's memory and disk alarms and memory use (GET /api/nodes/<node>). */
  async nodeFigures(which: 'edge' | 'central'): Promise<{ memAlarm: boolean; diskAlarm: boolean; memUsedMiB: number }> {
    const node = which === 'edge' ? this.edge : this.central;
    const res = await managementFetch(`${node.managementUrl}/api/nodes/${encodeURIComponent(node.nodeName)}`, { headers: { authorization: `Basic ${Buffer.from(`${node.admin.username}:${node.admin.password}`).toString('base64')}` } });
    if (!res.ok) throw new Error(`GET /api/nodes on ${which}: ${res.status}`);
    const n = (await res.json()) as { mem_alarm?: boolean; disk_free_alarm?: boolean; mem_used?: number };
    return { memAlarm: n.mem_alarm === true, diskAlarm: n.disk_free_alarm === true, memUsedMiB: (n.mem_used ?? 0) / 2 ** 20 };
  }

  /** Stops the agent, the daemon, the proxy and both nodes (each by its pid), whatever fails. */
  async stop(): Promise<void> {
    await Promise.allSettled([this.agent?.stop(), this.daemon?.stop()]);
    await this.proxy.close().catch(() => undefined);
    await Promise.allSettled([this.central.close(), this.edge.close()]);
  }
}
