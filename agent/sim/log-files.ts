// Writes the simulated cluster's container logs as real CRI files, laid out and rotated the way kubelet
// does on a node, so the agent's ordinary CRI input tails them: `<root>/pods/<ns>_<pod>_<uid>/<container>/
// <restartCount>.log`, rotated by size to `<n>.log.<YYYYMMDD-HHMMSS>` keeping a few, the previous
// restart's log kept (like `kubectl logs --previous`) and older ones removed, and a deleted pod's
// directory removed after a grace period. What to write comes from log-lines.ts; this is the I/O.
import { appendFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SimLogsConfig } from '../../config/schemas.js';
import { classifyLogFile, criLines, podLogDirName, rotatedSuffix } from './log-cri.js';
import { instanceKey, linesForWindow, logContainers, type ContainerLines, type SimLogContainer } from './log-lines.js';
import { createRng, type Rng } from './rng.js';
import type { SimState } from './state.js';

export interface SimLogFilesOptions {
  /** The sim's stand-in for a node's /var/log: files go under `<root>/pods/`. */
  root: string;
  /** The log generator's own seed, so writing logs never shifts the cluster model's random sequence. */
  seed: number;
  config: SimLogsConfig;
  /** Lines start from this instant. */
  startMs: number;
}

export interface SimLogWrite {
  lines: number;
  rotated: number;
  removedPods: number;
  /** Appends, renames or removals that failed this time (disk full, permissions); see lastError. */
  failures: number;
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export class SimLogFiles {
  private readonly rng: Rng;
  private readonly podsDir: string;
  private lastMs: number;
  /** Container runs that have written their startup lines, pruned to the running ones. */
  private started = new Set<string>();
  /** Bytes in each live `<n>.log`, so rotation needs no stat per append. */
  private readonly sizes = new Map<string, number>();
  /** Pod directories whose pod is gone, and since when: removed once the grace period is over. */
  private readonly goneSince = new Map<string, number>();
  lastError: string | null = null;
  failures = 0;

  constructor(private readonly options: SimLogFilesOptions) {
    this.rng = createRng(options.seed);
    this.podsDir = join(options.root, 'pods');
    this.lastMs = options.startMs;
  }

  /** Writes the lines of [last write, now) for the state as it is, then rotates and cleans up. */
  write(state: SimState, nowMs: number): SimLogWrite {
    const result: SimLogWrite = { lines: 0, rotated: 0, removedPods: 0, failures: 0 };
    // The host clock may step back; the log's own time never does.
    const toMs = Math.max(nowMs, this.lastMs);
    const containers = logContainers(state);
    const batches = linesForWindow(containers, { fromMs: this.lastMs, toMs, linesPerSecond: this.options.config.linesPerSecond, started: this.started }, this.rng);
    this.lastMs = toMs;
    for (const batch of batches) this.attempt(result, () => this.append(batch, toMs, result));
    this.started = new Set(containers.map(instanceKey));
    this.attempt(result, () => this.sweep(state, toMs, result));
    return result;
  }

  private attempt(result: SimLogWrite, step: () => void): void {
    try {
      step();
    } catch (e) {
      result.failures += 1;
      this.failures += 1;
      this.lastError = (e as Error).message;
    }
  }

  private containerDir(c: SimLogContainer): string {
    return join(this.podsDir, podLogDirName(c.namespace, c.pod, c.uid), c.container);
  }

  private append(batch: ContainerLines, nowMs: number, result: SimLogWrite): void {
    const c = batch.container;
    const dir = this.containerDir(c);
    const file = join(dir, `${c.restartCount}.log`);
    if (!this.started.has(instanceKey(c))) {
      mkdirSync(dir, { recursive: true });
      this.forgetRestarts(dir, c.restartCount);
      this.sizes.set(file, sizeOf(file));
    }
    const text = `${batch.lines.flatMap((l) => criLines(l.at, l.stream, l.text)).join('\n')}\n`;
    try {
      appendFileSync(file, text);
    } catch (e) {
      // Someone removed the directory under us: make it again, once.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      mkdirSync(dir, { recursive: true });
      this.sizes.set(file, 0);
      appendFileSync(file, text);
    }
    result.lines += batch.lines.length;
    const size = (this.sizes.get(file) ?? 0) + Buffer.byteLength(text);
    this.sizes.set(file, size);
    if (size >= this.options.config.rotateBytes) {
      this.rotate(dir, c.restartCount, nowMs);
      this.sizes.set(file, 0);
      result.rotated += 1;
    }
  }

  /** A new run of the container: the previous run's logs stay, anything older goes, like kubelet's container GC. */
  private forgetRestarts(dir: string, current: number): void {
    for (const name of readdirSync(dir)) {
      const kind = classifyLogFile(name);
      if (kind && kind.restart < current - 1) {
        unlinkSync(join(dir, name));
        this.sizes.delete(join(dir, name));
      }
    }
  }

  private rotate(dir: string, restart: number, nowMs: number): void {
    let stamp = nowMs;
    // Two rotations within a second would share a name; the later one takes the next free second.
    while (existsSync(join(dir, `${restart}.log.${rotatedSuffix(stamp)}`))) stamp += 1000;
    renameSync(join(dir, `${restart}.log`), join(dir, `${restart}.log.${rotatedSuffix(stamp)}`));
    // Rename and create, like kubelet: a reader sees the new empty file at once, not a gap.
    writeFileSync(join(dir, `${restart}.log`), '', { flag: 'a' });
    const rotated = readdirSync(dir)
      .filter((name) => {
        const kind = classifyLogFile(name);
        return kind !== null && kind.restart === restart && kind.rotated !== null;
      })
      .sort();
    for (const name of rotated.slice(0, Math.max(0, rotated.length - this.options.config.keepRotated))) unlinkSync(join(dir, name));
  }

  /** Directories of pods that are gone are removed after the grace period; the pod may still be read until then. */
  private sweep(state: SimState, nowMs: number, result: SimLogWrite): void {
    if (!existsSync(this.podsDir)) return;
    const live = new Set(state.pods.map((p) => podLogDirName(p.namespace, p.name, p.uid)));
    const present = new Set(readdirSync(this.podsDir));
    for (const name of this.goneSince.keys()) if (!present.has(name) || live.has(name)) this.goneSince.delete(name);
    const graceMs = this.options.config.deletedPodGraceSeconds * 1000;
    for (const name of present) {
      if (live.has(name)) continue;
      const since = this.goneSince.get(name) ?? nowMs;
      this.goneSince.set(name, since);
      if (nowMs - since < graceMs) continue;
      const dir = join(this.podsDir, name);
      rmSync(dir, { recursive: true, force: true });
      this.goneSince.delete(name);
      for (const path of this.sizes.keys()) if (path.startsWith(`${dir}/`)) this.sizes.delete(path);
      result.removedPods += 1;
    }
  }
}
