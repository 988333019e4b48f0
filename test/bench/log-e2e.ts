// End to end through the embedded log chain (issue 7, "Benchmark"): real `flotilla agent` processes
// tail pre-written CRI files and ship them to a real `flotilla daemon`, which commits them to its
// FTS5 sink. Measured in one run: the sustained stored lines/s (the daemon's own counter), then the
// raw insert rate of the very records it stored through the LogSink API in this process (same batch
// size), and the freshness of a 10,000 lines/s stream: a line appended → first returned by a search.
import Database from 'better-sqlite3';
import { appendFileSync, renameSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { LogSearchResponse } from '../../core/logs/api.js';
import { publicRecord, type LogRecord } from '../../core/logs/record.js';
import type { ResolvedQuery } from '../../core/query/ast.js';
import { Fts5Reader } from '../../daemon/logs/fts5/reader.js';
import { Fts5LogSink } from '../../daemon/logs/fts5/sink.js';
import { killAll } from '../harness/proc.js';
import { cleanupTempDirs, tempDir } from '../harness/tmp.js';
import { appendCriLines, criLine, criTree, type CriTree } from './cri-files.js';
import { LogChain } from './log-chain.js';
import { makeRecords } from './log-search.js';
import { ProcSampler, summarize } from './proc-sampler.js';

export interface LogE2eOptions {
  /** Lines over all agents. */
  lines: number;
  agents: number;
  /** logs.batch.maxRecords of every agent, and the raw insert's batch size. */
  batchRecords: number;
  freshnessSeconds: number;
  freshnessRate: number;
  /** Runs the daemon with --cpu-prof, the profile written here. */
  profileDir?: string;
  log: (s: string) => void;
}

export interface LogE2eResult {
  agents: number;
  lines: number;
  fileMiB: number;
  batchRecords: number;
  /** Stored lines/s from 10 % to 90 % of the lines stored (the ramp of the first scan left out). */
  e2eLinesPerSecond: number;
  /** From the files appearing to the last line stored. */
  e2eSeconds: number;
  daemonCores: number;
  agentCores: number;
  /** Stored lines per second of daemon CPU. */
  daemonLinesPerCpuSecond: number;
  rawLinesPerSecond: number;
  rawLinesPerCpuSecond: number;
  ratio: number;
  load: { start: number[]; end: number[] };
  freshness: LogFreshnessResult;
}

export interface LogFreshnessResult {
  /** Lines appended per second, as achieved. */
  linesPerSecond: number;
  seconds: number;
  latencyMs: ReturnType<typeof summarize>;
  /** Markers never returned within the drain. */
  missed: number;
  load: { start: number[]; end: number[] };
}

const EVERYTHING: ResolvedQuery = { filters: [], fields: [], text: [] };
const SPAN_MS = 3_600_000;
const MARKER = 'freshmark';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const load = () => loadavg().map((x) => Math.round(x * 100) / 100);

/** The time the counter passed `target`, interpolated between the samples around it. */
function crossing(samples: { t: number; n: number }[], target: number): number {
  const i = samples.findIndex((s) => s.n >= target);
  if (i <= 0) return samples[Math.max(0, i)]!.t;
  const a = samples[i - 1]!;
  const b = samples[i]!;
  return a.t + ((target - a.n) / (b.n - a.n)) * (b.t - a.t);
}

/** Agents tail pre-written files; resolves with the daemon's stored-lines rate and the processes' CPU. */
async function shipBacklog(chain: LogChain, dir: string, opts: LogE2eOptions): Promise<Pick<LogE2eResult, 'fileMiB' | 'e2eLinesPerSecond' | 'e2eSeconds' | 'daemonCores' | 'agentCores' | 'daemonLinesPerCpuSecond'>> {
  const perAgent = Math.ceil(opts.lines / opts.agents);
  const startMs = Date.now() - SPAN_MS;
  const trees: { staging: string; live: string; tree: CriTree }[] = [];
  for (let k = 0; k < opts.agents; k++) {
    const staging = join(dir, `agent-${k}-staging`);
    const live = join(dir, `agent-${k}-pods`);
    const tree = criTree(staging);
    appendCriLines(tree, { startIndex: k * perAgent, lines: Math.min(perAgent, opts.lines - k * perAgent), total: opts.lines, startMs, spanMs: SPAN_MS });
    trees.push({ staging, live, tree });
    opts.log(`log-e2e: agent ${k}: ${tree.lines} lines in ${tree.files.length} CRI files (${(tree.bytes / 2 ** 20).toFixed(1)} MiB)`);
    await chain.addAgent(`e2e-${k}`, { paths: [join(live, '*', '*', '*.log')], format: 'cri', exclude: [] }, { batch: { maxRecords: opts.batchRecords, maxBytes: 4 * 1024 * 1024, flushMs: 250 }, scanIntervalMs: 200 });
  }
  await chain.waitRegistered();
  const daemonCpu = new ProcSampler(chain.daemon.child.pid!);
  const agentCpu = chain.agents.map((a) => new ProcSampler(a.proc.child.pid!));
  const base = await chain.stored();
  daemonCpu.start();
  for (const s of agentCpu) s.start();
  // The backlog appears at once, as on a node whose agent starts late: the next scan finds it all.
  const t0 = performance.now();
  for (const t of trees) renameSync(t.staging, t.live);
  const samples: { t: number; n: number }[] = [{ t: 0, n: 0 }];
  const deadline = t0 + 600_000;
  while (samples[samples.length - 1]!.n < opts.lines) {
    if (performance.now() > deadline) throw new Error(`log-e2e: ${samples[samples.length - 1]!.n} of ${opts.lines} lines stored after 10 minutes`);
    await sleep(100);
    samples.push({ t: (performance.now() - t0) / 1000, n: (await chain.stored()) - base });
  }
  const daemonUse = daemonCpu.stop();
  const agentUse = agentCpu.map((s) => s.stop());
  const t10 = crossing(samples, 0.1 * opts.lines);
  const t90 = crossing(samples, 0.9 * opts.lines);
  const e2eSeconds = crossing(samples, opts.lines);
  return {
    fileMiB: trees.reduce((n, t) => n + t.tree.bytes, 0) / 2 ** 20,
    e2eLinesPerSecond: Math.round((0.8 * opts.lines) / (t90 - t10)),
    e2eSeconds,
    daemonCores: daemonUse.cores,
    agentCores: agentUse.reduce((n, u) => n + u.cores, 0),
    daemonLinesPerCpuSecond: Math.round(opts.lines / (daemonUse.cores * daemonUse.seconds)),
  };
}

/** The first `lines` records the daemon stored, read back in stored order and written to a fresh sink in batches. */
async function rawInsert(daemonDb: string, dir: string, lines: number, batch: number): Promise<{ perSecond: number; perCpuSecond: number }> {
  const db = new Database(daemonDb, { readonly: true, fileMustExist: true });
  const widthMs = db.prepare(`SELECT value FROM log_meta WHERE key = 'partition_ms'`).pluck().get() as number;
  const reader = new Fts5Reader(db, widthMs);
  const sink = new Fts5LogSink({ file: join(dir, 'raw.db'), partitionHours: widthMs / 3_600_000 });
  let wallMs = 0;
  let cpuUs = 0;
  let written = 0;
  let after: string | null = null;
  try {
    while (written < lines) {
      const page = reader.storedAfter(EVERYTHING, after, Math.min(batch, lines - written));
      if (page.items.length === 0) break;
      const records: LogRecord[] = page.items.map(publicRecord);
      const cpu = process.cpuUsage();
      const t = performance.now();
      await sink.write(records);
      wallMs += performance.now() - t;
      const used = process.cpuUsage(cpu);
      cpuUs += used.user + used.system;
      written += records.length;
      after = page.items[page.items.length - 1]!.cursor;
    }
  } finally {
    db.close();
    await sink.close();
  }
  if (written < lines) throw new Error(`log-e2e: read back ${written} of ${lines} stored lines`);
  return { perSecond: Math.round((written / wallMs) * 1000), perCpuSecond: Math.round((written / cpuUs) * 1e6) };
}

/** A writer appends at `rate` lines/s to one agent's files, a marker line every 100 ms; a searcher polls for the markers. */
async function freshness(chain: LogChain, dir: string, opts: LogE2eOptions): Promise<LogFreshnessResult> {
  const tree = criTree(join(dir, 'fresh-pods'));
  await chain.addAgent('fresh', { paths: [tree.glob], format: 'cri', exclude: [] });
  await chain.waitRegistered();
  const loadStart = load();
  const markerEvery = Math.max(1, Math.round(opts.freshnessRate / 10));
  const appendedAt = new Map<number, number>();
  const latency: number[] = [];
  const seen = new Set<number>();
  const warmupMs = 2000;
  const t0 = performance.now();
  let written = 0;
  let writing = true;
  const writer = (async () => {
    while (writing) {
      const elapsed = performance.now() - t0;
      const due = Math.floor((elapsed / 1000) * opts.freshnessRate) - written;
      if (due > 0) {
        const records = makeRecords(written, due, 1, Date.now(), 0);
        const ms = new Date().toISOString().slice(0, -1);
        const out: string[][] = tree.files.map(() => []);
        const markers: number[] = [];
        records.forEach((r, k) => {
          const i = written + k;
          // distinct sub-millisecond digits, as a runtime's nanosecond clock gives
          const ts = `${ms}${String((i * 7919) % 1_000_000).padStart(6, '0')}Z`;
          const marker = i % markerEvery === 0 ? i / markerEvery : -1;
          const message = marker >= 0 ? `request done ${MARKER}${marker} in 3ms` : r.message;
          if (marker >= 0 && elapsed > warmupMs) markers.push(marker);
          out[i % tree.files.length]!.push(criLine(ts, r.stream, message));
        });
        tree.files.forEach((f, k) => out[k]!.length && appendFileSync(f, out[k]!.join('')));
        const now = performance.now();
        for (const m of markers) appendedAt.set(m, now);
        written += due;
      }
      await sleep(10);
    }
  })();
  const poll = async () => {
    const page = await chain.get<LogSearchResponse>(`/api/v1/logs?q=${MARKER}*&limit=100`);
    const now = performance.now();
    for (const r of page.items) {
      const m = Number(new RegExp(`${MARKER}(\\d+)`).exec(r.message)?.[1]);
      const at = appendedAt.get(m);
      if (at === undefined || seen.has(m)) continue;
      seen.add(m);
      latency.push(now - at);
    }
  };
  while (performance.now() - t0 < warmupMs + opts.freshnessSeconds * 1000) {
    await poll();
    await sleep(50);
  }
  writing = false;
  await writer;
  const seconds = (performance.now() - t0) / 1000;
  const drainUntil = performance.now() + 10_000;
  while (seen.size < appendedAt.size && performance.now() < drainUntil) {
    await poll();
    await sleep(50);
  }
  return { linesPerSecond: Math.round(written / seconds), seconds: opts.freshnessSeconds, latencyMs: summarize(latency), missed: appendedAt.size - seen.size, load: { start: loadStart, end: load() } };
}

export async function benchLogE2e(opts: LogE2eOptions): Promise<LogE2eResult> {
  const dir = tempDir('flotilla-bench-e2e-');
  let chain: LogChain | undefined;
  try {
    chain = await LogChain.start(join(dir, 'data'), opts.profileDir ? { profileDir: opts.profileDir } : {});
    const loadStart = load();
    const shipped = await shipBacklog(chain, dir, opts);
    opts.log(`log-e2e: ${opts.lines} lines stored in ${shipped.e2eSeconds.toFixed(1)} s, ${shipped.e2eLinesPerSecond} lines/s sustained, daemon ${shipped.daemonCores.toFixed(2)} cores`);
    await chain.stopAgents();
    const raw = await rawInsert(join(chain.data, 'logs.db'), dir, opts.lines, opts.batchRecords);
    const loadEnd = load();
    opts.log(`log-e2e: raw insert of the same records ${raw.perSecond} lines/s (${raw.perCpuSecond} per CPU second); load ${loadEnd.join(' ')}`);
    const fresh = await freshness(chain, dir, opts);
    opts.log(`log-e2e: freshness at ${fresh.linesPerSecond} lines/s: p50 ${fresh.latencyMs.p50.toFixed(0)} ms, p99 ${fresh.latencyMs.p99.toFixed(0)} ms, ${fresh.missed} missed`);
    return { agents: opts.agents, lines: opts.lines, batchRecords: opts.batchRecords, ...shipped, rawLinesPerSecond: raw.perSecond, rawLinesPerCpuSecond: raw.perCpuSecond, ratio: shipped.e2eLinesPerSecond / raw.perSecond, load: { start: loadStart, end: loadEnd }, freshness: fresh };
  } finally {
    await chain?.stop();
    killAll();
    cleanupTempDirs();
  }
}
