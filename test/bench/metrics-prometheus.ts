// The Prometheus half of "a 24 h sparkline for 50 clusters: p99 from request to data" (issue 9; the
// embedded half is metrics-embedded.ts): a real central Prometheus (Debian's 2.42) holding 24 h of
// the `cluster:*` recording-rule series of 50 clusters as the federation leaves them there (labels
// cluster, job="flotilla-federate", instance=the edge; one sample every 30 s at the edge's own
// evaluation times) and the `up` series the federation brings with them; then the daemon's
// MetricsService.answer with metrics.source prometheus, timed from the call to the resolved answer,
// for what the console asks: the 24 h sparkline (cpu_used_ratio, since=24h at the default step, as
// the embedded half asks it), the same 4 at a time (the fleet column's fill concurrency), the fleet
// column's actual fill (1 h at 1 m, 4 at a time) and the 24 h metrics view (all its charts); and the
// 24 h sparkline over HTTP through an in-process daemon (GET /api/v1/metrics/range).
//
// Loading: an OpenMetrics file with timestamps per 2 h block window, `promtool tsdb create-blocks-from
// openmetrics` on each, the blocks moved into the data directory of the running Prometheus (which
// loads new blocks within a minute, then compacts them as it would its own), checked by a query
// before measuring. The series run on a little past now so the `up` the daemon asks at "now" is fresh.
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDaemonConfig } from '../../config/daemon.js';
import { silentLogger } from '../../core/log.js';
import type { MetricsRange } from '../../core/metrics/api.js';
import { RECORDING_RULES } from '../../core/metrics/recording-rules.js';
import { initControlPlane } from '../../daemon/init.js';
import { startDaemon } from '../../daemon/main.js';
import { prometheusClient, type PrometheusQuery } from '../../daemon/metrics/prometheus-client.js';
import { parseRangeQuery } from '../../daemon/metrics/range-query.js';
import { MetricsService } from '../../daemon/metrics/service.js';
import { CHART_SERIES } from '../../tui/state/metrics.js';
import { SPARK_CONCURRENCY } from '../../tui/state/fleet-spark.js';
import { PROMTOOL_BIN, startPrometheus, type PrometheusServer } from '../harness/prometheus.js';

export interface MetricsPrometheusCase {
  name: string;
  via: 'MetricsService.answer' | 'GET /api/v1/metrics/range';
  /** The request's parameters, as the console sends them. */
  params: Record<string, string>;
  stepSeconds: number;
  concurrency: number;
  /** Prometheus HTTP requests (query_range + query) per answer, from its own counters. */
  promRequestsPerAnswer: number;
  /** Answers not from Prometheus, or with a warning or an edge state: should be 0. */
  notFromPrometheus: number;
  /** The fewest non-null points of a Prometheus series in an answer, and the points a series has. */
  minPoints: number;
  pointsPerSeries: number;
  ms: { p50: number; p99: number; max: number; n: number };
  /** Each Prometheus request alone, as the daemon's client saw it (in-process cases only). */
  promRequestMs?: { p50: number; p99: number; max: number; n: number };
}

export interface MetricsPrometheusResult {
  prometheus: string;
  clusters: number;
  hours: number;
  intervalSeconds: number;
  seriesPerCluster: number;
  series: number;
  samples: number;
  openMetricsMiB: number;
  generateSeconds: number;
  promtoolSeconds: number;
  /** From moving the blocks in to the query seeing them all, then to compaction settling. */
  loadSeconds: number;
  settleSeconds: number;
  blocks: number;
  tsdbMiB: number;
  /** Samples of one series in the last `hours`, by count_over_time: the check the data is there. */
  checkSamples: number;
  compactionsDuringMeasure: number;
  /** The 1, 5 and 15 minute load averages when the measuring started and ended: the machine is shared. */
  load: { start: number[]; end: number[] };
  rounds: number;
  cases: MetricsPrometheusCase[];
}

const HOUR_MS = 3_600_000;
const BLOCK_MS = 2 * HOUR_MS;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A small seeded PRNG (mulberry32): the same series every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface SeriesDef {
  name: string;
  labels: string;
  /** The edge's evaluation (or scrape) phase within the interval, ms. */
  phaseMs: number;
  value: (tMs: number) => number;
}

/** What the center holds for one cluster: every `cluster:*` rule (pods_by_phase once a phase), the federation's `up` and the edges' own. */
function clusterSeries(i: number, name: string, intervalMs: number): SeriesDef[] {
  const nodes = 3 + i;
  const cpuCap = nodes * 8;
  const memCap = nodes * 32 * 2 ** 30;
  const podCap = nodes * 110;
  const r = rng(i * 7919 + 1);
  const dayPhase = r() * 2 * Math.PI;
  const noise = rng(i * 104_729 + 3);
  const diurnal = (t: number, base: number, amp: number) => base + amp * Math.sin((2 * Math.PI * t) / 86_400_000 + dayPhase);
  const cpuRatio = (t: number) => Math.min(0.98, Math.max(0.02, diurnal(t, 0.35, 0.2) + (noise() - 0.5) * 0.06));
  const memRatio = (t: number) => Math.min(0.98, Math.max(0.05, diurnal(t, 0.55, 0.08) + (noise() - 0.5) * 0.02));
  const running = (t: number) => Math.round(nodes * 25 + diurnal(t, 0, nodes * 2) + (noise() - 0.5) * 4);
  const values: Record<string, (t: number) => number> = {
    'cluster:node_cpu_capacity:cores': () => cpuCap,
    'cluster:node_memory_capacity:bytes': () => memCap,
    'cluster:node_pods_capacity:count': () => podCap,
    'cluster:nodes:count': () => nodes,
    'cluster:nodes_ready:count': (t) => (t % (6 * HOUR_MS) < 5 * 60_000 ? nodes - 1 : nodes),
    'cluster:nodes_unschedulable:count': (t) => (t % (12 * HOUR_MS) < 20 * 60_000 ? 1 : 0),
    'cluster:cpu_usage:cores': (t) => cpuRatio(t) * cpuCap,
    'cluster:cpu_usage:ratio': cpuRatio,
    'cluster:cpu_requests:cores': () => cpuCap * 0.6,
    'cluster:memory_working_set:bytes': (t) => Math.round(memRatio(t) * memCap),
    'cluster:memory_working_set:ratio': memRatio,
    'cluster:memory_requests:bytes': () => Math.round(memCap * 0.55),
    'cluster:pod_density:ratio': (t) => (running(t) + 3) / podCap,
    'cluster:container_restarts:count': (t) => 40 + i + Math.floor((t / HOUR_MS) % 1000),
    'cluster:container_restarts:rate5m': () => (noise() < 0.1 ? 1 / 300 : 0),
    'cluster:containers_crashlooping:count': (t) => (t % (3 * HOUR_MS) < 15 * 60_000 ? 1 : 0),
    'cluster:log_lines_shipped:rate5m': (t) => Math.max(0, diurnal(t, 300, 150) + (noise() - 0.5) * 40),
  };
  const phases: Record<string, (t: number) => number> = {
    Running: running,
    Pending: () => (noise() < 0.2 ? Math.floor(noise() * 4) : 0),
    Succeeded: () => nodes * 2,
    Failed: () => (noise() < 0.05 ? 1 : 0),
    Unknown: () => 0,
  };
  const edgePhase = Math.floor(r() * intervalMs);
  const centerPhase = Math.floor(r() * intervalMs);
  const edge = `edge-${name}.bench:9090`;
  const fed = `cluster="${name}",instance="${edge}",job="flotilla-federate"`;
  const out: SeriesDef[] = [];
  for (const rule of RECORDING_RULES) {
    const fallback = (t: number) => diurnal(t, 10, 3) + noise();
    if (rule.by.includes('phase')) {
      for (const [phase, v] of Object.entries(phases)) out.push({ name: rule.record, labels: `${fed},phase="${phase}"`, phaseMs: edgePhase, value: v });
    } else {
      out.push({ name: rule.record, labels: fed, phaseMs: edgePhase, value: values[rule.record] ?? fallback });
    }
  }
  // `up`: the center's scrape of the edge, and the edge's own jobs federated with their labels (honor_labels).
  const agent = `agent-${name}.bench:9464`;
  out.push({ name: 'up', labels: fed, phaseMs: centerPhase, value: () => 1 });
  out.push({ name: 'up', labels: `cluster="${name}",instance="${agent}",job="kube-state-metrics"`, phaseMs: edgePhase, value: () => 1 });
  out.push({ name: 'up', labels: `cluster="${name}",instance="${agent}",job="kubelet",metrics_path="/metrics/cadvisor"`, phaseMs: edgePhase, value: () => 1 });
  out.push({ name: 'up', labels: `cluster="${name}",instance="${agent}",job="flotilla-agent"`, phaseMs: edgePhase, value: () => 1 });
  return out;
}

/** One OpenMetrics file per 2 h block window (promtool aligns blocks so), families contiguous, each series' samples in time order. */
function writeOpenMetrics(dir: string, series: SeriesDef[], startMs: number, endMs: number, intervalMs: number): { files: string[]; samples: number; bytes: number } {
  const byName = new Map<string, SeriesDef[]>();
  for (const s of series) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
  const files: string[] = [];
  let samples = 0;
  let bytes = 0;
  for (let w = Math.floor(startMs / BLOCK_MS) * BLOCK_MS; w < endMs; w += BLOCK_MS) {
    const from = Math.max(w, startMs);
    const to = Math.min(w + BLOCK_MS, endMs);
    const file = join(dir, `window-${w}.om`);
    const fd = openSync(file, 'w');
    let buf = '';
    const put = (s: string) => {
      buf += s;
      if (buf.length > 1 << 20) {
        bytes += writeSync(fd, buf);
        buf = '';
      }
    };
    for (const [name, defs] of byName) {
      put(`# TYPE ${name} gauge\n`);
      for (const d of defs) {
        const prefix = `${name}{${d.labels}} `;
        // The first sample time at or after `from` on the series' own phase.
        let t = Math.ceil((from - d.phaseMs) / intervalMs) * intervalMs + d.phaseMs;
        for (; t < to; t += intervalMs) {
          put(`${prefix}${d.value(t)} ${(t / 1000).toFixed(3)}\n`);
          samples += 1;
        }
      }
    }
    put('# EOF\n');
    bytes += writeSync(fd, buf);
    closeSync(fd);
    files.push(file);
  }
  return { files, samples, bytes };
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-4000)));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${err}`))));
  });
}

/** promtool on every file, a few at a time, each into its own directory; returns the block directories. */
async function createBlocks(files: string[], outDir: string, parallel: number): Promise<string[]> {
  const queue = files.map((f, k) => ({ f, out: join(outDir, `b${k}`) }));
  const blocks: string[] = [];
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let job = queue.shift(); job; job = queue.shift()) {
        await run(PROMTOOL_BIN, ['tsdb', 'create-blocks-from', 'openmetrics', '-q', job.f, job.out]);
        for (const b of readdirSync(job.out)) if (statSync(join(job.out, b)).isDirectory()) blocks.push(join(job.out, b));
      }
    }),
  );
  return blocks;
}

/** Sums a metric's samples (any labels matching `match`) in Prometheus's own /metrics. */
async function selfMetric(prom: PrometheusServer, name: string, match = ''): Promise<number> {
  const text = await (await fetch(`${prom.url}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== ' ' && line[name.length] !== '{') || !line.includes(match)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

const promRequests = async (prom: PrometheusServer) => (await selfMetric(prom, 'prometheus_http_requests_total', 'handler="/api/v1/query_range"')) + (await selfMetric(prom, 'prometheus_http_requests_total', 'handler="/api/v1/query"'));

function dirBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? dirBytes(join(dir, e.name)) : statSync(join(dir, e.name)).size;
  return n;
}

/** The daemon's client, each request timed into `times` while it is set. */
function timedClient(c: PrometheusQuery): { client: PrometheusQuery; record(into: number[] | null): void } {
  let into: number[] | null = null;
  const timed = async <T>(p: Promise<T>): Promise<T> => {
    const t = performance.now();
    const r = await p;
    into?.push(performance.now() - t);
    return r;
  };
  return {
    client: { url: c.url, queryRange: (...a) => timed(c.queryRange(...a)), query: (...a) => timed(c.query(...a)) },
    record: (x) => (into = x),
  };
}

const pct = (sorted: number[], q: number) => Math.round((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number) * 100) / 100;

interface CaseDef {
  name: string;
  params: Record<string, string>;
  concurrency: number;
}

/** One warm-up round and `rounds` measured ones of every cluster, `concurrency` requests on their way at once, each timed alone. */
async function measure(prom: PrometheusServer, c: CaseDef, via: MetricsPrometheusCase['via'], clusters: string[], rounds: number, ask: (params: URLSearchParams) => Promise<MetricsRange>, timed?: ReturnType<typeof timedClient>): Promise<MetricsPrometheusCase> {
  let notFromPrometheus = 0;
  let minPoints = Infinity;
  let pointsPerSeries = 0;
  let stepSeconds = 0;
  const round = async (times: number[] | null) => {
    const queue = [...clusters];
    await Promise.all(
      Array.from({ length: c.concurrency }, async () => {
        for (let cluster = queue.shift(); cluster !== undefined; cluster = queue.shift()) {
          const params = new URLSearchParams({ cluster, ...c.params });
          const t = performance.now();
          const answer = await ask(params);
          const ms = performance.now() - t;
          if (!times) continue;
          times.push(ms);
          stepSeconds = answer.stepSeconds;
          if (answer.source !== 'prometheus' || answer.warning !== undefined || answer.edge !== undefined) notFromPrometheus += 1;
          for (const s of answer.series) {
            if (s.source !== 'prometheus') continue;
            pointsPerSeries = s.points.length;
            minPoints = Math.min(minPoints, s.points.filter((p) => p[1] !== null).length);
          }
        }
      }),
    );
  };
  await round(null);
  const before = await promRequests(prom);
  const times: number[] = [];
  const requestTimes: number[] = [];
  timed?.record(requestTimes);
  for (let r = 0; r < rounds; r++) await round(times);
  timed?.record(null);
  requestTimes.sort((a, b) => a - b);
  // Each /metrics read is itself no API request; the counters are of query_range and query only.
  const requests = (await promRequests(prom)) - before;
  times.sort((a, b) => a - b);
  const stats = (xs: number[]) => ({ p50: pct(xs, 0.5), p99: pct(xs, 0.99), max: Math.round((xs[xs.length - 1] as number) * 100) / 100, n: xs.length });
  return {
    name: c.name,
    via,
    params: c.params,
    stepSeconds,
    concurrency: c.concurrency,
    promRequestsPerAnswer: Math.round((requests / times.length) * 100) / 100,
    notFromPrometheus,
    minPoints: Number.isFinite(minPoints) ? minPoints : 0,
    pointsPerSeries,
    ms: stats(times),
    ...(requestTimes.length ? { promRequestMs: stats(requestTimes) } : {}),
  };
}

export async function benchMetricsPrometheus(opts: { clusters: number; hours: number; intervalSeconds: number; rounds: number; marginMinutes: number; timeoutMs: number; http: boolean; log: (s: string) => void }): Promise<MetricsPrometheusResult> {
  const log = (s: string) => opts.log(`metrics-prometheus: ${s}`);
  const intervalMs = opts.intervalSeconds * 1000;
  const pad = Math.max(2, String(opts.clusters - 1).length);
  const names = Array.from({ length: opts.clusters }, (_, i) => `bench-${String(i).padStart(pad, '0')}`);
  const work = mkdtempSync(join(tmpdir(), 'flotilla-bench-prom-'));
  let prom: PrometheusServer | undefined;
  try {
    const now = Date.now();
    // From before the range's first step (aligned down by up to a step, plus the 5 min lookback) to a little past now.
    const startMs = now - opts.hours * HOUR_MS - 15 * 60_000;
    const endMs = now + opts.marginMinutes * 60_000;
    const series = names.flatMap((n, i) => clusterSeries(i, n, intervalMs));
    log(`${series.length} series (${series.length / opts.clusters} a cluster), ${((endMs - startMs) / HOUR_MS).toFixed(2)} h at ${opts.intervalSeconds} s, as OpenMetrics`);
    let t = performance.now();
    const om = writeOpenMetrics(work, series, startMs, endMs, intervalMs);
    const generateSeconds = (performance.now() - t) / 1000;
    log(`${om.samples} samples, ${(om.bytes / 2 ** 20).toFixed(0)} MiB in ${om.files.length} files (${generateSeconds.toFixed(1)} s); promtool tsdb create-blocks-from openmetrics`);
    t = performance.now();
    const blocks = await createBlocks(om.files, join(work, 'blocks'), 2);
    const promtoolSeconds = (performance.now() - t) / 1000;
    for (const f of om.files) rmSync(f);
    log(`${blocks.length} blocks in ${promtoolSeconds.toFixed(1)} s; starting Prometheus and moving them into its data directory`);
    prom = await startPrometheus({ config: 'global: {scrape_interval: 30s, evaluation_interval: 30s}\n', flags: ['--storage.tsdb.retention.time=15d'] });
    t = performance.now();
    for (const b of blocks) renameSync(b, join(prom.dir, 'data', b.slice(b.lastIndexOf('/') + 1)));
    // Prometheus loads blocks that appear in its data directory on its next minute's tick.
    const expected = series.length;
    const countQ = `count({__name__=~"cluster:.*|up"})`;
    for (;;) {
      const r = await prom.api<{ result: { value: [number, string] }[] }>(`query?${new URLSearchParams({ query: countQ, time: String(now / 1000) }).toString()}`);
      if (Number(r.result[0]?.value[1] ?? 0) === expected) break;
      if (performance.now() - t > 180_000) throw new Error(`Prometheus holds ${r.result[0]?.value[1] ?? 0} of the ${expected} series 3 minutes after the blocks were moved in`);
      await sleep(1000);
    }
    const loadSeconds = (performance.now() - t) / 1000;
    // Then it compacts them (2 h blocks into larger ones) as it would its own: wait for that to settle.
    t = performance.now();
    let last = '';
    let still = 0;
    while (still < 8 && performance.now() - t < 120_000) {
      const now2 = `${await selfMetric(prom, 'prometheus_tsdb_blocks_loaded')}/${await selfMetric(prom, 'prometheus_tsdb_compactions_total')}`;
      still = now2 === last ? still + 1 : 0;
      last = now2;
      await sleep(1000);
    }
    const settleSeconds = (performance.now() - t) / 1000;
    const check = await prom.api<{ result: { value: [number, string] }[] }>(`query?${new URLSearchParams({ query: `count_over_time(cluster:cpu_usage:ratio{cluster="${names[0]!}"}[${opts.hours}h])`, time: String(now / 1000) }).toString()}`);
    const checkSamples = Number(check.result[0]?.value[1] ?? 0);
    if (checkSamples < (opts.hours * 3600) / opts.intervalSeconds - 1) throw new Error(`only ${checkSamples} samples of cluster:cpu_usage:ratio for ${names[0]!} in the last ${opts.hours} h`);
    const blocksLoaded = await selfMetric(prom, 'prometheus_tsdb_blocks_loaded');
    log(`all ${expected} series there after ${loadSeconds.toFixed(1)} s (${checkSamples} samples of a series in ${opts.hours} h), ${blocksLoaded} blocks after compaction (${settleSeconds.toFixed(1)} s)`);

    const sparkline = { series: 'cpu_used_ratio', since: '24h' };
    const cases: CaseDef[] = [
      { name: '24 h sparkline', params: sparkline, concurrency: 1 },
      { name: `24 h sparkline, ${SPARK_CONCURRENCY} at a time`, params: sparkline, concurrency: SPARK_CONCURRENCY },
      { name: `fleet column fill (1 h at 1 m), ${SPARK_CONCURRENCY} at a time`, params: { series: 'cpu_used_ratio', since: '1h', step: '1m' }, concurrency: SPARK_CONCURRENCY },
      { name: `24 h metrics view (${CHART_SERIES.length} charts)`, params: { series: CHART_SERIES.join(','), since: '24h' }, concurrency: 1 },
    ];
    const compactionsBefore = await selfMetric(prom, 'prometheus_tsdb_compactions_total');
    const loadStart = loadavg();
    const results: MetricsPrometheusCase[] = [];
    const dataDir = join(work, 'daemon');
    const timed = timedClient(prometheusClient({ url: prom.url, timeoutMs: opts.timeoutMs }));
    const metrics = new MetricsService({ dataDir: mkdtempSync(join(work, 'svc-')), failedJobs: () => 0, log: silentLogger(), prometheus: timed.client });
    try {
      for (const c of cases) {
        log(`${c.name}: ${opts.rounds} rounds of ${opts.clusters} clusters through MetricsService.answer`);
        results.push(await measure(prom, c, 'MetricsService.answer', names, opts.rounds, (p) => metrics.answer(parseRangeQuery(p, Date.now())), timed));
      }
    } finally {
      metrics.stop();
    }
    if (opts.http) {
      log(`24 h sparkline: ${opts.rounds} rounds over HTTP through an in-process daemon`);
      const init = await initControlPlane({ dataDir, port: 0 });
      const config = loadDaemonConfig(init.configPath, { 'metrics.source': 'prometheus', 'metrics.prometheus': { url: prom.url, timeoutMs: opts.timeoutMs } }, {});
      const daemon = await startDaemon(config, { logger: silentLogger() });
      try {
        const headers = { authorization: `Bearer ${init.token}`, 'content-type': 'application/json' };
        for (const name of names) {
          const res = await fetch(`${daemon.url}/api/v1/clusters`, { method: 'POST', headers, body: JSON.stringify({ name }) });
          if (res.status !== 201) throw new Error(`adding cluster ${name}: ${res.status} ${await res.text()}`);
        }
        results.push(
          await measure(prom, { name: '24 h sparkline', params: sparkline, concurrency: 1 }, 'GET /api/v1/metrics/range', names, opts.rounds, async (p) => {
            const res = await fetch(`${daemon.url}/api/v1/metrics/range?${p.toString()}`, { headers });
            const body = (await res.json()) as MetricsRange;
            if (res.status !== 200) throw new Error(`GET /api/v1/metrics/range: ${res.status} ${JSON.stringify(body)}`);
            return body;
          }),
        );
      } finally {
        await daemon.stop();
      }
    }
    const loadEnd = loadavg();
    const compactionsDuringMeasure = (await selfMetric(prom, 'prometheus_tsdb_compactions_total')) - compactionsBefore;
    const tsdbMiB = Math.round((dirBytes(join(prom.dir, 'data')) / 2 ** 20) * 10) / 10;
    return {
      prometheus: '2.42 (Debian)',
      clusters: opts.clusters,
      hours: opts.hours,
      intervalSeconds: opts.intervalSeconds,
      seriesPerCluster: series.length / opts.clusters,
      series: series.length,
      samples: om.samples,
      openMetricsMiB: Math.round((om.bytes / 2 ** 20) * 10) / 10,
      generateSeconds: Math.round(generateSeconds * 10) / 10,
      promtoolSeconds: Math.round(promtoolSeconds * 10) / 10,
      loadSeconds: Math.round(loadSeconds * 10) / 10,
      settleSeconds: Math.round(settleSeconds * 10) / 10,
      blocks: blocksLoaded,
      tsdbMiB,
      checkSamples,
      compactionsDuringMeasure,
      load: { start: loadStart, end: loadEnd },
      rounds: opts.rounds,
      cases: results,
    };
  } finally {
    if (prom) {
      await prom.stop();
      rmSync(prom.dir, { recursive: true, force: true });
    }
    rmSync(work, { recursive: true, force: true });
  }
}
