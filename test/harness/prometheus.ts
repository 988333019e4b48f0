// A real Prometheus (Debian's `prometheus` 2.42; .ci/run installs it) for a test file: its own config
// file and data directory, a free loopback port, `--web.enable-lifecycle` so a test can reload it,
// stopped by pid (SIGTERM, then SIGKILL). Children still running when the test process exits are
// killed, so an aborted run leaves none behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './tmp.js';
import { freePort } from './free-port.js';

export const PROMETHEUS_BIN = '/usr/bin/prometheus';
export const PROMTOOL_BIN = '/usr/bin/promtool';

export interface PrometheusServer {
  url: string;
  port: number;
  dir: string;
  configPath: string;
  pid: number | undefined;
  /** Writes a new config (and optional extra files next to it) and asks the server to reload it. */
  reload(config: string, files?: Record<string, string>): Promise<void>;
  /** GET /api/v1/<path> and its `data`; throws with the server's error otherwise. */
  api<T>(path: string): Promise<T>;
  stop(): Promise<void>;
  /** SIGKILL: an edge that is gone. */
  kill(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export interface PrometheusOptions {
  config: string;
  /** Files written into the server's directory before it starts (rules, file_sd), by name. */
  files?: Record<string, string>;
  /** Extra flags, e.g. --enable-feature=agent or --web.enable-remote-write-receiver. */
  flags?: string[];
  /** Agent mode has no TSDB of its own: --storage.agent.path instead of --storage.tsdb.path. */
  agent?: boolean;
}

export async function startPrometheus(o: PrometheusOptions): Promise<PrometheusServer> {
  if (!existsSync(PROMETHEUS_BIN)) throw new Error(`${PROMETHEUS_BIN} not found: install Debian's package prometheus (apt-get install prometheus)`);
  const dir = tempDir('flotilla-prometheus-');
  const configPath = join(dir, 'prometheus.yml');
  const write = (config: string, files: Record<string, string> = {}) => {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    writeFileSync(configPath, config);
  };
  write(o.config, o.files);
  const port = await freePort();
  const storage = o.agent ? ['--enable-feature=agent', `--storage.agent.path=${join(dir, 'data')}`] : [`--storage.tsdb.path=${join(dir, 'data')}`];
  const child = spawn(PROMETHEUS_BIN, [`--config.file=${configPath}`, ...storage, `--web.listen-address=127.0.0.1:${port}`, '--web.enable-lifecycle', ...(o.flags ?? [])], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  live.add(child);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-8000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => {
    live.delete(child);
    resolve();
  }));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`prometheus not ready after 60 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const stop = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return {
    url,
    port,
    dir,
    configPath,
    get pid() {
      return child.pid;
    },
    async reload(config, files) {
      write(config, files);
      const res = await fetch(`${url}/-/reload`, { method: 'POST' });
      if (!res.ok) throw new Error(`reload: ${res.status} ${await res.text()}`);
    },
    async api<T>(path: string): Promise<T> {
      const res = await fetch(`${url}/api/v1/${path}`);
      const body = (await res.json()) as { status: string; data: T; error?: string };
      if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.error ?? res.status}`);
      return body.data;
    },
    stop: () => stop('SIGTERM'),
    kill: () => stop('SIGKILL'),
  };
}
