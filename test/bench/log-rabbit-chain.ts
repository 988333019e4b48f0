// The RabbitMQ log chain end to end (DESIGN §3.6; docs/BENCHMARKS.md "Logs: the RabbitMQ chain"):
// a real `flotilla agent` tails CRI files and publishes to its edge RabbitMQ node, the edge's shovel
// carries the batches through a TCP proxy to the central node, and a real `flotilla daemon` consumes
// them into its FTS5 sink (test/bench/rabbit-chain.ts wires it as an operator would). In one run:
// 1. chain throughput: a pre-written backlog, stored lines/s (the daemon's consumer counter, 10–90 %);
//    beside it, in the same run, the raw FTS5 insert of the same records and raw broker throughput
//    of the same bodies with amqplib over the same nodes, shovel and proxy (test/bench/rabbit-raw.ts);
// 2. the cost of at-least-once on that raw chain: confirms + on-confirm shovel + manual acks against
//    a plain channel + no-ack shovel + noAck consumer, and each acknowledgement alone (rawVariants()),
//    in rounds whose order rotates;
// 3. freshness at 10,000 lines/s: a marker line every 100 ms, appended → returned by a search;
// 4. catch-up after a 60 s cut of the edge→center link under a steady load: backlog, drain rate,
//    time until the lag is back under 2 s, and whether the shovel came back by itself.
import Database from 'better-sqlite3';
import { appendFileSync, renameSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import amqp from 'amqplib';
import { LOG_CHAIN } from '../../core/brokers/topology.js';
import type { LogSearchResponse } from '../../core/logs/api.js';
import { publicRecord, type LogRecord } from '../../core/logs/record.js';
import type { ResolvedQuery } from '../../core/query/ast.js';
import { Fts5Reader } from '../../daemon/logs/fts5/reader.js';
import { Fts5LogSink } from '../../daemon/logs/fts5/sink.js';
import { killAll } from '../harness/proc.js';
import { cleanupTempDirs, tempDir } from '../harness/tmp.js';
import { appendCriLines, criLine, criTree, type CriTree } from './cri-files.js';
import { makeRecords } from './log-search.js';
import { ProcSampler, summarize } from './proc-sampler.js';
import { SchedSampler, type SchedUsage } from './sched-sampler.js';
import { RabbitLogChain, type ShovelParameter } from './rabbit-chain.js';
import { crossing, purgeChain, rawRun, writeBodies, type RawBody, type RawRunResult, type RawVariant } from './rabbit-raw.js';

export interface LogRabbitChainOptions {
  /** Backlog lines for the chain throughput. */
  lines: number;
  /** Lines shipped first (JIT, connections) whose published envelopes are tapped for the raw runs. */
  warmupLines: number;
  /** logs.batch.maxRecords of the agent. */
  batchRecords: number;
  /** Rounds of the raw runs, each one run of every variant (rawVariants()), in an order rotated per round. */
  rawRounds: number;
  /** Unconfirmed publishes in flight in the raw at-least-once publisher. */
  confirmWindow: number;
  freshnessSeconds: number;
  freshnessRate: number;
  /** The steady load through the cut. */
  cutRate: number;
  cutSeconds: number;
  /** Steady load before the cut. */
  preCutSeconds: number;
  /** The edge outbox's byte cap (`--outbox-max-bytes`). */
  outboxMaxBytes: number;
  /** Tear the cut connections down (an RST each way) when restoring, as the harness tests do; false: restore only. */
  resetOnRestore: boolean;
  log: (s: string) => void;
}

type ProcName = 'daemon' | 'agent' | 'edge' | 'central' | 'proxy' | 'bench';
type Cores = Record<ProcName, number>;
type Sched = Record<ProcName, SchedUsage>;
type Load = { start: number[]; end: number[] };

export interface BrokerPeaks {
  outboxMessages: number;
  outboxMiB: number;
  ingestMessages: number;
  centralMemMiB: number;
  centralMemAlarm: boolean;
  edgeMemAlarm: boolean;
}

export interface ChainThroughput {
  lines: number;
  fileMiB: number;
  /** Broker messages (batches) the daemon committed for the backlog. */
  messages: number;
  recordsPerMessage: number;
  /** Sink writes of the daemon's consumer (one per batch of deliveries) for the backlog. */
  commits: number;
  recordsPerCommit: number;
  linesPerSecond: number;
  /** Files appearing → the last line stored. */
  seconds: number;
  cores: Cores;
  sched: Sched;
  daemonRssPeakMiB: number;
  brokers: BrokerPeaks;
  load: Load;
}

export interface MarkerLatency {
  linesPerSecond: number;
  seconds: number;
  latencyMs: ReturnType<typeof summarize>;
  missed: number;
  cores: Cores;
  load: Load;
}

export interface CatchUpResult {
  linesPerSecond: number;
  cutSeconds: number;
  /** Whether the cut connections were reset when the link came back. */
  resetOnRestore: boolean;
  /** Lines written and not stored when the link came back. */
  backlogLines: number;
  /** Edge outbox at the restore, as the edge's management API sampled it. */
  outboxAtRestore: { messages: number | null; mib: number | null };
  /** Seconds after the cut until the shovel left `running` (its heartbeat noticed the cut); null if it never did. */
  shovelLeftRunningAfterS: number | null;
  shovelStatesDuringCut: string[];
  /** The shovel's states from the restore on, with the seconds after it. */
  shovelStatesAfterRestore: string[];
  /** Seconds after the restore until the shovel was running again (its last change to running; the first ingest if it never left running); null if it did not. */
  shovelRunningAfterS: number | null;
  /** False when the shovel had to be set again (as docs/LOGS.md reports) before it ran. */
  shovelRecoveredByItself: boolean;
  firstIngestAfterS: number | null;
  /** Restore → the pipeline's lag (now − newest ingested ts) first under 2 s. */
  lagUnder2sAfterS: number | null;
  /** Whether every lag sample after that stayed under 2 s (for the rest of the observation). */
  lagStayedUnder2s: boolean;
  /** Lines stored per second from the first ingest after the restore until the lag was under 2 s. */
  drainLinesPerSecond: number | null;
  /** The best 5 s of that drain. */
  drainPeakLinesPerSecond: number | null;
  maxLagSeconds: number;
  /** Freshness of the markers appended after the lag was back under 2 s. */
  afterLatencyMs: ReturnType<typeof summarize>;
  /** Lines never stored within a minute after the load stopped. */
  lost: number;
  drainCores: Cores;
  drainSched: Sched;
  brokers: BrokerPeaks;
  load: Load;
}

export interface LogRabbitChainResult {
  cluster: string;
  batchRecords: number;
  confirmWindow: number;
  outboxMaxBytes: number;
  tapped: { messages: number; meanKiB: number; recordsPerMessage: number };
  chain: ChainThroughput;
  /** The same records into a fresh FTS5 sink in this process, in writes of the daemon's mean records per commit. */
  rawFts5: { linesPerSecond: number; linesPerCpuSecond: number; batch: number };
  raw: RawRunResult[];
  /** Chain lines/s over the median raw at-least-once lines/s of the same run. */
  chainToRaw: number;
  /** Median at-least-once over median fire-and-forget lines/s, and per round. */
  atLeastOnceToFireAndForget: number;
  perRound: number[];
  /** Each raw variant's median lines/s over the rounds, and its ratio to fire-and-forget's. */
  variantMedians: { name: string; linesPerSecond: number; toFireAndForget: number }[];
  freshness: MarkerLatency;
  catchUp: CatchUpResult;
}

const CLUSTER = 'bench-rabbit';
const EVERYTHING: ResolvedQuery = { filters: [], fields: [], text: [] };
const SPAN_MS = 3_600_000;
const TAP = 'bench.tap';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const load = () => loadavg().map((x) => Math.round(x * 100) / 100);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Samples the CPU of every process of the chain, the proxy's, and this one's (the writer, the searcher, the samplers). */
class ChainCpu {
  private readonly samplers: [Exclude<ProcName, 'bench'>, ProcSampler][];
  private readonly sched: [ProcName, SchedSampler][];
  private bench = process.cpuUsage();
  private t0 = 0;
  daemonRssPeakMiB = 0;
  /** From the scheduler: each process's CPU and run-queue wait, and its main thread's. */
  schedUsage = {} as Sched;

  constructor(chain: RabbitLogChain) {
    const pids: [Exclude<ProcName, 'bench'>, number][] = [
      ['daemon', chain.daemon!.child.pid!],
      ['agent', chain.agent!.child.pid!],
      ['edge', chain.edge.pid!],
      ['central', chain.central.pid!],
      ['proxy', chain.proxy.pid],
    ];
    this.samplers = pids.map(([name, pid]) => [name, new ProcSampler(pid)]);
    this.sched = [...pids, ['bench', process.pid] as [ProcName, number]].map(([name, pid]) => [name, new SchedSampler(pid)]);
  }

  start(): this {
    for (const [, s] of this.samplers) s.start();
    for (const [, s] of this.sched) s.begin();
    this.bench = process.cpuUsage();
    this.t0 = performance.now();
    return this;
  }

  stop(): Cores {
    const out = {} as Cores;
    for (const [name, s] of this.samplers) {
      const u = s.stop();
      out[name] = u.cores;
      if (name === 'daemon') this.daemonRssPeakMiB = u.rssPeakBytes / 2 ** 20;
    }
    const b = process.cpuUsage(this.bench);
    out.bench = (b.user + b.system) / 1e6 / ((performance.now() - this.t0) / 1000);
    this.schedUsage = Object.fromEntries(this.sched.map(([name, s]) => [name, s.end()])) as Sched;
    return out;
  }
}

/** Once a second: the edge outbox, the central ingest queue, the nodes' memory and alarms; keeps the peaks. */
class BrokerWatch {
  private running = true;
  private readonly loop: Promise<void>;
  readonly peaks: BrokerPeaks = { outboxMessages: 0, outboxMiB: 0, ingestMessages: 0, centralMemMiB: 0, centralMemAlarm: false, edgeMemAlarm: false };

  constructor(private readonly chain: RabbitLogChain) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        const [outbox, ingest, central, edge] = await Promise.all([
          this.chain.edgeManagement.queueFigures('/', LOG_CHAIN.outbox),
          this.chain.centralManagement.queueFigures('/', LOG_CHAIN.ingestQueue),
          this.chain.nodeFigures('central'),
          this.chain.nodeFigures('edge'),
        ]);
        const p = this.peaks;
        p.outboxMessages = Math.max(p.outboxMessages, outbox?.messages ?? 0);
        p.outboxMiB = Math.max(p.outboxMiB, (outbox?.bytes ?? 0) / 2 ** 20);
        p.ingestMessages = Math.max(p.ingestMessages, ingest?.messages ?? 0);
        p.centralMemMiB = Math.max(p.centralMemMiB, central.memUsedMiB);
        p.centralMemAlarm ||= central.memAlarm;
        p.edgeMemAlarm ||= edge.memAlarm;
      } catch {
        // a broker busy past the adapter's timeout: the next second samples again
      }
      await sleep(1000);
    }
  }

  async stop(): Promise<BrokerPeaks> {
    this.running = false;
    await this.loop;
    return this.peaks;
  }
}

/** Appends `rate` lines/s to a CRI tree (what is due every 10 ms, stamped with the append time), a marker line every 100 ms. */
class MarkedWriter {
  /** Marker number → when its line was appended (performance.now()). */
  readonly appendedAt = new Map<number, number>();
  written = 0;
  readonly t0 = performance.now();
  private running = true;
  private readonly loop: Promise<void>;
  private readonly markerEvery: number;

  constructor(
    private readonly tree: CriTree,
    private readonly rate: number,
    readonly marker: string,
    /** Markers appended sooner than this after the start are not counted (warm-up). */
    private readonly countAfterMs = 0,
  ) {
    this.markerEvery = Math.max(1, Math.round(rate / 10));
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (this.running) {
      const elapsed = performance.now() - this.t0;
      const due = Math.floor((elapsed / 1000) * this.rate) - this.written;
      if (due > 0) {
        const records = makeRecords(this.written, due, 1, Date.now(), 0);
        const ms = new Date().toISOString().slice(0, -1);
        const out: string[][] = this.tree.files.map(() => []);
        const markers: number[] = [];
        records.forEach((r, k) => {
          const i = this.written + k;
          // distinct sub-millisecond digits, as a runtime's nanosecond clock gives
          const ts = `${ms}${String((i * 7919) % 1_000_000).padStart(6, '0')}Z`;
          const marker = i % this.markerEvery === 0 ? i / this.markerEvery : -1;
          const message = marker >= 0 ? `request done ${this.marker}${marker} in 3ms` : r.message;
          if (marker >= 0 && elapsed >= this.countAfterMs) markers.push(marker);
          out[i % this.tree.files.length]!.push(criLine(ts, r.stream, message));
        });
        this.tree.files.forEach((f, k) => out[k]!.length && appendFileSync(f, out[k]!.join('')));
        const now = performance.now();
        for (const m of markers) this.appendedAt.set(m, now);
        this.written += due;
      }
      await sleep(10);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}

/** One search for the writer's markers (the newest 100); records when each was first returned. */
async function pollMarkers(chain: RabbitLogChain, w: MarkedWriter, found: Map<number, number>): Promise<void> {
  const page = await chain.get<LogSearchResponse>(`/api/v1/logs?q=${w.marker}*&limit=100`);
  const now = performance.now();
  const re = new RegExp(`${w.marker}(\\d+)`);
  for (const r of page.items) {
    const m = Number(re.exec(r.message)?.[1]);
    if (!w.appendedAt.has(m) || found.has(m)) continue;
    found.set(m, now);
  }
}

function latencies(w: MarkedWriter, found: Map<number, number>, from = -Infinity): number[] {
  const out: number[] = [];
  for (const [m, at] of w.appendedAt) {
    const seen = found.get(m);
    if (seen !== undefined && at >= from) out.push(seen - at);
  }
  return out;
}

/** Runs fn every ms (never overlapping) until stopped. */
function every(ms: number, fn: () => Promise<void>): { stop(): Promise<void> } {
  let running = true;
  const loop = (async () => {
    while (running) {
      await fn().catch(() => undefined);
      await sleep(ms);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
    },
  };
}

function recordsIn(envelope: Buffer): number {
  const { payload } = JSON.parse(envelope.toString('utf8')) as { payload: string };
  return (JSON.parse(Buffer.from(payload, 'base64').toString('utf8')) as { records: unknown[] }).records.length;
}

async function waitStored(chain: RabbitLogChain, target: number, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while ((await chain.stored()).records < target) {
    if (performance.now() > deadline) throw new Error(`log-rabbit-chain: ${(await chain.stored()).records} of ${target} lines stored after ${timeoutMs / 1000} s (${what})`);
    await sleep(200);
  }
}

/** Ships the warm-up backlog with a tap queue bound to the edge exchange: the agent's own envelopes, for the raw runs. */
async function warmUpAndTap(chain: RabbitLogChain, staging: string, live: string, lines: number): Promise<RawBody[]> {
  const conn = await amqp.connect(chain.edge.amqpUrl());
  try {
    const ch = await conn.createChannel();
    await ch.assertQueue(TAP, { durable: false, autoDelete: false });
    await ch.bindQueue(TAP, LOG_CHAIN.edgeExchange, '');
    const base = (await chain.stored()).records;
    renameSync(staging, live);
    await waitStored(chain, base + lines, 300_000, 'warm-up');
    const bodies: RawBody[] = [];
    for (let m = await ch.get(TAP, { noAck: true }); m; m = await ch.get(TAP, { noAck: true })) bodies.push({ content: m.content, records: recordsIn(m.content) });
    await ch.deleteQueue(TAP);
    return bodies;
  } finally {
    await conn.close().catch(() => undefined);
  }
}

async function chainThroughput(chain: RabbitLogChain, staging: string, live: string, tree: CriTree, lines: number): Promise<ChainThroughput> {
  const loadStart = load();
  const cpu = new ChainCpu(chain);
  const base = await chain.stored();
  const watch = new BrokerWatch(chain);
  cpu.start();
  const t0 = performance.now();
  renameSync(staging, live);
  const samples: { t: number; n: number }[] = [{ t: 0, n: 0 }];
  const deadline = t0 + 900_000;
  let last = base;
  while (last.records - base.records < lines) {
    if (performance.now() > deadline) throw new Error(`log-rabbit-chain: ${last.records - base.records} of ${lines} lines stored after 15 minutes`);
    await sleep(100);
    last = await chain.stored();
    samples.push({ t: (performance.now() - t0) / 1000, n: last.records - base.records });
  }
  const cores = cpu.stop();
  const brokers = await watch.stop();
  const messages = last.messages - base.messages;
  return {
    lines,
    fileMiB: tree.bytes / 2 ** 20,
    messages,
    recordsPerMessage: lines / messages,
    commits: last.commits - base.commits,
    recordsPerCommit: lines / (last.commits - base.commits),
    linesPerSecond: Math.round((0.8 * lines) / (crossing(samples, 0.9 * lines) - crossing(samples, 0.1 * lines))),
    seconds: crossing(samples, lines),
    cores,
    sched: cpu.schedUsage,
    daemonRssPeakMiB: cpu.daemonRssPeakMiB,
    brokers,
    load: { start: loadStart, end: load() },
  };
}

/** The `lines` records the daemon stored after the first `skip`, read back in stored order and written to a fresh sink in batches (as test/bench/log-e2e.ts). */
async function rawFts5Insert(daemonDb: string, dir: string, skip: number, lines: number, batch: number): Promise<{ linesPerSecond: number; linesPerCpuSecond: number }> {
  const db = new Database(daemonDb, { readonly: true, fileMustExist: true });
  const widthMs = db.prepare(`SELECT value FROM log_meta WHERE key = 'partition_ms'`).pluck().get() as number;
  const reader = new Fts5Reader(db, widthMs);
  const sink = new Fts5LogSink({ file: join(dir, 'raw.db'), partitionHours: widthMs / 3_600_000 });
  let wallMs = 0;
  let cpuUs = 0;
  let written = 0;
  let skipped = 0;
  let after: string | null = null;
  try {
    while (skipped < skip) {
      const page = reader.storedAfter(EVERYTHING, after, Math.min(5000, skip - skipped));
      if (page.items.length === 0) break;
      skipped += page.items.length;
      after = page.items[page.items.length - 1]!.cursor;
    }
    while (written < lines) {
      // read a write's worth in pages of at most 5,000 (the reader's limit)
      const records: LogRecord[] = [];
      const want = Math.min(batch, lines - written);
      while (records.length < want) {
        const page = reader.storedAfter(EVERYTHING, after, Math.min(5000, want - records.length));
        if (page.items.length === 0) break;
        for (const item of page.items) records.push(publicRecord(item));
        after = page.items[page.items.length - 1]!.cursor;
      }
      if (records.length === 0) break;
      const cpu = process.cpuUsage();
      const t = performance.now();
      await sink.write(records);
      wallMs += performance.now() - t;
      const used = process.cpuUsage(cpu);
      cpuUs += used.user + used.system;
      written += records.length;
    }
  } finally {
    db.close();
    await sink.close();
  }
  if (written < lines) throw new Error(`log-rabbit-chain: read back ${written} of ${lines} stored lines`);
  return { linesPerSecond: Math.round((written / wallMs) * 1000), linesPerCpuSecond: Math.round((written / cpuUs) * 1e6) };
}

export const AT_LEAST_ONCE = 'at-least-once';
export const FIRE_AND_FORGET = 'fire-and-forget';

/**
 * The raw chain's variants: at-least-once and fire-and-forget (the comparison asked for), each of the
 * three acknowledgements alone (where at-least-once's cost goes), and at-least-once with one publish
 * in flight, as the agent publishes (one batch at a time, the next waiting for its confirm).
 */
export function rawVariants(window: number): RawVariant[] {
  return [
    { name: AT_LEAST_ONCE, confirms: true, window, shovelAckMode: 'on-confirm', manualAcks: true },
    { name: FIRE_AND_FORGET, confirms: false, window: 0, shovelAckMode: 'no-ack', manualAcks: false },
    { name: 'publisher confirms only', confirms: true, window, shovelAckMode: 'no-ack', manualAcks: false },
    { name: 'shovel on-confirm only', confirms: false, window: 0, shovelAckMode: 'on-confirm', manualAcks: false },
    { name: 'consumer acks only', confirms: false, window: 0, shovelAckMode: 'no-ack', manualAcks: true },
    { name: 'at-least-once, 1 publish in flight', confirms: true, window: 1, shovelAckMode: 'on-confirm', manualAcks: true },
  ];
}

/** The raw runs, the daemon stopped (nothing else consumes the ingest queue); the shovel set per mode and set back as the agent left it. */
async function rawRuns(chain: RabbitLogChain, dir: string, bodies: RawBody[], messages: number, opts: LogRabbitChainOptions): Promise<RawRunResult[]> {
  const original: ShovelParameter = await chain.shovelParameter();
  const bodiesFile = join(dir, 'tapped-bodies.bin');
  writeBodies(bodiesFile, bodies);
  const out: RawRunResult[] = [];
  await chain.stopDaemon();
  try {
    for (let round = 0; round < opts.rawRounds; round++) {
      const all = rawVariants(opts.confirmWindow);
      const variants = [...all.slice(round % all.length), ...all.slice(0, round % all.length)];
      for (const variant of variants) {
        // Set every time, so each run starts with a freshly started shovel.
        await chain.setShovel({ ...original, 'ack-mode': variant.shovelAckMode });
        const r = await rawRun({
          variant,
          round: round + 1,
          bodies,
          bodiesFile,
          messages,
          edgeUrl: chain.edge.amqpUrl(),
          centralUrl: chain.central.amqpUrl(),
          cluster: CLUSTER,
          prefetch: 200,
          pids: { edge: chain.edge.pid!, central: chain.central.pid!, proxy: chain.proxy.pid },
          timeoutMs: 120_000,
        });
        opts.log(`log-rabbit-chain: raw ${variant.name} round ${round + 1}: ${r.received}/${r.messages} messages, ${r.linesPerSecond} lines/s (${r.mibPerSecond.toFixed(1)} MiB/s), edge ${r.cores.edge.toFixed(2)} central ${r.cores.central.toFixed(2)} proxy ${r.cores.proxy.toFixed(2)} publisher ${r.cores.publisher.toFixed(2)} consumer ${r.cores.consumer.toFixed(2)} cores, ${r.nacks} nacks; load ${r.load.end.join(' ')}`);
        if (r.received < r.messages) opts.log(`log-rabbit-chain: purged ${await purgeChain(chain.edge.amqpUrl(), chain.central.amqpUrl())} messages left after the ${variant.name} run`);
        out.push(r);
      }
    }
  } finally {
    await chain.setShovel(original);
    await chain.startDaemon();
  }
  return out;
}

async function freshness(chain: RabbitLogChain, tree: CriTree, opts: LogRabbitChainOptions): Promise<MarkerLatency> {
  const loadStart = load();
  const warmupMs = 2000;
  const cpu = new ChainCpu(chain);
  const w = new MarkedWriter(tree, opts.freshnessRate, 'freshmark', warmupMs);
  const found = new Map<number, number>();
  let measuring = false;
  while (performance.now() - w.t0 < warmupMs + opts.freshnessSeconds * 1000) {
    if (!measuring && performance.now() - w.t0 >= warmupMs) {
      cpu.start();
      measuring = true;
    }
    await pollMarkers(chain, w, found);
    await sleep(50);
  }
  await w.stop();
  const cores = cpu.stop();
  const seconds = (performance.now() - w.t0) / 1000;
  const drainUntil = performance.now() + 10_000;
  while (found.size < w.appendedAt.size && performance.now() < drainUntil) {
    await pollMarkers(chain, w, found);
    await sleep(50);
  }
  return { linesPerSecond: Math.round(w.written / seconds), seconds: opts.freshnessSeconds, latencyMs: summarize(latencies(w, found)), missed: w.appendedAt.size - found.size, cores, load: { start: loadStart, end: load() } };
}

/** Waits until the daemon has stored nothing new for 1.5 s (the tail of the previous phase is in). */
async function settle(chain: RabbitLogChain): Promise<void> {
  let last = -1;
  for (;;) {
    const n = (await chain.stored()).records;
    if (n === last) return;
    last = n;
    await sleep(1500);
  }
}

async function catchUp(chain: RabbitLogChain, tree: CriTree, opts: LogRabbitChainOptions): Promise<CatchUpResult> {
  await settle(chain);
  const loadStart = load();
  const base = (await chain.stored()).records;
  const w = new MarkedWriter(tree, opts.cutRate, 'cutmark');
  const found = new Map<number, number>();
  const stored: { t: number; n: number }[] = [];
  const lags: { t: number; lag: number | null }[] = [];
  const shovel: { t: number; state: string }[] = [];
  const now = () => (performance.now() - w.t0) / 1000;
  const watch = new BrokerWatch(chain);
  const searcher = every(100, () => pollMarkers(chain, w, found));
  const counter = every(250, async () => {
    const n = (await chain.stored()).records - base;
    stored.push({ t: now(), n });
  });
  const states = every(500, async () => {
    const s = await chain.shovelState();
    if (shovel[shovel.length - 1]?.state !== s.state) shovel.push({ t: now(), state: s.state });
  });
  const pipeline = every(500, async () => {
    const row = await chain.row();
    lags.push({ t: now(), lag: row?.lagSeconds ?? null });
  });
  const storedAt = (t: number) => {
    let n = 0;
    for (const s of stored) if (s.t <= t) n = s.n;
    return n;
  };
  try {
    await sleep(opts.preCutSeconds * 1000);
    await chain.proxy.cut();
    const tCut = now();
    opts.log(`log-rabbit-chain: edge→center link cut at ${opts.cutRate} lines/s for ${opts.cutSeconds} s`);
    await sleep(opts.cutSeconds * 1000);
    // Restored with the cut connections torn down, as a middlebox that lost its state would (the harness tests do the same), unless asked not to.
    const outbox = await chain.edgeManagement.queueFigures('/', LOG_CHAIN.outbox).catch(() => null);
    if (opts.resetOnRestore) await chain.proxy.reset();
    await chain.proxy.restore();
    const tRestore = now();
    const writtenAtRestore = w.written;
    const storedAtRestore = (await chain.stored()).records - base;
    const drainCpu = new ChainCpu(chain).start();
    opts.log(`log-rabbit-chain: link restored; ${writtenAtRestore - storedAtRestore} lines behind, outbox ${outbox?.messages ?? '?'} messages`);

    // The shovel: back by itself (the ingest resumes), or (as docs/LOGS.md once saw) stuck until set again.
    let recoveredByItself = true;
    const resumed = async (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until) {
        if ((await chain.stored()).records - base > storedAtRestore) return true;
        await sleep(100);
      }
      return false;
    };
    if (!(await resumed(60_000))) {
      recoveredByItself = false;
      opts.log(`log-rabbit-chain: nothing ingested 60 s after the restore; the shovel is ${JSON.stringify(await chain.shovelState())}; setting it again`);
      await chain.setShovel(await chain.shovelParameter());
      await resumed(60_000);
    }

    // Caught up: the pipeline's lag (now − newest ingested ts) under 2 s.
    const caughtDeadline = performance.now() + 300_000;
    let tCaught: number | null = null;
    while (performance.now() < caughtDeadline) {
      const hit = lags.find((l) => l.t > tRestore && l.lag !== null && l.lag < 2);
      if (hit) {
        tCaught = hit.t;
        break;
      }
      await sleep(250);
    }
    const drainCores = drainCpu.stop();
    // Keep the load on a while, to see the lag stays down.
    await sleep(10_000);
    await w.stop();
    const tEnd = now();
    const finalDeadline = performance.now() + 60_000;
    while (storedAt(Infinity) < w.written && performance.now() < finalDeadline) await sleep(250);
    for (const l of [searcher, counter, states, pipeline]) await l.stop();
    const brokers = await watch.stop();

    const first = stored.find((s) => s.t > tRestore && s.n > storedAtRestore);
    let drain: number | null = null;
    let peak: number | null = null;
    // (a short cut's backlog can be stored in one commit: then there is no drain to time)
    if (first && tCaught !== null && tCaught > first.t) {
      drain = Math.round((storedAt(tCaught) - first.n) / (tCaught - first.t));
      const window = stored.filter((s) => s.t >= first.t && s.t <= tCaught);
      for (const a of window) {
        const b = window.find((x) => x.t >= a.t + 5);
        if (b) peak = Math.max(peak ?? 0, Math.round((b.n - a.n) / (b.t - a.t)));
      }
    }
    const after = tCaught === null ? [] : lags.filter((l) => l.t > tCaught && l.t <= tEnd);
    const cutStates = shovel.filter((s) => s.t >= tCut && s.t < tRestore);
    const afterStates = shovel.filter((s) => s.t >= tRestore);
    // running again: the last change to running after the restore, or, if it never left running, the first ingest
    const runningAgain = [...afterStates].reverse().find((s) => s.state === 'running');
    const left = cutStates.find((s) => s.state !== 'running');
    return {
      linesPerSecond: opts.cutRate,
      cutSeconds: opts.cutSeconds,
      resetOnRestore: opts.resetOnRestore,
      backlogLines: writtenAtRestore - storedAtRestore,
      outboxAtRestore: { messages: outbox?.messages ?? null, mib: outbox?.bytes == null ? null : outbox.bytes / 2 ** 20 },
      shovelLeftRunningAfterS: left ? left.t - tCut : null,
      shovelStatesDuringCut: cutStates.map((s) => `${s.state}@${(s.t - tCut).toFixed(1)}s`),
      shovelStatesAfterRestore: afterStates.map((s) => `${s.state}@${(s.t - tRestore).toFixed(1)}s`),
      shovelRunningAfterS: runningAgain ? runningAgain.t - tRestore : cutStates.length === 0 || cutStates[cutStates.length - 1]!.state === 'running' ? (first ? first.t - tRestore : null) : null,
      shovelRecoveredByItself: recoveredByItself,
      firstIngestAfterS: first ? first.t - tRestore : null,
      lagUnder2sAfterS: tCaught === null ? null : tCaught - tRestore,
      lagStayedUnder2s: after.every((l) => l.lag !== null && l.lag < 2),
      drainLinesPerSecond: drain,
      drainPeakLinesPerSecond: peak,
      maxLagSeconds: Math.max(0, ...lags.map((l) => l.lag ?? 0)),
      afterLatencyMs: summarize(tCaught === null ? [] : latencies(w, found, w.t0 + tCaught * 1000)),
      lost: w.written - storedAt(Infinity),
      drainCores,
      drainSched: drainCpu.schedUsage,
      brokers,
      load: { start: loadStart, end: load() },
    };
  } finally {
    await chain.proxy.restore().catch(() => undefined);
    await w.stop();
    for (const l of [searcher, counter, states, pipeline]) await l.stop();
    await watch.stop();
  }
}

export async function benchLogRabbitChain(opts: LogRabbitChainOptions): Promise<LogRabbitChainResult> {
  const dir = tempDir('flotilla-bench-rabbit-');
  let chain: RabbitLogChain | undefined;
  try {
    chain = await RabbitLogChain.start(dir, opts.log);
    const startMs = Date.now() - SPAN_MS;
    const total = opts.lines + opts.warmupLines;
    const trees = ['warm', 'backlog'].map((name, k) => {
      const staging = join(dir, `${name}-staging`);
      const tree = criTree(staging);
      appendCriLines(tree, { startIndex: k === 0 ? opts.lines : 0, lines: k === 0 ? opts.warmupLines : opts.lines, total, startMs, spanMs: SPAN_MS });
      return { staging, live: join(dir, `${name}-pods`), tree };
    });
    const [warm, backlog] = trees as [(typeof trees)[0], (typeof trees)[0]];
    const live = criTree(join(dir, 'live-pods'));
    opts.log(`log-rabbit-chain: ${backlog.tree.lines} backlog lines in ${backlog.tree.files.length} CRI files (${(backlog.tree.bytes / 2 ** 20).toFixed(1)} MiB), ${warm.tree.lines} warm-up lines`);
    await chain.startAgent(CLUSTER, [join(warm.live, '*', '*', '*.log'), join(backlog.live, '*', '*', '*.log'), live.glob], { batch: { maxRecords: opts.batchRecords, maxBytes: 4 * 1024 * 1024, flushMs: 250 }, scanIntervalMs: 200 });
    await chain.switchToRabbit(opts.outboxMaxBytes);
    opts.log(`log-rabbit-chain: ${CLUSTER} on the RabbitMQ chain, shovel running`);

    const bodies = await warmUpAndTap(chain, warm.staging, warm.live, opts.warmupLines);
    const tappedRecords = bodies.reduce((n, b) => n + b.records, 0);
    const tapped = { messages: bodies.length, meanKiB: bodies.reduce((n, b) => n + b.content.length, 0) / bodies.length / 1024, recordsPerMessage: tappedRecords / bodies.length };
    opts.log(`log-rabbit-chain: warm-up stored; tapped ${tapped.messages} envelopes, ${tapped.meanKiB.toFixed(0)} KiB and ${tapped.recordsPerMessage.toFixed(0)} records each`);

    const c = await chainThroughput(chain, backlog.staging, backlog.live, backlog.tree, opts.lines);
    opts.log(`log-rabbit-chain: chain ${c.linesPerSecond} lines/s (${c.messages} messages, ${c.commits} sink writes), daemon ${c.cores.daemon.toFixed(2)} agent ${c.cores.agent.toFixed(2)} edge ${c.cores.edge.toFixed(2)} central ${c.cores.central.toFixed(2)} proxy ${c.cores.proxy.toFixed(2)} bench ${c.cores.bench.toFixed(2)} cores; load ${c.load.end.join(' ')}`);
    const ftsBatch = Math.round(c.recordsPerCommit);
    const fts = { ...(await rawFts5Insert(join(chain.data, 'logs.db'), dir, opts.warmupLines, opts.lines, ftsBatch)), batch: ftsBatch };
    opts.log(`log-rabbit-chain: raw FTS5 insert of the same records in writes of ${ftsBatch} ${fts.linesPerSecond} lines/s (${fts.linesPerCpuSecond} per CPU second)`);

    const raw = await rawRuns(chain, dir, bodies, c.messages, opts);
    const alo = median(raw.filter((r) => r.variant.name === AT_LEAST_ONCE).map((r) => r.linesPerSecond));
    const faf = median(raw.filter((r) => r.variant.name === FIRE_AND_FORGET).map((r) => r.linesPerSecond));
    const perRound = Array.from({ length: opts.rawRounds }, (_, i) => {
      const of = (name: string) => raw.find((r) => r.round === i + 1 && r.variant.name === name)!.linesPerSecond;
      return of(AT_LEAST_ONCE) / of(FIRE_AND_FORGET);
    });

    const fresh = await freshness(chain, live, opts);
    opts.log(`log-rabbit-chain: freshness at ${fresh.linesPerSecond} lines/s: p50 ${fresh.latencyMs.p50.toFixed(0)} ms, p99 ${fresh.latencyMs.p99.toFixed(0)} ms, ${fresh.missed} missed`);
    const cut = await catchUp(chain, live, opts);
    opts.log(`log-rabbit-chain: catch-up: ${cut.backlogLines} lines behind at the restore; shovel running after ${cut.shovelRunningAfterS?.toFixed(1) ?? '-'} s (by itself: ${String(cut.shovelRecoveredByItself)}); drain ${cut.drainLinesPerSecond ?? '-'} lines/s; lag under 2 s after ${cut.lagUnder2sAfterS?.toFixed(1) ?? '-'} s; ${cut.lost} lost`);
    return {
      cluster: CLUSTER,
      batchRecords: opts.batchRecords,
      confirmWindow: opts.confirmWindow,
      outboxMaxBytes: opts.outboxMaxBytes,
      tapped,
      chain: c,
      rawFts5: fts,
      raw,
      chainToRaw: c.linesPerSecond / alo,
      atLeastOnceToFireAndForget: alo / faf,
      perRound,
      variantMedians: rawVariants(opts.confirmWindow).map((v) => {
        const m = median(raw.filter((r) => r.variant.name === v.name).map((r) => r.linesPerSecond));
        return { name: v.name, linesPerSecond: Math.round(m), toFireAndForget: m / faf };
      }),
      freshness: fresh,
      catchUp: cut,
    };
  } finally {
    await chain?.stop();
    killAll();
    cleanupTempDirs();
  }
}
