// Where a process's wall time goes, from the scheduler's own accounting (/proc/<pid>/task/<tid>/schedstat:
// nanoseconds on a CPU, nanoseconds runnable but waiting for one, timeslices): on a shared 2-core
// machine it tells a process starved of CPU (long run-queue waits) from one waiting on I/O or on its
// peers (neither running nor runnable). Linux only.
import { readdirSync, readFileSync } from 'node:fs';

interface Reading {
  /** tid → [run ns, wait ns] */
  threads: Map<string, [number, number]>;
  at: number;
}

export interface SchedUsage {
  /** CPU time over wall time, all threads (1.0 = one core busy). */
  runCores: number;
  /** Run-queue wait over wall time, all threads: cores' worth of threads ready to run and not running. */
  waitCores: number;
  /** The main thread's share of the wall time on a CPU, and waiting for one; the rest it was blocked or idle. */
  mainRun: number;
  mainWait: number;
}

function read(pid: number): Reading {
  const threads = new Map<string, [number, number]>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const [run, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').trim().split(' ').map(Number) as [number, number];
      threads.set(tid, [run, wait]);
    } catch {
      // the thread ended
    }
  }
  return { threads, at: performance.now() };
}

export class SchedSampler {
  private start: Reading | undefined;

  constructor(private readonly pid: number) {}

  begin(): void {
    this.start = read(this.pid);
  }

  end(): SchedUsage {
    const a = this.start ?? read(this.pid);
    const b = read(this.pid);
    const wallNs = (b.at - a.at) * 1e6;
    let run = 0;
    let wait = 0;
    for (const [tid, [r, w]] of b.threads) {
      const [r0, w0] = a.threads.get(tid) ?? [0, 0];
      run += r - r0;
      wait += w - w0;
    }
    const main = String(this.pid);
    const [mr, mw] = b.threads.get(main) ?? [0, 0];
    const [mr0, mw0] = a.threads.get(main) ?? [0, 0];
    return { runCores: run / wallNs, waitCores: wait / wallNs, mainRun: (mr - mr0) / wallNs, mainWait: (mw - mw0) / wallNs };
  }
}
