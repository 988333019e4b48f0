// Samples a process's CPU time and resident memory from /proc, so the benchmark measures the daemon
// itself rather than the generator or the client that share the machine with it.
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU time (user + system, all threads) the process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the ")" that closes the command name; utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /VmRSS:\s+(\d+) kB/.exec(status);
  return m ? Number(m[1]) * 1024 : 0;
}

export interface ProcessUsage {
  /** CPU cores used on average over the window (1.0 = one full core). */
  cores: number;
  rssPeakBytes: number;
  rssEndBytes: number;
  seconds: number;
}

export class ProcSampler {
  private startCpu = 0;
  private startAt = 0;
  private peak = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly pid: number) {}

  start(): void {
    this.startCpu = cpuSeconds(this.pid);
    this.startAt = performance.now();
    this.peak = rssBytes(this.pid);
    this.timer = setInterval(() => {
      this.peak = Math.max(this.peak, rssBytes(this.pid));
    }, 250);
  }

  stop(): ProcessUsage {
    if (this.timer) clearInterval(this.timer);
    const seconds = (performance.now() - this.startAt) / 1000;
    const rss = rssBytes(this.pid);
    return { cores: (cpuSeconds(this.pid) - this.startCpu) / seconds, rssPeakBytes: Math.max(this.peak, rss), rssEndBytes: rss, seconds };
  }
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] as number;
}

export function summarize(values: number[]): { n: number; p50: number; p90: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? NaN };
}
