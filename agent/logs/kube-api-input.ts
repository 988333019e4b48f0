// The Kubernetes API log input (docs/LOGS.md, "Kubernetes API input"): for an agent without node
// access, every started container's log through pods/log (follow, timestamps, sinceTime), one stream
// per container instance (pod uid + container + restartCount), pods from a periodic list of
// logs.kubeApi.namespaces, at most maxStreams streams at once (the rest refused and reported).
//
// A stream cannot be read twice, so the records read but not yet acked are held in memory, bounded
// (twice the batch limits: one batch in flight while the next fills); at the bound the streams are
// paused until a commit makes room. Nothing goes to disk but the checkpoint: per instance the newest
// line time committed and how many lines carried exactly that time. After a restart each stream is
// read again from its checkpoint (sinceTime), the lines up to it are skipped, and the ids are the
// same: nothing acked is lost, nothing unacked is skipped.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreV1Api, Log, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { writeFileAtomic } from '../../core/atomic-file.js';
import type { LogDrop } from '../../core/logs/batch.js';
import type { LogRecord } from '../../core/logs/record.js';
import type { Logger } from '../../core/log.js';
import type { AgentConfig } from '../../config/schemas.js';
import { loadKubeConfig } from '../kube/config.js';
import type { InputFigures, LogChunk, LogInput, ReadLimits } from './input.js';
import { ContainerStream, type StreamHost } from './kube-api/container-stream.js';
import { CHECKPOINT_VERSION, KubeCheckpointSchema, howToRead, startedInstances, statusOf, type ContainerStatusView, type Instance, type KubeCheckpoint, type PodView } from './kube-api/instances.js';
import type { StreamPosition } from './kube-api/position.js';

export const KUBE_CHECKPOINT_FILE = 'logs-kube-api.json';

export interface KubeApiInputOptions {
  kc: KubeConfig;
  cluster: string;
  dataDir: string;
  /** Namespaces to follow; empty: every namespace. */
  namespaces: string[];
  maxStreams: number;
  scanIntervalMs: number;
  /** Unshipped records held in memory at most (records and line bytes). */
  hold: { records: number; bytes: number };
  retry: { initialMs: number; maxMs: number };
  logger: Logger;
}

interface Positions {
  perStream: Map<string, { pos: StreamPosition | undefined; count: number }>;
  records: number;
  bytes: number;
  oldestMs: number;
}

export class KubeApiInput implements LogInput {
  readonly name = 'kube-api';
  private readonly streams = new Map<string, ContainerStream>();
  /** Instances whose stream finished in this run, so a later pod list does not start them again. */
  private readonly finishedKeys = new Set<string>();
  /** Why each finished stream finished: a gone log's checkpoint entry goes once nothing of it is unshipped, one read to its end is marked done. */
  private readonly finishedWhy = new Map<string, 'gone' | 'done'>();
  private readonly inflightOf = new Map<string, number>();
  private readonly refusedBy = new Map<string, { path: string; reason: string }>();
  private readonly outstanding = new Set<Positions>();
  private readonly core: CoreV1Api;
  private readonly log: Log;
  private readonly host: StreamHost;
  private checkpoint: KubeCheckpoint = { version: CHECKPOINT_VERSION, instances: {} };
  private buffered = { records: 0, bytes: 0 };
  private inflight = { records: 0, bytes: 0 };
  private blocked: (() => void)[] = [];
  private waiters: (() => void)[] = [];
  private drops: LogDrop[] = [];
  private dropped = { lines: 0, bytes: 0 };
  private linesOfRemoved = 0;
  private rr = 0;
  /** The checkpoint changed outside a commit (an entry forgotten or marked done); the next scan writes it. */
  private dirty = false;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;
  private scanTimer: NodeJS.Timeout | undefined;
  private scanning: Promise<void> | undefined;
  private readonly file: string;

  private constructor(private readonly opts: KubeApiInputOptions) {
    this.core = opts.kc.makeApiClient(CoreV1Api);
    this.log = new Log(opts.kc);
    this.file = join(opts.dataDir, KUBE_CHECKPOINT_FILE);
    const stats = { malformed: 0 };
    this.host = {
      cluster: opts.cluster,
      logger: opts.logger,
      stats,
      retry: opts.retry,
      status: (inst) => this.freshStatus(inst),
      openLog: (inst, into, o) => this.log.log(inst.namespace, inst.pod, inst.container, into, o),
      queued: (_s, records, bytes) => {
        this.buffered.records += records;
        this.buffered.bytes += bytes;
        for (const w of this.waiters.splice(0)) w();
      },
      full: (resume) => {
        if (!this.overBudget()) return false;
        this.blocked.push(resume);
        return true;
      },
      finished: (s, why) => this.onFinished(s, why),
      refused: (s, reason) => {
        if (reason === null) this.refusedBy.delete(s.key);
        else this.refusedBy.set(s.key, { path: this.pathOf(s.inst), reason });
      },
    };
  }

  /** Loads the checkpoint and starts following; the first pod list runs before this resolves. */
  static async open(opts: KubeApiInputOptions): Promise<KubeApiInput> {
    const input = new KubeApiInput(opts);
    await input.loadCheckpoint();
    await input.scan();
    input.scheduleScan();
    return input;
  }

  // ---- LogInput ----

  async read(limits: ReadLimits, waitMs: number): Promise<LogChunk> {
    // A partial batch waits (at most waitMs) to fill, woken by each line that arrives.
    const deadline = Date.now() + waitMs;
    while (!this.closed && this.buffered.records < limits.records && this.buffered.bytes < limits.bytes && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, deadline - Date.now());
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.push(done);
      });
    }
    const records: LogRecord[] = [];
    const positions: Positions = { perStream: new Map(), records: 0, bytes: 0, oldestMs: Number.POSITIVE_INFINITY };
    const ready = [...this.streams.values()].filter((s) => s.queue.length > 0);
    // Round robin, a slice per stream per round, so one chatty container cannot starve the others.
    const slice = Math.max(1, Math.ceil(limits.records / Math.max(1, ready.length)));
    let full = false;
    while (!full && ready.some((s) => s.queue.length > 0)) {
      for (let i = 0; i < ready.length && !full; i++) {
        const s = ready[(this.rr + i) % ready.length]!;
        let taken = 0;
        while (taken < slice && s.queue.length > 0) {
          const q = s.queue[0]!;
          if (records.length >= limits.records || (records.length > 0 && positions.bytes + q.bytes > limits.bytes)) {
            full = true;
            break;
          }
          s.queue.shift();
          records.push(q.record);
          positions.bytes += q.bytes;
          positions.oldestMs = Math.min(positions.oldestMs, q.ms);
          const p = positions.perStream.get(s.key) ?? { pos: undefined, count: 0 };
          p.pos = q.pos ?? p.pos;
          p.count += 1;
          positions.perStream.set(s.key, p);
          taken += 1;
        }
      }
      this.rr += 1;
    }
    positions.records = records.length;
    this.buffered.records -= positions.records;
    this.buffered.bytes -= positions.bytes;
    this.inflight.records += positions.records;
    this.inflight.bytes += positions.bytes;
    for (const [key, p] of positions.perStream) this.inflightOf.set(key, (this.inflightOf.get(key) ?? 0) + p.count);
    if (records.length > 0) this.outstanding.add(positions);
    const drops = this.drops.splice(0);
    return { records, bytes: positions.bytes, drops, positions };
  }

  async commit(chunk: LogChunk): Promise<void> {
    const p = chunk.positions as Positions;
    if (this.outstanding.delete(p)) {
      this.inflight.records -= p.records;
      this.inflight.bytes -= p.bytes;
      for (const [key, { pos, count }] of p.perStream) {
        this.inflightOf.set(key, (this.inflightOf.get(key) ?? 0) - count);
        const s = this.streams.get(key);
        if (!pos || !s) continue;
        s.committed = pos;
        this.checkpoint.instances[key] = { namespace: s.inst.namespace, pod: s.inst.pod, uid: s.inst.uid, container: s.inst.container, node: s.inst.node, restart: s.inst.restart, ts: pos.ts, n: pos.n };
      }
    }
    this.prune();
    await this.persist();
    this.release();
  }

  figures(): InputFigures {
    let oldest = Number.POSITIVE_INFINITY;
    let lines = this.linesOfRemoved;
    let sources = 0;
    for (const s of this.streams.values()) {
      lines += s.linesRead;
      if (s.state !== 'finished') sources += 1;
      if (s.queue[0]) oldest = Math.min(oldest, s.queue[0].ms);
    }
    for (const p of this.outstanding) oldest = Math.min(oldest, p.oldestMs);
    return {
      linesRead: lines,
      bytesBehind: this.buffered.bytes + this.inflight.bytes,
      oldestUnshippedMs: Number.isFinite(oldest) ? oldest : null,
      droppedLines: this.dropped.lines,
      droppedBytes: this.dropped.bytes,
      sources,
      refused: [...this.refusedBy.values()],
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.scanTimer) clearTimeout(this.scanTimer);
    await this.scanning;
    for (const s of this.streams.values()) s.close();
    for (const w of this.waiters.splice(0)) w();
  }

  private async loadCheckpoint(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    this.checkpoint = parseCheckpoint(text, this.opts.logger, this.file) ?? this.checkpoint;
  }

  // ---- pods ----

  private scheduleScan(): void {
    if (this.closed) return;
    this.scanTimer = setTimeout(() => {
      this.scanning = this.scan().finally(() => this.scheduleScan());
    }, this.opts.scanIntervalMs);
  }

  private async listPods(): Promise<PodView[]> {
    if (this.opts.namespaces.length === 0) return (await this.core.listPodForAllNamespaces()).items;
    const out: PodView[] = [];
    for (const namespace of this.opts.namespaces) out.push(...((await this.core.listNamespacedPod({ namespace })).items as PodView[]));
    return out;
  }

  private async scan(): Promise<void> {
    let pods: PodView[];
    try {
      pods = await this.listPods();
    } catch (e) {
      this.opts.logger.warn({ err: (e as Error).message }, 'kube API log input: listing pods failed; trying again at the next scan');
      return;
    }
    if (this.closed) return;
    this.reconcile(pods);
    if (this.dirty) await this.persist().catch((e: Error) => this.opts.logger.warn({ err: e.message }, 'kube API log input: writing the checkpoint failed; trying again at the next commit'));
  }

  /** Writes the checkpoint as it is now; writes queue behind each other, so an older state never lands after a newer one. */
  private persist(): Promise<void> {
    this.dirty = false;
    const text = JSON.stringify(this.checkpoint);
    const next = this.writing.catch(() => undefined).then(() => writeFileAtomic(this.file, text));
    this.writing = next;
    return next;
  }

  private reconcile(pods: PodView[]): void {
    const instances = startedInstances(pods);
    const listed = new Set(instances.map((i) => i.key));
    // Instances from the checkpoint that are no longer the current one: drain what their log still
    // holds (previous=true), or record that it is gone.
    for (const [key, e] of Object.entries(this.checkpoint.instances)) {
      if (this.streams.has(key)) continue;
      const plan = howToRead(e.restart, statusOf(pods, e.uid, e.container));
      if (e.done) {
        // Read to its end and shipped: nothing to resume; once its log is gone the entry goes.
        if (plan.how === 'gone') {
          delete this.checkpoint.instances[key];
          this.dirty = true;
        } else this.finishedKeys.add(key);
        continue;
      }
      if (this.finishedKeys.has(key) || listed.has(key)) continue;
      if (plan.how === 'gone') {
        this.record({ path: `${e.namespace}/${e.pod}/${e.container}`, file: key.slice(0, 128), lines: 0, bytes: 0, reason: 'missing_after_restart', at: new Date().toISOString() });
        delete this.checkpoint.instances[key];
        this.dirty = true;
        continue;
      }
      instances.unshift({ key, namespace: e.namespace, pod: e.pod, uid: e.uid, node: e.node, container: e.container, restart: e.restart });
    }
    for (const key of this.finishedKeys) if (!listed.has(key) && !(key in this.checkpoint.instances)) this.finishedKeys.delete(key);
    for (const key of this.refusedBy.keys()) if (!listed.has(key) && !this.streams.has(key)) this.refusedBy.delete(key);
    let active = [...this.streams.values()].filter((s) => s.state !== 'finished').length;
    for (const inst of instances) {
      if (this.streams.has(inst.key) || this.finishedKeys.has(inst.key)) continue;
      if (active >= this.opts.maxStreams) {
        this.refusedBy.set(inst.key, { path: this.pathOf(inst), reason: `over logs.kubeApi.maxStreams (${this.opts.maxStreams} streams followed at once)` });
        continue;
      }
      this.refusedBy.delete(inst.key);
      const e = this.checkpoint.instances[inst.key];
      const stream = new ContainerStream(inst, this.host, e ? { ts: e.ts, n: e.n } : undefined);
      this.streams.set(inst.key, stream);
      active += 1;
      stream.start();
    }
  }

  private async freshStatus(inst: Instance): Promise<ContainerStatusView | undefined> {
    let pod: V1Pod;
    try {
      pod = await this.core.readNamespacedPod({ name: inst.pod, namespace: inst.namespace });
    } catch (e) {
      if ((e as { code?: number }).code === 404) return undefined;
      throw e;
    }
    // Same name, another pod (a StatefulSet's replacement): the instance's pod is gone.
    return statusOf([pod], inst.uid, inst.container);
  }

  // ---- streams and memory ----

  private pathOf(inst: Instance): string {
    return `${inst.namespace}/${inst.pod}/${inst.container}`;
  }

  private overBudget(): boolean {
    return this.buffered.records + this.inflight.records >= this.opts.hold.records || this.buffered.bytes + this.inflight.bytes >= this.opts.hold.bytes;
  }

  private release(): void {
    while (this.blocked.length > 0 && !this.overBudget()) this.blocked.shift()!();
  }

  private record(drop: LogDrop): void {
    this.drops.push(drop);
    this.dropped.lines += drop.lines;
    this.dropped.bytes += drop.bytes;
    this.opts.logger.warn({ drop }, 'kube API log input: a container log was gone before it was read to its end');
  }

  private onFinished(s: ContainerStream, why: string): void {
    this.finishedKeys.add(s.key);
    this.finishedWhy.set(s.key, why === 'read to its end' ? 'done' : 'gone');
    this.opts.logger.debug({ stream: s.key, why }, 'kube API log input: stream finished');
    this.prune();
    // A slot is free: the next scan admits a refused container.
  }

  /** Streams finished and fully shipped leave memory; those whose log is gone leave the checkpoint too. */
  private prune(): void {
    for (const [key, s] of this.streams) {
      if (s.state !== 'finished' || s.queue.length > 0 || (this.inflightOf.get(key) ?? 0) > 0) continue;
      this.streams.delete(key);
      this.inflightOf.delete(key);
      this.linesOfRemoved += s.linesRead;
      const why = this.finishedWhy.get(key);
      this.finishedWhy.delete(key);
      const entry = this.checkpoint.instances[key];
      if (why === 'gone') delete this.checkpoint.instances[key];
      else if (why === 'done' && entry) entry.done = true;
      this.dirty = true;
    }
  }
}

/** Checkpoint entries that parse; a damaged file is reported and the input starts afresh (re-reading, never skipping). */
function parseCheckpoint(text: string, logger: Logger, file: string): KubeCheckpoint | undefined {
  try {
    const parsed = KubeCheckpointSchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
    logger.warn({ file, issue: parsed.error.issues[0]?.message }, 'kube API log input: checkpoint file is not valid; reading every container log from its start');
  } catch (e) {
    logger.warn({ file, err: (e as Error).message }, 'kube API log input: checkpoint file is not JSON; reading every container log from its start');
  }
  return undefined;
}

export interface KubeApiInputContext {
  dataDir: string;
  cluster: string;
  logger: Logger;
}

/**
 * The kube API input when the agent config asks for it (`logs.kubeApi.enabled` on the kube backend),
 * else undefined. Kept apart from the file inputs' openLogInputs so either can be wired on its own.
 */
/** What of the agent config this input reads. */
export type KubeApiInputConfig = Pick<AgentConfig, 'cluster' | 'agent' | 'logs' | 'kube'>;

export async function openKubeApiInput(config: KubeApiInputConfig, ctx: KubeApiInputContext, kc?: KubeConfig): Promise<KubeApiInput | undefined> {
  if (config.agent.backend !== 'kube' || !config.logs.enabled || !config.logs.kubeApi.enabled) return undefined;
  const { batch, kubeApi, retry, scanIntervalMs } = config.logs;
  return KubeApiInput.open({
    kc: kc ?? loadKubeConfig(config.kube ?? { inCluster: false }),
    cluster: config.cluster,
    dataDir: ctx.dataDir,
    namespaces: kubeApi.namespaces,
    maxStreams: kubeApi.maxStreams,
    scanIntervalMs,
    hold: { records: 2 * batch.maxRecords, bytes: 2 * batch.maxBytes },
    retry,
    logger: ctx.logger.child({ input: 'kube-api' }),
  });
}
