// `npm run bench`: runs every benchmark and prints the figures as Markdown for docs/BENCHMARKS.md,
// with the machine and date; the raw JSON goes to test/bench/results/.
// Environment: BENCH_ONLY=fleet|tui|jobs|job-poll|log-search|log-agent|log-e2e|log-sink-indexes|log-rabbit-chain|metrics-embedded|metrics-prometheus|federation-payload|access, BENCH_CLUSTERS=1000,10000, BENCH_MEASURE_S, BENCH_WARMUP_S;
// for fleet: BENCH_JUNK=N junk files among the cluster directories, BENCH_PROFILE=DIR writes the daemon's CPU profile to DIR;
// for jobs: BENCH_JOBS_PICKUP=100, BENCH_JOBS_GAP_MS=600, BENCH_JOBS_BURST=500, BENCH_FANOUT_CLUSTERS=1000;
// for job-poll: BENCH_POLL_FINISHED=10,10000, BENCH_POLL_RUNS=3, BENCH_POLL_COUNT=50;
// for log-search: BENCH_LOG_LINES=1000000 (stored lines, comma-separated), BENCH_LOG_10M=1 adds 10,000,000 (a few minutes), BENCH_LOG_RUNS=3;
// for log-agent: BENCH_AGENT_LINES=1000000 (the backlog), BENCH_AGENT_RATE=10000 (lines/s of the steady load), BENCH_AGENT_MEASURE_S=30,
// BENCH_AGENT_WARMUP_S=5, BENCH_AGENT_RUNS=2, BENCH_PROFILE=DIR writes the agent's CPU profiles to DIR.
// for log-e2e: BENCH_E2E_LINES=1000000, BENCH_E2E_AGENTS=2, BENCH_E2E_BATCH=2000, BENCH_FRESH_S=30, BENCH_FRESH_RATE=10000,
// BENCH_PROFILE=DIR (the daemon's CPU profile).
// for log-sink-indexes: BENCH_SINK_LINES=1000000, BENCH_SINK_BATCH=2000, BENCH_SINK_RUNS=2.
// for metrics-embedded: BENCH_METRICS_CLUSTERS=10000, BENCH_METRICS_MEASURE_S=30, BENCH_METRICS_WEEK_SAMPLE=10 (clusters of the simulated week), BENCH_METRICS_RUNS=2;
// for metrics-prometheus (needs Debian's prometheus, i.e. /usr/bin/prometheus and /usr/bin/promtool): BENCH_PROM_CLUSTERS=50,
// BENCH_PROM_HOURS=24 (of the cluster:* series loaded, at a 30 s interval), BENCH_PROM_ROUNDS=5 (measured rounds of every
// cluster per case, after one warm-up round), BENCH_PROM_RUNS=1 (each a fresh Prometheus), BENCH_PROM_MARGIN_MIN=30 (minutes
// the series run on past the start, so `up` is fresh at "now"), BENCH_PROM_TIMEOUT_MS=5000 (metrics.prometheus.timeoutMs),
// BENCH_PROM_HTTP=0 skips the run through the daemon's GET /api/v1/metrics/range;
// for log-rabbit-chain (needs Debian's rabbitmq-server): BENCH_RABBIT_LINES=1000000 (the backlog), BENCH_RABBIT_WARMUP_LINES=100000
// (shipped first; its envelopes are tapped for the raw runs), BENCH_RABBIT_BATCH=2000 (the agent's logs.batch.maxRecords),
// BENCH_RABBIT_RAW_ROUNDS=5 (one run of each raw variant per round: at-least-once, fire-and-forget, each acknowledgement
// alone, at-least-once with 1 publish in flight), BENCH_RABBIT_WINDOW=16 (unconfirmed
// publishes of the raw at-least-once publisher), BENCH_RABBIT_FRESH_S=30, BENCH_RABBIT_FRESH_RATE=10000, BENCH_RABBIT_CUT_RATE=5000
// (lines/s through the cut), BENCH_RABBIT_CUT_S=60, BENCH_RABBIT_PRECUT_S=10, BENCH_RABBIT_OUTBOX_MIB=1024 (the edge outbox cap),
// BENCH_RABBIT_CUT_RESET=0 restores the link without resetting the cut connections (default: reset, as the harness tests do).
// for access (identity): BENCH_ACCESS_TOKENS=1000 (in the registry of the token-lookup and authorize cases, half of them
// scoped), BENCH_ACCESS_CALLS=50000 (per case), BENCH_ACCESS_OIDC_BINDINGS=1000 (group bindings in the registry of the
// ID-token cases, which start a real OpenID provider), BENCH_ACCESS_OIDC_USERS=100 (distinct signed tokens a case cycles
// over, each user's subject bound too), BENCH_ACCESS_OIDC_CALLS=20000 (per ID-token case),
// BENCH_ACCESS_CLUSTERS=1000, BENCH_ACCESS_CLIENTS=500 (WebSockets on `fleet`, one token each), BENCH_ACCESS_INTERVAL_S=10
// (every cluster reports once an interval: 100 reports/s at 1,000 clusters), BENCH_ACCESS_WARMUP_S=8, BENCH_ACCESS_MEASURE_S=30,
// BENCH_ACCESS_PHASES=none,unscoped,scoped,wide (no clients; unscoped viewers; scope team=tK, a distinct K each; scope
// team!=tK, a distinct K each), BENCH_PROFILE=DIR writes the daemon's CPU profile (of all phases run) to DIR.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { FlotillaError } from '../../core/errors.js';
import { benchIdTokenCost, benchScopedFanout, benchTokenCost, PHASES, type IdTokenCostResult, type PhaseName, type ScopedFanoutResult, type TokenCostResult } from './access.js';
import { benchFleet, type FleetResult } from './fleet.js';
import { benchAgentPoll, type AgentPollResult } from './job-poll.js';
import { benchLogAgent, type LogAgentResult } from './log-agent.js';
import { benchLogE2e, type LogE2eResult } from './log-e2e.js';
import { benchMetricsEmbedded, type MetricsEmbeddedResult } from './metrics-embedded.js';
import { benchMetricsPrometheus, type MetricsPrometheusResult } from './metrics-prometheus.js';
import { benchFederationPayload, type FederationPayloadResult } from './federation-payload.js';
import { benchLogRabbitChain, type LogRabbitChainResult } from './log-rabbit-chain.js';
import { benchLogSearch, type LogSearchResult } from './log-search.js';
import { benchSinkIndexes, type SinkIndexResult } from './log-sink-indexes.js';
import { benchFanout, benchJobsOnStore, type FanoutResult, type PickupResult, type ThroughputResult } from './jobs.js';
import { benchTuiFrames, type TuiResult } from './tui-frames.js';

const only = process.env.BENCH_ONLY;
const clusterCounts = (process.env.BENCH_CLUSTERS ?? '1000,10000').split(',').map(Number);
const measureSeconds = Number(process.env.BENCH_MEASURE_S ?? '40');
const warmupSeconds = Number(process.env.BENCH_WARMUP_S ?? '20');
const log = (s: string) => process.stderr.write(`${s}\n`);

const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}`;
const date = new Date().toISOString().slice(0, 10);
const fleet: FleetResult[] = [];
const tui: TuiResult[] = [];
const pickup: PickupResult[] = [];
const throughput: ThroughputResult[] = [];
const fanout: FanoutResult[] = [];
const agentPoll: AgentPollResult[] = [];
const logSearch: LogSearchResult[] = [];
let logAgent: LogAgentResult | undefined;
const logE2e: LogE2eResult[] = [];
const sinkIndexes: SinkIndexResult[] = [];
const logRabbit: LogRabbitChainResult[] = [];
const metricsEmbedded: MetricsEmbeddedResult[] = [];
const metricsPrometheus: MetricsPrometheusResult[] = [];
const federation: FederationPayloadResult[] = [];
const accessCost: TokenCostResult[] = [];
const accessOidc: IdTokenCostResult[] = [];
const accessFanout: ScopedFanoutResult[] = [];

if (!only || only === 'fleet') {
  for (const n of clusterCounts) {
    log(`fleet: ${n} clusters`);
    fleet.push(await benchFleet(n, { warmupSeconds, measureSeconds, junkFiles: Number(process.env.BENCH_JUNK ?? '0'), log }));
  }
}
if (!only || only === 'tui') {
  for (const size of [{ columns: 120, rows: 40 }, { columns: 200, rows: 50 }]) {
    log(`tui: frame time for a 10,000-row fleet at ${size.columns}×${size.rows}`);
    tui.push(await benchTuiFrames(10_000, size));
  }
}

if (!only || only === 'jobs') {
  const jobOpts = { pickupJobs: Number(process.env.BENCH_JOBS_PICKUP ?? '100'), meanGapMs: Number(process.env.BENCH_JOBS_GAP_MS ?? '600'), burstJobs: Number(process.env.BENCH_JOBS_BURST ?? '500'), log };
  for (const kind of ['dir', 's3'] as const) {
    log(`jobs: pickup and throughput through one agent on the ${kind} store`);
    const r = await benchJobsOnStore(kind, jobOpts);
    pickup.push(r.pickup);
    throughput.push(r.throughput);
  }
  const n = Number(process.env.BENCH_FANOUT_CLUSTERS ?? '1000');
  log(`jobs: fan-out of one fleet job to ${n} clusters`);
  fanout.push(await benchFanout(n, { log }));
}

if (!only || only === 'job-poll') {
  const finished = (process.env.BENCH_POLL_FINISHED ?? '10,10000').split(',').map(Number);
  const pollOpts = { runs: Number(process.env.BENCH_POLL_RUNS ?? '3'), polls: Number(process.env.BENCH_POLL_COUNT ?? '50'), log };
  for (const kind of ['dir', 's3'] as const) {
    log(`job-poll: one agent poll with ${finished.join(' and ')} finished jobs in the ${kind} store`);
    agentPoll.push(...(await benchAgentPoll(kind, finished, pollOpts)));
  }
}

if (!only || only === 'log-search') {
  const sizes = (process.env.BENCH_LOG_LINES ?? '1000000').split(',').map(Number);
  if (process.env.BENCH_LOG_10M === '1') sizes.push(10_000_000);
  log(`log-search: FTS5 sink at ${sizes.join(' and ')} stored lines`);
  logSearch.push(...(await benchLogSearch(sizes, { runs: Number(process.env.BENCH_LOG_RUNS ?? '3'), log })));
}

if (!only || only === 'log-agent') {
  const agentOpts = {
    runs: Number(process.env.BENCH_AGENT_RUNS ?? '2'),
    lines: Number(process.env.BENCH_AGENT_LINES ?? '1000000'),
    ratePerSecond: Number(process.env.BENCH_AGENT_RATE ?? '10000'),
    idleSeconds: 3,
    warmupSeconds: Number(process.env.BENCH_AGENT_WARMUP_S ?? '5'),
    measureSeconds: Number(process.env.BENCH_AGENT_MEASURE_S ?? '30'),
    ...(process.env.BENCH_PROFILE ? { profileDir: process.env.BENCH_PROFILE } : {}),
    log,
  };
  log(`log-agent: tail + ship of ${agentOpts.lines} backlog lines, then ${agentOpts.ratePerSecond} lines/s for ${agentOpts.measureSeconds} s, ${agentOpts.runs} runs each`);
  logAgent = await benchLogAgent(agentOpts);
}
if (!only || only === 'log-e2e') {
  const e2eOpts = {
    lines: Number(process.env.BENCH_E2E_LINES ?? '1000000'),
    agents: Number(process.env.BENCH_E2E_AGENTS ?? '2'),
    batchRecords: Number(process.env.BENCH_E2E_BATCH ?? '2000'),
    freshnessSeconds: Number(process.env.BENCH_FRESH_S ?? '30'),
    freshnessRate: Number(process.env.BENCH_FRESH_RATE ?? '10000'),
    ...(process.env.BENCH_PROFILE ? { profileDir: process.env.BENCH_PROFILE } : {}),
    log,
  };
  log(`log-e2e: ${e2eOpts.lines} lines through ${e2eOpts.agents} agents → daemon → FTS5, then freshness at ${e2eOpts.freshnessRate} lines/s`);
  logE2e.push(await benchLogE2e(e2eOpts));
}

if (!only || only === 'log-sink-indexes') {
  const sinkOpts = { lines: Number(process.env.BENCH_SINK_LINES ?? '1000000'), batch: Number(process.env.BENCH_SINK_BATCH ?? '2000'), runs: Number(process.env.BENCH_SINK_RUNS ?? '2'), log };
  log(`log-sink-indexes: ${sinkOpts.lines} lines into the FTS5 sink in batches of ${sinkOpts.batch}, with and without each records-table index, ${sinkOpts.runs} rounds`);
  sinkIndexes.push(...(await benchSinkIndexes(sinkOpts)));
}

if (!only || only === 'log-rabbit-chain') {
  const env = (name: string, fallback: number) => Number(process.env[name] ?? String(fallback));
  const rabbitOpts = {
    lines: env('BENCH_RABBIT_LINES', 1_000_000),
    warmupLines: env('BENCH_RABBIT_WARMUP_LINES', 100_000),
    batchRecords: env('BENCH_RABBIT_BATCH', 2000),
    rawRounds: env('BENCH_RABBIT_RAW_ROUNDS', 5),
    confirmWindow: env('BENCH_RABBIT_WINDOW', 16),
    freshnessSeconds: env('BENCH_RABBIT_FRESH_S', 30),
    freshnessRate: env('BENCH_RABBIT_FRESH_RATE', 10_000),
    cutRate: env('BENCH_RABBIT_CUT_RATE', 5000),
    cutSeconds: env('BENCH_RABBIT_CUT_S', 60),
    preCutSeconds: env('BENCH_RABBIT_PRECUT_S', 10),
    outboxMaxBytes: env('BENCH_RABBIT_OUTBOX_MIB', 1024) * 2 ** 20,
    resetOnRestore: process.env.BENCH_RABBIT_CUT_RESET !== '0',
    log,
  };
  log(`log-rabbit-chain: ${rabbitOpts.lines} lines through agent → edge → shovel → center → daemon → FTS5, raw amqplib runs on the same brokers, freshness at ${rabbitOpts.freshnessRate} lines/s, a ${rabbitOpts.cutSeconds} s cut at ${rabbitOpts.cutRate} lines/s`);
  try {
    logRabbit.push(await benchLogRabbitChain(rabbitOpts));
  } catch (e) {
    // Without Debian's rabbitmq-server the rest of a full `npm run bench` still reports.
    if (only || !(e instanceof FlotillaError && e.kind === 'unavailable')) throw e;
    log(`log-rabbit-chain: skipped: ${e.message} (${e.next})`);
  }
}

if (!only || only === 'metrics-embedded') {
  const env = (name: string, fallback: number) => Number(process.env[name] ?? String(fallback));
  for (let run = 0; run < env('BENCH_METRICS_RUNS', 2); run++) {
    metricsEmbedded.push(await benchMetricsEmbedded({ clusters: env('BENCH_METRICS_CLUSTERS', 10_000), intervalSeconds: 10, measureSeconds: env('BENCH_METRICS_MEASURE_S', 30), weekSample: env('BENCH_METRICS_WEEK_SAMPLE', 10), log }));
  }
}

if (!only || only === 'metrics-prometheus') {
  const env = (name: string, fallback: number) => Number(process.env[name] ?? String(fallback));
  const promOpts = {
    clusters: env('BENCH_PROM_CLUSTERS', 50),
    hours: env('BENCH_PROM_HOURS', 24),
    intervalSeconds: 30,
    rounds: env('BENCH_PROM_ROUNDS', 5),
    marginMinutes: env('BENCH_PROM_MARGIN_MIN', 30),
    timeoutMs: env('BENCH_PROM_TIMEOUT_MS', 5000),
    http: process.env.BENCH_PROM_HTTP !== '0',
    log,
  };
  for (let run = 0; run < env('BENCH_PROM_RUNS', 1); run++) {
    log(`metrics-prometheus: run ${run + 1}: ${promOpts.hours} h of the cluster:* series of ${promOpts.clusters} clusters in a real Prometheus, then the console's range requests`);
    metricsPrometheus.push(await benchMetricsPrometheus(promOpts));
  }
}

if (!only || only === 'federation-payload') {
  federation.push(...(await benchFederationPayload([{ nodes: 4, deployments: 10 }, { nodes: 20, deployments: 30 }, { nodes: 40, deployments: 60 }], log)));
}

if (!only || only === 'access') {
  const env = (name: string, fallback: number) => Number(process.env[name] ?? String(fallback));
  const costOpts = { tokens: env('BENCH_ACCESS_TOKENS', 1000), clusters: env('BENCH_ACCESS_CLUSTERS', 1000), calls: env('BENCH_ACCESS_CALLS', 50_000), log };
  log(`access: authenticate and authorize against a registry of ${costOpts.tokens} tokens and ${costOpts.clusters} clusters, ${costOpts.calls} calls a case`);
  accessCost.push(benchTokenCost(costOpts));
  const oidcOpts = { bindings: env('BENCH_ACCESS_OIDC_BINDINGS', 1000), users: env('BENCH_ACCESS_OIDC_USERS', 100), calls: env('BENCH_ACCESS_OIDC_CALLS', 20_000), log };
  log(`access: ID tokens against a real OpenID provider's JWKS and a registry of ${oidcOpts.bindings} group bindings, ${oidcOpts.calls} calls a case`);
  accessOidc.push(await benchIdTokenCost(oidcOpts));
  const phases = (process.env.BENCH_ACCESS_PHASES ?? PHASES.join(',')).split(',').map((p) => p.trim()) as PhaseName[];
  const bad = phases.filter((p) => !PHASES.includes(p));
  if (bad.length) throw new Error(`BENCH_ACCESS_PHASES: unknown phase ${bad.join(', ')} (known: ${PHASES.join(', ')})`);
  const fanOpts = { clusters: env('BENCH_ACCESS_CLUSTERS', 1000), clients: env('BENCH_ACCESS_CLIENTS', 500), intervalSeconds: env('BENCH_ACCESS_INTERVAL_S', 10), warmupSeconds: env('BENCH_ACCESS_WARMUP_S', 8), measureSeconds: env('BENCH_ACCESS_MEASURE_S', 30), phases, log };
  log(`access: fleet fan-out of ${fanOpts.clusters} clusters to ${fanOpts.clients} clients, phases ${phases.join(', ')}`);
  accessFanout.push(await benchScopedFanout(fanOpts));
}

const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);
const lines = [`Machine: ${machine}. Date: ${date}.`, ''];
if (fleet.length) {
  lines.push(
    '| clusters | junk files | rejections recorded | reports/s | daemon CPU (cores) | daemon RSS peak | status→patch p50 | p90 | p99 | max | samples |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...fleet.map((r) => `| ${r.clusters} | ${r.junkFiles} | ${r.rejectionsRecorded} | ${r.reportsPerSecond} | ${r.daemonCores.toFixed(2)} | ${f1(r.daemonRssPeakMiB)} MiB | ${r.latencyMs.p50} ms | ${r.latencyMs.p90} ms | ${r.latencyMs.p99} ms | ${r.latencyMs.max} ms | ${r.latencyMs.n} |`),
    '',
    `Each run: reports every ${fleet[0]!.intervalSeconds} s per cluster, store poll interval ${fleet[0]!.pollIntervalMs} ms, ${warmupSeconds} s warm-up, ${measureSeconds} s measured.`,
    '',
    '| clusters | daemon /metrics series | bytes | render p50 | p99 |',
    '|---:|---:|---:|---:|---:|',
    ...fleet.map((r) => `| ${r.clusters} | ${r.selfMetrics.series} | ${r.selfMetrics.bytes} | ${r.selfMetrics.p50Ms} ms | ${r.selfMetrics.p99Ms} ms |`),
    '',
    ...fleet.filter((r) => r.junkFiles > 0).map((r) => (r.junkRecording ? `${r.junkFiles} junk files recorded in ${f1(r.junkRecording.seconds)} s, ${f1(r.junkRecording.cpuSeconds)} s of daemon CPU, before the warm-up.` : `${r.junkFiles} junk files not all recorded within a minute.`)),
    '',
  );
}
if (tui.length) {
  lines.push(
    '| TUI frame, 10,000 rows | terminal | p50 | p90 | p99 | max | frames | CPU p50 | CPU p90 |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
    ...tui.flatMap((t) =>
      t.cases.map((c) => `| ${c.name} | ${t.size} | ${f1(c.ms.p50)} ms | ${f1(c.ms.p90)} ms | ${f1(c.ms.p99)} ms | ${f1(c.ms.max)} ms | ${c.ms.n} | ${c.cpuMs ? `${f1(c.cpuMs.p50)} ms` : '-'} | ${c.cpuMs ? `${f1(c.cpuMs.p90)} ms` : '-'} |`),
    ),
    '',
    ...(tui.some((t) => t.cases.some((c) => c.name.startsWith('three panes:')))
      ? [
          'From 180 columns the fleet view has the table, the logs pane and the metrics pane side by side. The plain cases there run with no link (the panes say they are waiting);',
          'the "three panes:" cases run with data in all three: the selected cluster\'s last hour (a point every 10 s of each chart), 50 error lines, the sparkline column filled. Target: p50 ≤ 15 ms.',
          'CPU: the process\' CPU time over the same span as the frame (its own work, and GC threads), which a loaded machine inflates less than the wall clock.',
          '',
        ]
      : []),
  );
}
if (pickup.length) {
  const storeName = (k: string) => (k === 's3' ? 'S3 (s3rver)' : 'directory');
  lines.push(
    '| job pickup | poll interval | p50 | p90 | p99 | max | samples | not succeeded | agent refusals | torn result reads |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...pickup.map((p) => `| ${storeName(p.store)} | ${p.pollIntervalMs} ms | ${p.latencyMs.p50} ms | ${p.latencyMs.p90} ms | ${p.latencyMs.p99} ms | ${p.latencyMs.max} ms | ${p.latencyMs.n} | ${p.notSucceeded} | ${p.agentRefusals} | ${p.tornResultReads} |`),
    '',
    `One job written every ${pickup[0]!.meanGapMs} ms on average (each gap uniform within ±1/3 of it).`,
    '',
    '| jobs through one agent | burst | written in | first start → last result | jobs/s | first write → last result | not succeeded |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...throughput.map((t) => `| ${storeName(t.store)} | ${t.jobs} | ${f1(t.writeSeconds)} s | ${f1(t.runSeconds)} s | ${f1(t.jobsPerSecond)} | ${f1(t.totalSeconds)} s | ${t.notSucceeded} |`),
    '',
  );
}
if (fanout.length) {
  lines.push(
    '| fleet job fan-out | response (all envelopes written) | all pending on jobs topic | all dispatched on jobs topic | envelopes in store | daemon CPU | daemon RSS peak |',
    '|---:|---:|---:|---:|---:|---:|---:|',
    ...fanout.map((f) => `| ${f.clusters} clusters | ${Math.round(f.responseMs)} ms | ${Math.round(f.allPendingMs)} ms | ${Math.round(f.allDispatchedMs)} ms | ${f.envelopesInStore} | ${f1(f.daemonCpuSeconds)} s | ${f1(f.daemonRssPeakMiB)} MiB |`),
    '',
  );
}
if (agentPoll.length) {
  const storeName = (k: string) => (k === 's3' ? 'S3 (s3rver)' : 'directory');
  const requests = (r: AgentPollResult) =>
    Object.entries(r.requestsPerPoll)
      .filter(([, c]) => c > 0)
      .map(([op, c]) => `${Number.isInteger(c) ? c : c.toFixed(2)} ${op.toUpperCase()}`)
      .join(', ') || 'none';
  const range = (xs: number[]) => `${f2(Math.min(...xs))}–${f2(Math.max(...xs))} ms`;
  lines.push(
    '| agent job poll | finished jobs in store | poll p50 | p90 | max | p50 per run (spread) | store requests per poll | first poll after start | list jobs/ p50 (the old poll) |',
    '|---|---:|---:|---:|---:|---:|---|---:|---:|',
    ...agentPoll.map((r) => `| ${storeName(r.store)} | ${r.finishedJobs} | ${f2(r.pollMs.p50)} ms | ${f2(r.pollMs.p90)} ms | ${f2(r.pollMs.max)} ms | ${range(r.p50ByRunMs)} | ${requests(r)} | ${range(r.firstPollMs)} | ${f1(r.listJobsMs.p50)} ms |`),
    '',
    `${agentPoll[0]!.runs} runs of ${agentPoll[0]!.pollsPerRun} polls each per row, every run a fresh runner on the same journal and store; nothing open, the journal at the high-water seq.`,
    '',
  );
}
if (logSearch.length) {
  const spread = (xs: number[]) => `${f2(Math.min(...xs))}–${f2(Math.max(...xs))} ms`;
  lines.push(
    '| FTS5 sink, stored lines | file | per 1M lines | insert lines/s (segments) | newest 100 of a term p50 | p99 (per run) | 15-min filtered window + counts by level p50 | p99 (per run) | mean hits |',
    '|---:|---:|---:|---|---:|---:|---:|---:|---:|',
    ...logSearch.map((r) => `| ${r.lines} | ${f1(r.dbBytes / 2 ** 20)} MiB | ${f1(r.bytesPerMillionLines / 2 ** 20)} MiB | ${Math.min(...r.insertLinesPerSecond)}–${Math.max(...r.insertLinesPerSecond)} | ${spread(r.newest100.map((s) => s.p50))} | ${spread(r.newest100.map((s) => s.p99))} | ${spread(r.window15m.map((s) => s.p50))} | ${spread(r.window15m.map((s) => s.p99))} | ${f1(r.meanHits)} |`),
    '',
  );
}
if (logAgent) {
  const f3 = (x: number) => x.toFixed(3);
  lines.push(
    '| agent tail + ship, backlog | run | lines (records) | MiB | spawn → all acked | lines/s | agent CPU | lines per agent CPU-second | agent CPU from spawn | RSS peak | load avg (1 min) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...logAgent.throughput.map((r) => `| CRI, 4 files | ${r.run} | ${r.lines} (${r.records}) | ${f1(r.bytes / 2 ** 20)} | ${f1(r.spawnToAckedSeconds)} s | ${r.linesPerSecond} | ${f2(r.cpuSeconds)} s | ${r.linesPerCpuSecond} | ${f2(r.totalCpuSeconds)} s | ${f1(r.rssPeakMiB)} MiB | ${f2(r.load1)} |`),
    '',
    '| agent tail + ship, steady | run | written lines/s | acked lines/s | records per batch | agent CPU (cores) | idle CPU (cores) | RSS idle | RSS peak | oldest line append → ack p50 | p99 | max | load avg (1 min) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...logAgent.steady.map((r) => `| ${r.targetPerSecond} lines/s | ${r.run} | ${r.writtenPerSecond} | ${r.ackedPerSecond} | ${r.meanBatchRecords} | ${f3(r.cores)} | ${f3(r.idleCores)} | ${f1(r.idleRssMiB)} MiB | ${f1(r.rssPeakMiB)} MiB | ${r.oldestAgeMs.p50} ms | ${r.oldestAgeMs.p99} ms | ${r.oldestAgeMs.max} ms | ${f2(r.load1)} |`),
    '',
  );
}
if (logE2e.length) {
  const la = (xs: number[]) => xs.map(f2).join(' ');
  lines.push(
    '| agent → daemon → FTS5 | agents | batch | files | stored lines/s (10–90 %) | all stored in | daemon CPU | agents CPU | lines per daemon CPU-s | raw FTS5 insert lines/s | raw per CPU-s | ratio | load average start → end |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...logE2e.map((r) => `| ${r.lines} lines | ${r.agents} | ${r.batchRecords} | ${f1(r.fileMiB)} MiB | ${r.e2eLinesPerSecond} | ${f1(r.e2eSeconds)} s | ${f2(r.daemonCores)} | ${f2(r.agentCores)} | ${r.daemonLinesPerCpuSecond} | ${r.rawLinesPerSecond} | ${r.rawLinesPerCpuSecond} | ${f2(r.ratio)} | ${la(r.load.start)} → ${la(r.load.end)} |`),
    '',
    '| freshness: appended → returned by a search | lines/s | measured | p50 | p90 | p99 | max | markers | missed | load average start → end |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...logE2e.map(({ freshness: f }) => `| marker every 100 ms, \`GET /api/v1/logs?q=freshmark*\` every 50 ms | ${f.linesPerSecond} | ${f.seconds} s | ${Math.round(f.latencyMs.p50)} ms | ${Math.round(f.latencyMs.p90)} ms | ${Math.round(f.latencyMs.p99)} ms | ${Math.round(f.latencyMs.max)} ms | ${f.latencyMs.n} | ${f.missed} | ${la(f.load.start)} → ${la(f.load.end)} |`),
    '',
  );
}
if (sinkIndexes.length) {
  lines.push(
    '| FTS5 sink insert, records-table indexes | lines | batch | lines/s | lines per CPU-s | cumulative lines/s at 20, 40, 60, 80 % |',
    '|---|---:|---:|---:|---:|---|',
    ...sinkIndexes.map((r) => `| ${r.variant} | ${r.lines} | ${r.batch} | ${r.linesPerSecond} | ${r.linesPerCpuSecond} | ${r.byFifth.join(' ')} |`),
    '',
  );
}
if (logRabbit.length) {
  const la = (l: { start: number[]; end: number[] }) => `${f2(l.start[0]!)} → ${f2(l.end[0]!)}`;
  const cores = (c: Record<string, number>) => ['daemon', 'agent', 'edge', 'central', 'proxy', 'bench'].map((k) => f2(c[k] ?? NaN)).join(' / ');
  const s = (x: number | null) => (x === null ? '—' : `${f1(x)} s`);
  const ms = (x: number) => `${Math.round(x)} ms`;
  lines.push(
    '| RabbitMQ chain, backlog | lines | messages (records each) | chain lines/s (10–90 %) | all stored in | raw at-least-once lines/s (median) | chain / raw | sink writes (records each) | raw FTS5 insert lines/s, same writes | chain / FTS5 | CPU cores daemon / agent / edge / central / proxy / bench | daemon RSS peak | outbox peak | ingest queue peak | central mem peak (alarm) | load (1 min) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|',
    ...logRabbit.map((r) => {
      const c = r.chain;
      const alo = c.linesPerSecond / r.chainToRaw;
      return `| ${r.batchRecords}-record batches | ${c.lines} | ${c.messages} (${f1(c.recordsPerMessage)}) | ${c.linesPerSecond} | ${f1(c.seconds)} s | ${Math.round(alo)} | ${f2(r.chainToRaw)} | ${c.commits} (${Math.round(c.recordsPerCommit)}) | ${r.rawFts5.linesPerSecond} | ${f2(c.linesPerSecond / r.rawFts5.linesPerSecond)} | ${cores(c.cores)} | ${f1(c.daemonRssPeakMiB)} MiB | ${c.brokers.outboxMessages} msgs, ${f1(c.brokers.outboxMiB)} MiB | ${c.brokers.ingestMessages} msgs | ${f1(c.brokers.centralMemMiB)} MiB (${c.brokers.centralMemAlarm ? 'yes' : 'no'}) | ${la(c.load)} |`;
    }),
    '',
    ...logRabbit.map((r) => {
      const z = r.chain.sched;
      const procs = (['daemon', 'agent', 'edge', 'central', 'proxy', 'bench'] as const).map((k) => `${k} ${f2(z[k].runCores)}/${f2(z[k].waitCores)}`).join(', ');
      return `Scheduler, backlog phase (cores on a CPU / cores' worth of threads runnable and waiting for one): ${procs}. Daemon main thread: ${Math.round(z.daemon.mainRun * 100)} % on a CPU, ${Math.round(z.daemon.mainWait * 100)} % waiting for one, ${Math.round((1 - z.daemon.mainRun - z.daemon.mainWait) * 100)} % neither (waiting on I/O or on deliveries).`;
    }),
    '',
    '| raw amqplib, same nodes, shovel and proxy | round | confirms (window) | shovel ack-mode | consumer acks | lines/s (10–90 %) | MiB/s | first publish → last delivery | CPU cores edge / central / proxy / publisher / consumer | nacks | received | load (1 min) |',
    '|---|---:|---|---|---|---:|---:|---:|---|---:|---:|---|',
    ...logRabbit.flatMap((r) => r.raw.map((x) => `| ${x.variant.name} | ${x.round} | ${x.variant.confirms ? `yes (${x.variant.window})` : 'no'} | ${x.variant.shovelAckMode} | ${x.variant.manualAcks ? 'manual' : 'noAck'} | ${x.linesPerSecond} | ${f1(x.mibPerSecond)} | ${f1(x.seconds)} s | ${f2(x.cores.edge)} / ${f2(x.cores.central)} / ${f2(x.cores.proxy)} / ${f2(x.cores.publisher)} / ${f2(x.cores.consumer)} | ${x.nacks} | ${x.received}/${x.messages} | ${la(x.load)} |`)),
    '',
    ...logRabbit.map((r) => `Raw runs: ${r.raw[0]?.messages ?? 0} tapped envelopes each (${f1(r.tapped.meanKiB)} KiB, ${f1(r.tapped.recordsPerMessage)} records on average), ${f1(r.raw[0]?.mib ?? 0)} MiB.`),
    '',
    ...logRabbit.map((r) => `At-least-once / fire-and-forget: ${f2(r.atLeastOnceToFireAndForget)} (medians), per round ${r.perRound.map(f2).join(', ')}; confirm window ${r.confirmWindow}.`),
    '',
    '| raw variant (median of the rounds) | lines/s | / fire-and-forget |',
    '|---|---:|---:|',
    ...logRabbit.flatMap((r) => r.variantMedians.map((v) => `| ${v.name} | ${v.linesPerSecond} | ${f2(v.toFireAndForget)} |`)),
    '',
    '| freshness through the chain | lines/s | measured | p50 | p90 | p99 | max | markers | missed | CPU cores daemon / agent / edge / central / proxy / bench | load (1 min) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|',
    ...logRabbit.map(({ freshness: f }) => `| marker every 100 ms, search every 50 ms | ${f.linesPerSecond} | ${f.seconds} s | ${ms(f.latencyMs.p50)} | ${ms(f.latencyMs.p90)} | ${ms(f.latencyMs.p99)} | ${ms(f.latencyMs.max)} | ${f.latencyMs.n} | ${f.missed} | ${cores(f.cores)} | ${la(f.load)} |`),
    '',
    '| catch-up after a cut | lines/s | cut | behind at restore | outbox at restore | shovel left running after | shovel running after restore | by itself | first ingest after | drain lines/s (peak 5 s) | lag < 2 s after | stayed < 2 s | max lag | freshness after p99 | lost | drain CPU daemon / agent / edge / central / proxy / bench | load (1 min) |',
    '|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|---:|---:|---:|---|---|',
    ...logRabbit.map(({ catchUp: c }) => `| edge→center proxy cut, ${c.resetOnRestore ? 'reset + restore' : 'restore only'} | ${c.linesPerSecond} | ${c.cutSeconds} s | ${c.backlogLines} | ${c.outboxAtRestore.messages ?? '?'} msgs, ${c.outboxAtRestore.mib === null ? '?' : f1(c.outboxAtRestore.mib)} MiB | ${s(c.shovelLeftRunningAfterS)} | ${s(c.shovelRunningAfterS)} | ${c.shovelRecoveredByItself ? 'yes' : 'no'} | ${s(c.firstIngestAfterS)} | ${c.drainLinesPerSecond ?? '—'} (${c.drainPeakLinesPerSecond ?? '—'}) | ${s(c.lagUnder2sAfterS)} | ${c.lagStayedUnder2s ? 'yes' : 'no'} | ${f1(c.maxLagSeconds)} s | ${ms(c.afterLatencyMs.p99)} | ${c.lost} | ${cores(c.drainCores)} | ${la(c.load)} |`),
    '',
    ...logRabbit.map(({ catchUp: c }) => `Drain, daemon main thread: ${Math.round(c.drainSched.daemon.mainRun * 100)} % on a CPU, ${Math.round(c.drainSched.daemon.mainWait * 100)} % waiting for one.`),
    ...logRabbit.map(({ catchUp: c }) => `Shovel states (seconds after the cut): ${c.shovelStatesDuringCut.join(', ') || 'running throughout'}; after the restore: ${c.shovelStatesAfterRestore.join(', ') || 'no change'}.`),
    '',
  );
}
if (metricsEmbedded.length) {
  lines.push(
    '### Metrics: embedded series',
    '',
    '| clusters | reports/s | window | CPU (cores) | week: bytes per cluster | week: projected | 24 h sparkline p50 | p99 |',
    '|---|---|---|---|---|---|---|---|',
    ...metricsEmbedded.map((r) => `| ${r.clusters} | ${r.reportsPerSecond} | ${r.measureSeconds} s | ${r.cores} | ${(r.weekBytesPerCluster / 1024).toFixed(0)} KiB (${r.weekSample} simulated) | ${(r.weekProjectedBytes / 2 ** 30).toFixed(2)} GiB | ${r.sparklineP50Ms} ms | ${r.sparklineP99Ms} ms |`),
    '',
  );
}
if (metricsPrometheus.length) {
  const ms = (x: number) => `${f1(x)} ms`;
  lines.push(
    '### Metrics: from the central Prometheus',
    '',
    '| run | request | via | parameters | step | at once | Prometheus requests each | p50 | p99 | max | answers | each Prometheus request p50 | p99 | not from Prometheus | points (fewest non-null) |',
    '|---:|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...metricsPrometheus.flatMap((r, k) =>
      r.cases.map((c) => `| ${k + 1} | ${c.name} | ${c.via} | ${Object.entries(c.params).map(([p, v]) => `${p}=${v.length > 30 ? `(${v.split(',').length} series)` : v}`).join(' ')} | ${c.stepSeconds} s | ${c.concurrency} | ${c.promRequestsPerAnswer} | ${ms(c.ms.p50)} | ${ms(c.ms.p99)} | ${ms(c.ms.max)} | ${c.ms.n} | ${c.promRequestMs ? ms(c.promRequestMs.p50) : '—'} | ${c.promRequestMs ? ms(c.promRequestMs.p99) : '—'} | ${c.notFromPrometheus} | ${c.pointsPerSeries} (${c.minPoints}) |`),
    ),
    '',
    ...metricsPrometheus.map((r, k) => `Run ${k + 1}: Prometheus ${r.prometheus} holding ${r.series} series (${r.seriesPerCluster} a cluster: every cluster:* rule, pods_by_phase once a phase, and 4 up) of ${r.clusters} clusters, ${r.hours} h at ${r.intervalSeconds} s: ${r.samples} samples (${r.openMetricsMiB} MiB of OpenMetrics, written in ${r.generateSeconds} s, blocks by promtool in ${r.promtoolSeconds} s), all series queryable ${r.loadSeconds} s after the blocks were moved in, ${r.blocks} blocks (${r.tsdbMiB} MiB) after ${r.settleSeconds} s of compaction, ${r.checkSamples} samples of a series in ${r.hours} h; ${r.compactionsDuringMeasure} compactions while measuring; load average ${r.load.start.map(f2).join(' ')} → ${r.load.end.map(f2).join(' ')}. ${r.rounds} rounds of every cluster per request after one warm-up round.`),
    '',
  );
}
if (federation.length) {
  lines.push(
    '### Metrics: federation payload per cluster',
    '',
    '| sim cluster | raw exposition series | bytes | federated series (up + cluster:*) | bytes |',
    '|---|---:|---:|---:|---:|',
    ...federation.map((r) => `| ${r.nodes} nodes, ${r.deployments} deployments | ${r.rawSeries} | ${r.rawBytes} | ${r.federatedSeries} | ${r.federatedBytes} |`),
    '',
  );
}
if (accessCost.length) {
  const us = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(1));
  lines.push(
    '### Access: token lookup and authorize',
    '',
    '| case | calls | p50 | p99 | mean (untimed loop) |',
    '|---|---:|---:|---:|---:|',
    ...accessCost.flatMap((r) => r.cases.map((c) => `| ${c.name} | ${c.calls} | ${us(c.p50Us)} µs | ${us(c.p99Us)} µs | ${us(c.meanUs)} µs |`)),
    '',
    ...accessCost.map((r) => `A real registry (SQLite, temp file) holding ${r.tokens} viewer tokens (${r.scopedTokens} scoped \`team=tK\`, the rest unscoped) and ${r.clusters} clusters; calls cycle over the tokens of the case, each used once before (its last_used_at written), so the page cache and the parsed-selector cache are warm. Per-call figures are timed one by one and include the timer (${us(r.timerUs)} µs for an empty function); the mean is the same calls in an untimed loop.`),
    '',
  );
}
if (accessOidc.length) {
  const us = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(1));
  lines.push(
    '### Access: OIDC ID tokens',
    '',
    '| case | calls | p50 | p99 | mean (untimed loop) | JWKS fetches in the case |',
    '|---|---:|---:|---:|---:|---:|',
    ...accessOidc.flatMap((r) => r.cases.map((c) => `| ${c.name} | ${c.calls} | ${us(c.p50Us)} µs | ${us(c.p99Us)} µs | ${us(c.meanUs)} µs | ${c.providerFetches} |`)),
    '',
    ...accessOidc.map(
      (r) =>
        `Authenticator.authenticate through the real OidcVerifier (auth.oidc defaults: jwksRefetchSeconds ${r.jwksRefetchSeconds}) against the JWKS of a real OpenID provider (oidc-provider in a child process, discovery and the first JWKS fetch before the cases, so the key cache is warm) and a real registry holding ${r.bindings} group bindings and ${r.users} subject bindings; each case cycles over ${r.users} tokens made before it (RS256, ${r.groupsPerToken} groups each, ${r.boundGroupsPerToken} of them bound). A refused token's audit and refusal counters (the HTTP layer's) are not included. Per-call figures are timed one by one and include the timer (${us(r.timerUs)} µs for an empty async function); the mean is the same calls in an untimed loop.`,
    ),
    '',
  );
}
if (accessFanout.length) {
  const mib = (x: number) => (x / 2 ** 20).toFixed(2);
  lines.push(
    '### Access: fleet fan-out to scoped clients',
    '',
    '| clients | scopes | clusters each | reports/s | fleet events/s | daemon CPU (cores) | minus no clients | frames/s | MiB/s | rows/s | in-step / catch-up patches | daemon CPU µs per frame | violations | chain breaks | snapshots short | client CPU | writer CPU | daemon RSS peak | load (1 min) start → end |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|',
    ...accessFanout.flatMap((r) =>
      r.phases.map((p) => {
        const w = p.window;
        const t = p.totals;
        const per = (x: number) => (w ? f1(x / w.seconds) : '—');
        const perFrame = w && w.frames > 0 && p.fanoutCores !== null && p.fanoutCores > 0 ? `${Math.round((p.fanoutCores * p.seconds * 1e6) / w.frames)}` : '—';
        return `| ${p.clients ? `${p.clients}: ${p.text}` : p.text} | ${p.clients ? p.scopes : '—'} | ${p.clients ? p.clustersEach : '—'} | ${p.reportsPerSecond} | ${w ? per(w.revEnd - w.revStart) : '—'} | ${f2(p.daemonCores)} | ${p.fanoutCores === null || p.name === 'none' ? '—' : f2(p.fanoutCores)} | ${w ? per(w.frames) : '—'} | ${w ? mib(w.bytes / w.seconds) : '—'} | ${w ? per(w.changes) : '—'} | ${w ? `${w.inStep} / ${w.catchUps}` : '—'} | ${perFrame} | ${t ? t.violations : '—'} | ${t ? t.chainBreaks : '—'} | ${t ? t.snapshotMissing : '—'} | ${p.clientCores === null ? '—' : f2(p.clientCores)} | ${f2(p.writerCores)} | ${f1(p.daemonRssPeakMiB)} MiB | ${p.load.start[0]!.toFixed(2)} → ${p.load.end[0]!.toFixed(2)} |`;
      }),
    ),
    '',
    ...accessFanout.flatMap((r) => {
      const by = (n: PhaseName) => r.phases.find((p) => p.name === n);
      const ratio = (a: PhaseName) => {
        const x = by(a);
        const u = by('unscoped');
        if (!x || !u) return [];
        const fan = x.fanoutCores !== null && u.fanoutCores !== null && u.fanoutCores > 0 ? `, fan-out part (minus no clients) ${f2(x.fanoutCores / u.fanoutCores)}` : '';
        return [`${a} / unscoped daemon CPU: ${f2(x.daemonCores / u.daemonCores)}${fan}.`];
      };
      return [
        `A \`flotilla daemon\` process with ${r.clusters} clusters (labels team=t0..t${r.clients - 1}, env), every cluster reporting once every ${r.intervalSeconds} s (signed status reports through the store directory, polled every ${r.pollIntervalMs} ms) from a generator at nice 10; the ${r.clients} WebSockets in one client process at nice 10 that parses and checks every frame. Per phase: its clients connect and get their snapshots, ${r.warmupSeconds} s warm-up, ${r.measureSeconds} s measured (the daemon's CPU from /proc). A violation is a row or a remove of a cluster outside the client's scope; a chain break a patch whose fromRev is not the rev the client holds. Catch-up patches: a scoped client skips the events of other clusters, so its next patch comes from the rev it holds. Setup ${f1(r.setupSeconds)} s.`,
        ...ratio('scoped'),
        ...ratio('wide'),
      ];
    }),
    '',
  );
}
const markdown = lines.join('\n');
process.stdout.write(`${markdown}\n`);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL(`./results/${new Date().toISOString().replace(/[:.]/g, '-')}.json`, import.meta.url), JSON.stringify({ machine, date, fleet, tui, pickup, throughput, fanout, agentPoll, logSearch, logAgent, logE2e, sinkIndexes, logRabbit, metricsEmbedded, metricsPrometheus, federation, accessCost, accessOidc, accessFanout }, null, 2));
