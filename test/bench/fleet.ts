// Fleet benchmark (issue: foundation): N clusters report every 10 s through the store directory; we
// measure the daemon's CPU and RSS, and the latency from a status file written to its fleet patch
// arriving at a WebSocket client.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import type { AgentConfig } from '../../config/schemas.js';
import type { ClusterAddResponse } from '../../core/api.js';
import type { ServerFrame } from '../../core/protocol.js';
import { initControlPlane } from '../../daemon/init.js';
import { CLI } from '../harness/proc.js';
import { cleanupTempDirs, tempDir } from '../harness/tmp.js';
import { ProcSampler, summarize } from './proc-sampler.js';

export interface FleetResult {
  clusters: number;
  /** Files outside the store's key space written among the clusters' directories before measuring. */
  junkFiles: number;
  /** flotilla_store_rejections_total at the end, all reasons: the junk files the daemon recorded. */
  rejectionsRecorded: number;
  /** From the junk written to all of it recorded: wall seconds and daemon CPU seconds (null: not all recorded within a minute). */
  junkRecording: { seconds: number; cpuSeconds: number } | null;
  intervalSeconds: number;
  pollIntervalMs: number;
  measuredSeconds: number;
  reportsPerSecond: number;
  daemonCores: number;
  daemonRssPeakMiB: number;
  latencyMs: ReturnType<typeof summarize>;
  setupSeconds: number;
  /** The daemon's own GET /metrics at the end: series (sample lines), bytes, and the time to answer, over 20 requests. */
  selfMetrics: { series: number; bytes: number; p50Ms: number; p99Ms: number };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitLine(stream: NodeJS.ReadableStream, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  const rl = createInterface({ input: stream });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${String(pattern)}`)), timeoutMs);
    rl.on('line', (line) => {
      const m = line.match(pattern);
      if (m) {
        clearTimeout(timer);
        rl.close();
        resolve(m);
      }
    });
  });
}

/** flotilla_store_rejections_total, all reasons. */
async function rejectionsOf(server: string): Promise<number> {
  const text = await (await fetch(`${server}/metrics`).catch(() => fetch(`${server}/metrics`))).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('flotilla_store_rejections_total{'))
    .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/** GET /metrics 20 times: how many series the daemon exports at this fleet size and how fast it renders them. */
async function scrapeSelf(server: string): Promise<FleetResult['selfMetrics']> {
  const times: number[] = [];
  let text = '';
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    text = await (await fetch(`${server}/metrics`)).text();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => Math.round((times[Math.min(times.length - 1, Math.floor(q * times.length))] as number) * 10) / 10;
  return { series: text.split('\n').filter((l) => l && !l.startsWith('#')).length, bytes: Buffer.byteLength(text), p50Ms: at(0.5), p99Ms: at(0.99) };
}

export async function benchFleet(clusters: number, opts: { warmupSeconds: number; measureSeconds: number; intervalSeconds?: number; junkFiles?: number; log?: (s: string) => void }): Promise<FleetResult> {
  const log = opts.log ?? (() => undefined);
  const intervalSeconds = opts.intervalSeconds ?? 10;
  const setupStart = performance.now();
  const dir = tempDir('flotilla-bench-');
  const init = await initControlPlane({ dataDir: dir, port: 0 });
  // BENCH_PROFILE=DIR writes the daemon's V8 CPU profile there when it stops (open it in Chrome DevTools).
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const daemon = spawn(process.execPath, [...profile, CLI, 'daemon', '--config', init.configPath], {
    env: { ...process.env, FLOTILLA_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const children: ChildProcess[] = [daemon];
  daemon.on('exit', (code, signal) => log(`  daemon exited (${code ?? signal})`));
  try {
    const [, url] = await waitLine(daemon.stderr, /listening on (\S+)/, 20_000);
    const server = url as string;
    const auth = { authorization: `Bearer ${init.token}`, 'content-type': 'application/json' };

    log(`  adding ${clusters} clusters`);
    const bundles: AgentConfig[] = [];
    for (let i = 0; i < clusters; i += 32) {
      const batch = Array.from({ length: Math.min(32, clusters - i) }, (_, j) => `bench-${String(i + j).padStart(5, '0')}`);
      const added = await Promise.all(
        batch.map(async (name) => {
          const res = await fetch(`${server}/api/v1/clusters`, { method: 'POST', headers: auth, body: JSON.stringify({ name, labels: { env: 'bench' }, intervalSeconds }) });
          if (res.status !== 201) throw new Error(`cluster add ${name}: ${res.status} ${await res.text()}`);
          return ((await res.json()) as ClusterAddResponse<AgentConfig>).bundle;
        }),
      );
      bundles.push(...added);
    }
    const junkFiles = opts.junkFiles ?? 0;
    let junkRecording: FleetResult['junkRecording'] = null;
    if (junkFiles > 0) {
      log(`  writing ${junkFiles} junk files`);
      const junkSampler = new ProcSampler(daemon.pid!);
      junkSampler.start();
      for (let i = 0; i < junkFiles; i++) {
        const clusterDir = join(dir, 'store', 'clusters', `bench-${String(i % clusters).padStart(5, '0')}`);
        if (i < clusters) mkdirSync(clusterDir, { recursive: true });
        writeFileSync(join(clusterDir, `junk-${i}.txt`), `not a store object ${i}\n`);
      }
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline && (await rejectionsOf(server)) < junkFiles) await sleep(250);
      const usage = junkSampler.stop();
      if ((await rejectionsOf(server)) >= junkFiles) junkRecording = { seconds: usage.seconds, cpuSeconds: usage.cores * usage.seconds };
      log(junkRecording ? `  junk recorded in ${junkRecording.seconds.toFixed(1)} s` : '  junk not recorded within a minute');
    }
    const bundlesFile = join(dir, 'bundles.json');
    writeFileSync(bundlesFile, JSON.stringify(bundles));

    // The generator stands in for agents on other hosts; at nice 10 it yields the CPU to the daemon
    // under test instead of competing with it on this 2-core machine.
    const writer = spawn('nice', ['-n', '10', process.execPath, '--import', 'tsx', new URL('./status-writer.ts', import.meta.url).pathname, bundlesFile, String(intervalSeconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(writer);
    const rates: number[] = [];
    let measuring = false;
    createInterface({ input: writer.stdout }).on('line', (line) => {
      const m = /^rate (\d+)/.exec(line);
      if (m && measuring) rates.push(Number(m[1]));
    });

    const latencies: number[] = [];
    const ws = new WebSocket(`${server.replace(/^http/, 'ws')}/ws`, { headers: { authorization: `Bearer ${init.token}` } });
    ws.on('message', (raw: Buffer) => {
      const frame = JSON.parse(raw.toString('utf8')) as ServerFrame;
      if (!measuring || !('kind' in frame) || frame.kind !== 'patch' || frame.topic !== 'fleet') return;
      const now = Date.now();
      for (const c of frame.changes) {
        if (c.op === 'upsert' && c.row.reportedAt && c.row.agentVersion === 'fake-agent') latencies.push(now - Date.parse(c.row.reportedAt));
      }
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.send(JSON.stringify({ id: 1, op: 'subscribe', topic: 'fleet' }));
    const setupSeconds = (performance.now() - setupStart) / 1000;

    log(`  warming up ${opts.warmupSeconds}s`);
    await sleep(opts.warmupSeconds * 1000);
    const sampler = new ProcSampler(daemon.pid!);
    sampler.start();
    measuring = true;
    log(`  measuring ${opts.measureSeconds}s`);
    await sleep(opts.measureSeconds * 1000);
    measuring = false;
    const usage = sampler.stop();
    ws.close();
    const rejectionsRecorded = await rejectionsOf(server);
    const selfMetrics = await scrapeSelf(server);
    const pollIntervalMs = 1000;
    return {
      clusters,
      junkFiles,
      rejectionsRecorded,
      junkRecording,
      intervalSeconds,
      pollIntervalMs,
      measuredSeconds: Math.round(usage.seconds),
      reportsPerSecond: rates.length ? Math.round(rates.reduce((a, b) => a + b, 0) / rates.length) : 0,
      daemonCores: usage.cores,
      daemonRssPeakMiB: usage.rssPeakBytes / 2 ** 20,
      latencyMs: summarize(latencies),
      setupSeconds,
      selfMetrics,
    };
  } finally {
    const alive = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;
    for (const c of children) if (alive(c)) c.kill('SIGTERM');
    // A profiled daemon needs a moment to write its profile on the way out.
    const deadline = Date.now() + (process.env.BENCH_PROFILE ? 15_000 : 500);
    while (Date.now() < deadline && children.some(alive)) await sleep(50);
    for (const c of children) if (alive(c)) c.kill('SIGKILL');
    cleanupTempDirs();
  }
}
