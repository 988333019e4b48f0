// Agent tail + ship (issue 7, "Benchmark"): the real `flotilla agent` process (sim backend, its own
// simulated cluster's log files off) follows CRI files through its `cri` file input and ships them
// with its HttpShipper, signed with its own key, to a null ack server in this process (null-ack.ts),
// so the CPU and memory sampled from /proc are the agent's alone.
// - Throughput: a pre-written backlog; from the first batch posted to the last record acked, lines
//   per second and lines per agent CPU-second (the first batch's records and the CPU before it,
//   which includes Node's start-up, are left out; the spawn → all acked time is given too).
// - Steady load: a writer here appends at a fixed rate; the agent's mean CPU in cores and RSS peak
//   over the measured window, after an idle reading (files there, nothing written) and a warm-up.
import { type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { AgentConfigSchema, type AgentConfig } from '../../config/schemas.js';
import { generateSigningKey } from '../../core/keys.js';
import { cleanupTempDirs, tempDir } from '../harness/tmp.js';
import { benchBundle, spawnAgent, stopProcess } from './job-agent.js';
import { criGlob, NodeLogWriter, writeBacklog } from './log-agent-lines.js';
import { NullAckServer } from './null-ack.js';
import { cpuSeconds, ProcSampler, summarize } from './proc-sampler.js';

export interface AgentThroughputResult {
  run: number;
  lines: number;
  records: number;
  bytes: number;
  /** Agent spawned → every record acked (Node start-up, first scan, everything). */
  spawnToAckedSeconds: number;
  /** First batch posted → last record acked. */
  shipSeconds: number;
  linesPerSecond: number;
  /** Agent CPU over that window. */
  cpuSeconds: number;
  linesPerCpuSecond: number;
  /** Agent CPU from spawn to the last ack. */
  totalCpuSeconds: number;
  rssPeakMiB: number;
  load1: number;
}

export interface AgentSteadyResult {
  run: number;
  targetPerSecond: number;
  writtenPerSecond: number;
  ackedPerSecond: number;
  cores: number;
  idleCores: number;
  idleRssMiB: number;
  rssPeakMiB: number;
  /** Records per batch acked in the window: a busy input ships what each read finds, not full batches. */
  meanBatchRecords: number;
  /** Per batch acked in the window: the ack's wall time minus its first record's ts (when it was appended). */
  oldestAgeMs: ReturnType<typeof summarize>;
  load1: number;
}

export interface LogAgentResult {
  throughput: AgentThroughputResult[];
  steady: AgentSteadyResult[];
}

export interface LogAgentOptions {
  runs: number;
  lines: number;
  ratePerSecond: number;
  idleSeconds: number;
  warmupSeconds: number;
  measureSeconds: number;
  /** BENCH_PROFILE: the agent's V8 CPU profile is written there when it stops. */
  profileDir?: string;
  log: (s: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MIB = 2 ** 20;

function logBundle(server: string, root: string, dir: string): AgentConfig {
  const storePath = join(dir, 'store');
  mkdirSync(storePath, { recursive: true });
  const base = benchBundle('bench-logs', { type: 'dir', path: storePath, pollIntervalMs: 1000 }, generateSigningKey(), join(dir, 'agent'));
  return AgentConfigSchema.parse({
    ...base,
    server,
    logs: { inputs: [{ paths: [criGlob(root)], format: 'cri' }] },
    // Only the files the bench writes: the sim's own cluster logs would add lines of their own.
    sim: { ...base.sim, logs: { ...base.sim.logs, enabled: false } },
  });
}

async function until(what: string, timeoutMs: number, done: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

async function startAgent(server: string, root: string, opts: LogAgentOptions, onSpawn: (child: ChildProcess) => void): Promise<ChildProcess> {
  const dir = tempDir('flotilla-bench-agent-');
  const nodeArgs = opts.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.profileDir}`] : [];
  return spawnAgent(logBundle(server, root, dir), dir, {}, { nodeArgs, onSpawn });
}

async function throughputRun(run: number, root: string, backlog: NodeLogWriter, ack: NullAckServer, server: string, opts: LogAgentOptions): Promise<AgentThroughputResult> {
  ack.reset();
  let pid = 0;
  let sampler: ProcSampler | undefined;
  let first: { cpu: number; at: number; records: number } | undefined;
  let last: { cpu: number; at: number } | undefined;
  ack.onBatch = (records, total) => {
    // Read before the answer goes out, so the CPU of a batch is counted with it.
    if (!first) first = { cpu: cpuSeconds(pid), at: performance.now(), records };
    if (total >= backlog.records && !last) last = { cpu: cpuSeconds(pid), at: performance.now() };
  };
  const t0 = performance.now();
  const child = await startAgent(server, root, opts, (c) => {
    pid = c.pid!;
    sampler = new ProcSampler(pid);
    sampler.start();
  });
  try {
    await until(`${backlog.records} records acked (${ack.records} so far)`, 300_000, () => last !== undefined);
    const usage = sampler!.stop();
    const f = first!;
    const l = last!;
    const shipped = ack.records - f.records;
    const shipSeconds = (l.at - f.at) / 1000;
    const cpu = l.cpu - f.cpu;
    if (ack.records !== backlog.records) throw new Error(`acked ${ack.records} records, expected ${backlog.records}`);
    return {
      run,
      lines: backlog.lines,
      records: ack.records,
      bytes: backlog.bytes,
      spawnToAckedSeconds: (l.at - t0) / 1000,
      shipSeconds,
      linesPerSecond: Math.round(shipped / shipSeconds),
      cpuSeconds: cpu,
      linesPerCpuSecond: Math.round(shipped / cpu),
      totalCpuSeconds: l.cpu,
      rssPeakMiB: usage.rssPeakBytes / MIB,
      load1: loadavg()[0]!,
    };
  } finally {
    await stopProcess(child);
  }
}

async function steadyRun(run: number, ack: NullAckServer, server: string, opts: LogAgentOptions): Promise<AgentSteadyResult> {
  ack.reset();
  const root = join(tempDir('flotilla-bench-node-'), 'node');
  const writer = new NodeLogWriter(root, 100 + run);
  const child = await startAgent(server, root, opts, () => undefined);
  let timer: NodeJS.Timeout | undefined;
  try {
    const idle = new ProcSampler(child.pid!);
    idle.start();
    await sleep(opts.idleSeconds * 1000);
    const idleUsage = idle.stop();
    // Appends every 20 ms what is due at the rate, each line stamped with the time it is written.
    const startedAt = performance.now();
    timer = setInterval(() => {
      const due = Math.floor(((performance.now() - startedAt) / 1000) * opts.ratePerSecond) - writer.lines;
      if (due > 0) writer.append(due, Date.now());
    }, 20);
    await sleep(opts.warmupSeconds * 1000);
    const sampler = new ProcSampler(child.pid!);
    const from = { lines: writer.lines, acked: ack.records, batches: ack.batches.length, at: performance.now() };
    sampler.start();
    await sleep(opts.measureSeconds * 1000);
    const usage = sampler.stop();
    const seconds = (performance.now() - from.at) / 1000;
    const written = writer.lines - from.lines;
    const acked = ack.records - from.acked;
    const windowBatches = ack.batches.slice(from.batches);
    const ages = windowBatches.map((b) => b.oldestAgeMs);
    clearInterval(timer);
    timer = undefined;
    await until(`the last ${writer.records - ack.records} records acked`, 60_000, () => ack.records >= writer.records);
    if (ack.records !== writer.records) throw new Error(`acked ${ack.records} records, expected ${writer.records}`);
    return {
      run,
      targetPerSecond: opts.ratePerSecond,
      writtenPerSecond: Math.round(written / seconds),
      ackedPerSecond: Math.round(acked / seconds),
      cores: usage.cores,
      idleCores: idleUsage.cores,
      idleRssMiB: idleUsage.rssEndBytes / MIB,
      rssPeakMiB: usage.rssPeakBytes / MIB,
      meanBatchRecords: Math.round(windowBatches.reduce((n, b) => n + b.records, 0) / Math.max(1, windowBatches.length)),
      oldestAgeMs: summarize(ages),
      load1: loadavg()[0]!,
    };
  } finally {
    if (timer) clearInterval(timer);
    await stopProcess(child);
  }
}

export async function benchLogAgent(opts: LogAgentOptions): Promise<LogAgentResult> {
  const ack = new NullAckServer();
  const server = await ack.listen();
  const result: LogAgentResult = { throughput: [], steady: [] };
  try {
    const root = join(tempDir('flotilla-bench-backlog-'), 'node');
    const t0 = performance.now();
    const backlog = writeBacklog(root, opts.lines, opts.ratePerSecond);
    opts.log(`log-agent: backlog of ${backlog.lines} lines (${backlog.records} records, ${(backlog.bytes / MIB).toFixed(0)} MiB) written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    for (let run = 1; run <= opts.runs; run++) {
      const r = await throughputRun(run, root, backlog, ack, server, opts);
      opts.log(`log-agent: throughput run ${run}: ${r.linesPerSecond} lines/s, ${r.linesPerCpuSecond} lines per agent CPU-second (load ${r.load1.toFixed(2)})`);
      result.throughput.push(r);
    }
    for (let run = 1; run <= opts.runs; run++) {
      const r = await steadyRun(run, ack, server, opts);
      opts.log(`log-agent: steady run ${run}: ${r.ackedPerSecond} lines/s acked, agent ${r.cores.toFixed(3)} cores (idle ${r.idleCores.toFixed(3)}), RSS peak ${r.rssPeakMiB.toFixed(0)} MiB (load ${r.load1.toFixed(2)})`);
      result.steady.push(r);
    }
  } finally {
    await ack.close();
    cleanupTempDirs();
  }
  return result;
}
