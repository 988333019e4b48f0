// CRI log files for the end-to-end log benchmarks, laid out as kubelet writes them
// (<root>/<ns>_<pod>_<uid>/<container>/0.log, `<RFC3339Nano> <stream> F <message>` lines), with the
// messages of the search benchmark's generator: access lines, JSON application lines with levels
// and fields (which the agent flattens), stack traces.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeRecords } from './log-search.js';

/** Containers on one node: what one agent follows. */
export const PODS_PER_NODE = 24;
const NAMESPACES = ['payments', 'checkout', 'web', 'search', 'kube-system', 'ingress'];
const APPS = ['api', 'worker', 'web', 'indexer', 'coredns', 'gateway'];
const CHUNK = 20_000;

export interface CriTree {
  /** The glob of every file in the tree, for a `format: cri` input. */
  glob: string;
  files: string[];
  lines: number;
  bytes: number;
}

/** The file of pod k (0..PODS_PER_NODE-1) under root. */
export function criPath(root: string, k: number): string {
  const ns = NAMESPACES[k % NAMESPACES.length]!;
  const app = APPS[(k >> 1) % APPS.length]!;
  return join(root, `${ns}_${app}-${(k * 7919).toString(36)}-x7k2p_${k.toString(16).padStart(8, '0')}-4c1e-4b7a-9d2f-bench`, app === 'coredns' ? 'coredns' : 'app', '0.log');
}

export function criLine(ts: string, stream: string, message: string): string {
  return `${ts} ${stream} F ${message}\n`;
}

/** Creates the tree's (empty) files and returns it. */
export function criTree(root: string): CriTree {
  const files = Array.from({ length: PODS_PER_NODE }, (_, k) => criPath(root, k));
  for (const f of files) {
    mkdirSync(join(f, '..'), { recursive: true });
    writeFileSync(f, '');
  }
  return { glob: join(root, '*', '*', '*.log'), files, lines: 0, bytes: 0 };
}

/**
 * Appends `lines` generated lines (indices startIndex.. of `total`, spread over spanMs from startMs,
 * so every file is in time order) to the tree's files, each line to the file its index picks.
 */
export function appendCriLines(tree: CriTree, opts: { startIndex: number; lines: number; total: number; startMs: number; spanMs: number }): void {
  for (let at = 0; at < opts.lines; at += CHUNK) {
    const n = Math.min(CHUNK, opts.lines - at);
    const out: string[][] = tree.files.map(() => []);
    for (const r of makeRecords(opts.startIndex + at, n, opts.total, opts.startMs, opts.spanMs)) {
      // The id's first byte picks the file: uniform, and the same for the same index on every run.
      out[parseInt(r.id.slice(0, 2), 16) % tree.files.length]!.push(criLine(r.ts, r.stream, r.message));
    }
    tree.files.forEach((f, k) => {
      const text = out[k]!.join('');
      if (!text) return;
      appendFileSync(f, text);
      tree.bytes += Buffer.byteLength(text);
    });
    tree.lines += n;
  }
}
