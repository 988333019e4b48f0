// What each secondary index of the FTS5 sink's records table costs its insert (issue 7, the
// end-to-end target): the same generated lines written through the sink's own write() in batches,
// once as shipped and once with an index dropped (id, sid, or all three). The end-to-end rate cannot
// pass the raw insert, so this bounds what a leaner table could gain on this machine.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Fts5LogSink } from '../../daemon/logs/fts5/sink.js';
import { makeRecords } from './log-search.js';

export const SINK_INDEX_VARIANTS = { 'as shipped': [], 'no id index': ['id'], 'no sid index': ['sid'], 'no secondary index': ['id', 'sid', 'seq'] } as const;
export type SinkIndexVariant = keyof typeof SINK_INDEX_VARIANTS;

export interface SinkIndexResult {
  variant: SinkIndexVariant;
  lines: number;
  batch: number;
  linesPerSecond: number;
  linesPerCpuSecond: number;
  /** Cumulative lines/s at 20, 40, 60 and 80 % of the lines: how the rate falls as the partition grows. */
  byFifth: number[];
}

async function one(variant: SinkIndexVariant, lines: number, batch: number): Promise<SinkIndexResult> {
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-bench-sink-'));
  const file = join(dir, 'logs.db');
  try {
    const records = makeRecords(0, lines, lines, Date.now() - 3_600_000, 3_000_000);
    const sink = new Fts5LogSink({ file, partitionHours: 24 });
    await sink.write(records.slice(0, 1));
    const side = new Database(file);
    for (const part of side.prepare('SELECT part FROM log_partitions').pluck().all() as number[]) {
      for (const index of SINK_INDEX_VARIANTS[variant]) side.exec(`DROP INDEX logs_${part}_${index}`);
    }
    side.close();
    let wallMs = 0;
    let cpuUs = 0;
    const byFifth: number[] = [];
    for (let at = 1; at < lines; at += batch) {
      const cpu = process.cpuUsage();
      const t = performance.now();
      await sink.write(records.slice(at, at + batch));
      wallMs += performance.now() - t;
      const used = process.cpuUsage(cpu);
      cpuUs += used.user + used.system;
      const done = Math.min(lines, at + batch) - 1;
      if (Math.floor(done / (lines / 5)) > byFifth.length) byFifth.push(Math.round((done / wallMs) * 1000));
    }
    await sink.close();
    return { variant, lines, batch, linesPerSecond: Math.round(((lines - 1) / wallMs) * 1000), linesPerCpuSecond: Math.round(((lines - 1) / cpuUs) * 1e6), byFifth };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Each variant in turn, `runs` times, shipped first in every round so drift of the machine shows as spread. */
export async function benchSinkIndexes(opts: { lines: number; batch: number; runs: number; log: (s: string) => void }): Promise<SinkIndexResult[]> {
  const out: SinkIndexResult[] = [];
  for (let run = 0; run < opts.runs; run++) {
    for (const variant of Object.keys(SINK_INDEX_VARIANTS) as SinkIndexVariant[]) {
      const r = await one(variant, opts.lines, opts.batch);
      opts.log(`log-sink-indexes: ${variant}: ${r.linesPerSecond} lines/s (${r.linesPerCpuSecond} per CPU second), at 20/40/60/80 % ${r.byFifth.join(' ')}`);
      out.push(r);
    }
  }
  return out;
}
