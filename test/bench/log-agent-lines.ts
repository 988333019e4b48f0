// What the agent benchmark tails: CRI files laid out as kubelet does on a node
// (`<root>/pods/<ns>_<pod>_<uid>/<container>/0.log`), one per container, with the sim's own line
// generator (agent/sim/log-messages.ts): an ingress access log and a JSON application log for most
// of the volume, Prometheus logfmt and klog for the rest. Every line is a CRI entry with its
// timestamp; long entries are split into P partials closed by an F, as containerd does. The
// generator is slow next to the agent (a million lines would take a minute on the shared machine),
// so each container draws from a pool of entries made once and cycles it with fresh timestamps.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { containerLogPath, CRI_MAX_LINE_BYTES, splitUtf8 } from '../../agent/sim/log-cri.js';
import { normalEntries, type Entry, type LogSource } from '../../agent/sim/log-messages.js';
import { createRng, type Rng } from '../../agent/sim/rng.js';
import { LOG_LIMITS } from '../../core/logs/record.js';

interface BenchContainer {
  source: LogSource;
  uid: string;
  /** Share of the node's lines this container writes. */
  share: number;
}

const CONTAINERS: BenchContainer[] = [
  { source: { namespace: 'ingress-nginx', pod: 'ingress-nginx-controller-7d9f8b6c4-x2k9p', container: 'controller', workload: 'ingress-nginx-controller', style: 'access' }, uid: '3f1c9a52-6b1e-4a0e-9d2f-0c7a1b2c3d4e', share: 0.4 },
  { source: { namespace: 'payments', pod: 'payments-api-5f7c9d8b6-q8w2z', container: 'api', workload: 'payments-api', style: 'json' }, uid: '8a2d4e6f-1c3b-4d5e-8f9a-1b2c3d4e5f60', share: 0.45 },
  { source: { namespace: 'monitoring', pod: 'prometheus-0', container: 'prometheus', workload: 'prometheus', style: 'logfmt' }, uid: 'c4e6a8b0-2d4f-4a6c-8e0a-2c4e6a8b0d2f', share: 0.08 },
  { source: { namespace: 'kube-system', pod: 'metrics-server-6d94bc8694-m7ldr', container: 'metrics-server', workload: 'metrics-server', style: 'klog' }, uid: 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b', share: 0.07 },
];

/** The glob of the agent's CRI input over a root these files are written under. */
export function criGlob(root: string): string {
  return join(root, 'pods/*/*/*.log');
}

/** Entries generated per container, cycled; the sim's rare kinds (a stack trace, an oversized body) occur in a pool this big. */
const POOL_ENTRIES = 8192;

/** One entry as CRI lines without their timestamp (`<stream> <P|F> <piece>`), and the records the agent makes of it. */
interface PooledEntry {
  lines: string[];
  records: number;
}

function pooled(e: Entry): PooledEntry {
  const pieces = splitUtf8(e.text, CRI_MAX_LINE_BYTES);
  return {
    lines: pieces.map((piece, i) => `${e.stream} ${i === pieces.length - 1 ? 'F' : 'P'} ${piece}`),
    // One record, or one per 32 KiB part of a longer line (the text is ASCII).
    records: Math.max(1, Math.ceil(Buffer.byteLength(e.text) / LOG_LIMITS.messageBytes)),
  };
}

function makePool(source: LogSource, rng: Rng, startMs: number): PooledEntry[] {
  const pool: PooledEntry[] = [];
  for (let ms = startMs; pool.length < POOL_ENTRIES; ms += 7) for (const e of normalEntries(source, ms, rng)) pool.push(pooled(e));
  return pool;
}

/** containerd's RFC3339Nano (UTC, trailing zeros of the fraction trimmed) for ms + nanos, the ISO text of ms made once per call. */
function criTime(iso: string, nanos: number): string {
  const fraction = `${iso.slice(20, 23)}${String(nanos).padStart(6, '0')}`.replace(/0+$/, '');
  return `${iso.slice(0, 19)}${fraction ? `.${fraction}` : ''}Z`;
}

/**
 * Entries for a node's containers in the shares above, drawn from a seeded generator, and written
 * as CRI lines stamped with the time they are written for. One instance per file set.
 */
export class NodeLogWriter {
  private readonly rng: Rng;
  private readonly paths: string[];
  private readonly pools: PooledEntry[][];
  private readonly next: number[] = CONTAINERS.map(() => 0);
  private nanos = 0;
  /** Entries (logical lines) written, and the records the agent will make of them. */
  lines = 0;
  records = 0;
  bytes = 0;

  constructor(root: string, seed = 1) {
    this.rng = createRng(seed);
    this.pools = CONTAINERS.map((c) => makePool(c.source, this.rng, Date.now() - POOL_ENTRIES * 7));
    this.paths = CONTAINERS.map((c) => join(root, containerLogPath(c.source.namespace, c.source.pod, c.uid, c.source.container, 0)));
    for (const p of this.paths) {
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, '');
    }
  }

  get files(): readonly string[] {
    return this.paths;
  }

  /** Appends `count` entries stamped `ms` (nanoseconds counting up, so each line's time is its own) over the containers. */
  append(count: number, ms: number): void {
    const chunks = CONTAINERS.map(() => [] as string[]);
    const iso = new Date(ms).toISOString();
    for (let k = 0; k < count; k++) {
      const i = this.pickContainer();
      const pool = this.pools[i]!;
      const entry = pool[this.next[i]!]!;
      this.next[i] = (this.next[i]! + 1) % pool.length;
      this.nanos = (this.nanos + 1) % 1_000_000;
      const ts = criTime(iso, this.nanos);
      for (const line of entry.lines) chunks[i]!.push(ts, ' ', line, '\n');
      this.lines += 1;
      this.records += entry.records;
    }
    chunks.forEach((parts, i) => {
      if (parts.length === 0) return;
      const text = parts.join('');
      this.bytes += Buffer.byteLength(text);
      appendFileSync(this.paths[i]!, text);
    });
  }

  private pickContainer(): number {
    let r = this.rng.next();
    for (let i = 0; i < CONTAINERS.length; i++) {
      r -= CONTAINERS[i]!.share;
      if (r < 0) return i;
    }
    return CONTAINERS.length - 1;
  }
}

/** A pre-written backlog: `lines` entries at `linesPerSecond` of log time ending now, written in slices. */
export function writeBacklog(root: string, lines: number, linesPerSecond: number): NodeLogWriter {
  const w = new NodeLogWriter(root);
  const slice = 1000;
  const startMs = Date.now() - Math.ceil((lines / linesPerSecond) * 1000);
  for (let done = 0; done < lines; done += slice) {
    w.append(Math.min(slice, lines - done), startMs + Math.floor((done / linesPerSecond) * 1000));
  }
  return w;
}
