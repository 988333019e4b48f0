// `npm run bench`: runs every benchmark and prints the figures as Markdown for docs/BENCHMARKS.md,
// with the machine and date; the raw JSON goes to test/bench/results/.
// Environment: BENCH_ONLY=fleet|tui, BENCH_CLUSTERS=1000,10000, BENCH_MEASURE_S, BENCH_WARMUP_S.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { benchFleet, type FleetResult } from './fleet.js';
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

if (!only || only === 'fleet') {
  for (const n of clusterCounts) {
    log(`fleet: ${n} clusters`);
    fleet.push(await benchFleet(n, { warmupSeconds, measureSeconds, log }));
  }
}
if (!only || only === 'tui') {
  for (const size of [{ columns: 120, rows: 40 }, { columns: 200, rows: 50 }]) {
    log(`tui: frame time for a 10,000-row fleet at ${size.columns}×${size.rows}`);
    tui.push(await benchTuiFrames(10_000, size));
  }
}

const f1 = (x: number) => x.toFixed(1);
const lines = [`Machine: ${machine}. Date: ${date}.`, ''];
if (fleet.length) {
  lines.push(
    '| clusters | reports/s | daemon CPU (cores) | daemon RSS peak | status→patch p50 | p90 | p99 | max | samples |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...fleet.map((r) => `| ${r.clusters} | ${r.reportsPerSecond} | ${r.daemonCores.toFixed(2)} | ${f1(r.daemonRssPeakMiB)} MiB | ${r.latencyMs.p50} ms | ${r.latencyMs.p90} ms | ${r.latencyMs.p99} ms | ${r.latencyMs.max} ms | ${r.latencyMs.n} |`),
    '',
    `Each run: reports every ${fleet[0]!.intervalSeconds} s per cluster, store poll interval ${fleet[0]!.pollIntervalMs} ms, ${warmupSeconds} s warm-up, ${measureSeconds} s measured.`,
    '',
  );
}
if (tui.length) {
  lines.push(
    '| TUI frame, 10,000 rows | terminal | p50 | p90 | p99 | max | frames |',
    '|---|---|---:|---:|---:|---:|---:|',
    ...tui.flatMap((t) => t.cases.map((c) => `| ${c.name} | ${t.size} | ${f1(c.ms.p50)} ms | ${f1(c.ms.p90)} ms | ${f1(c.ms.p99)} ms | ${f1(c.ms.max)} ms | ${c.ms.n} |`)),
    '',
  );
}
const markdown = lines.join('\n');
process.stdout.write(`${markdown}\n`);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL(`./results/${new Date().toISOString().replace(/[:.]/g, '-')}.json`, import.meta.url), JSON.stringify({ machine, date, fleet, tui }, null, 2));
