// The embedded log chain as an operator runs it, for the end-to-end log benchmarks: `flotilla init`,
// `flotilla daemon` as its own process, and per cluster `flotilla cluster add`, a bundle with a
// `logs:` file input (the simulated cluster's own logs off) and `flotilla agent` as its own process
// (the way test/integration/logs/loss.test.ts registers its agents).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { LogFileInput } from '../../config/logs-schema.js';
import type { ClusterRow } from '../../core/fleet.js';
import { isolatedEnv } from '../harness/control-plane.js';
import { runCli, startCli, waitUntil, type Proc } from '../harness/proc.js';
import { metricValue } from '../harness/prom-text.js';
import { freePort } from '../harness/free-port.js';

export interface ChainAgent {
  name: string;
  proc: Proc;
}

export class LogChain {
  readonly agents: ChainAgent[] = [];

  private constructor(
    readonly data: string,
    readonly url: string,
    readonly token: string,
    readonly daemon: Proc,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** init + daemon in data; `profileDir` runs the daemon with --cpu-prof, its profile written there when it stops. */
  static async start(data: string, opts: { profileDir?: string } = {}): Promise<LogChain> {
    let env: NodeJS.ProcessEnv = { ...isolatedEnv(), FLOTILLA_LOG_LEVEL: 'warn' };
    const port = await freePort();
    const init = await runCli(['init', '--data', data, '--port', String(port), '--json'], { env });
    if (init.code !== 0) throw new Error(`flotilla init exited ${String(init.code)}: ${init.stderr}`);
    const token = (JSON.parse(init.stdout) as { token: string }).token;
    const url = `http://127.0.0.1:${port}`;
    env = { ...env, FLOTILLA_SERVER: url, FLOTILLA_TOKEN: token };
    const nodeArgs = opts.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.profileDir}`] : [];
    const daemon = startCli(['daemon', '--config', join(data, 'daemon.yaml')], { env, nodeArgs });
    await daemon.waitFor(/listening on (\S+)/, 20_000, 'stderr');
    return new LogChain(data, url, token, daemon, env);
  }

  /** Registers a cluster and starts its agent (sim backend, its own logs off) following `input`. */
  async addAgent(name: string, input: LogFileInput, logs: Record<string, unknown> = {}): Promise<ChainAgent> {
    const bundle = join(this.data, `${name}.yaml`);
    const add = await runCli(['cluster', 'add', name, '--interval', '5', '--out', bundle], { env: this.env });
    if (add.code !== 0) throw new Error(`cluster add ${name} exited ${String(add.code)}: ${add.stderr}`);
    const config = parseYaml(readFileSync(bundle, 'utf8')) as Record<string, unknown>;
    config.logs = { inputs: [input], ...logs };
    config.sim = { ...(config.sim as object), logs: { enabled: false } };
    writeFileSync(bundle, stringifyYaml(config), { mode: 0o600 });
    const proc = startCli(['agent', '--config', bundle, '--data', join(this.data, `${name}-agent`), '--backend', 'sim'], { env: this.env });
    const agent = { name, proc };
    this.agents.push(agent);
    return agent;
  }

  async metrics(): Promise<string> {
    return (await fetch(`${this.url}/metrics`)).text();
  }

  /** Records the daemon has stored (flotilla_log_ingest_records_total{result="stored"}). */
  async stored(): Promise<number> {
    return metricValue(await this.metrics(), 'flotilla_log_ingest_records_total', { result: 'stored' });
  }

  async get<T>(path: string): Promise<T> {
    const res = await fetch(`${this.url}${path}`, { headers: { authorization: `Bearer ${this.token}` } });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  /** Resolves once every agent started has registered (its key pinned), so its first batch is accepted. */
  async waitRegistered(timeoutMs = 60_000): Promise<void> {
    const names = new Set(this.agents.map((a) => a.name));
    await waitUntil(async () => {
      const { items } = await this.get<{ items: ClusterRow[] }>('/api/v1/clusters');
      return items.filter((r) => names.has(r.name) && r.registration === 'registered').length === names.size ? true : undefined;
    }, { timeoutMs, intervalMs: 200, what: 'every agent registered' });
  }

  async stopAgents(): Promise<void> {
    await Promise.all(this.agents.splice(0).map((a) => a.proc.stop()));
  }

  async stop(): Promise<void> {
    await this.stopAgents();
    await this.daemon.stop();
  }
}
