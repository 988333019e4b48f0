// Plain text files: one line a record, on stdout, at the time the line was read unless it starts
// with its own RFC 3339 timestamp (which is kept in the message too). Pure.
import type { LogRecord } from '../../../core/logs/record.js';
import { buildRecords, type BuildStats } from '../record-build.js';
import type { LineParser } from './parser.js';
import type { LineBase } from './partial.js';
import { leadingTs } from './ts.js';

export function plainParser(base: LineBase): LineParser {
  const common = { cluster: base.cluster, namespace: base.namespace, pod: base.pod, container: base.container, node: base.node, stream: 'stdout' as const };
  return {
    line(line: Buffer, offset: number, _next: number, readTs: string, out: LogRecord[], stats: BuildStats, cut = false): void {
      const c = line[0];
      const ts = c !== undefined && c >= 0x30 && c <= 0x39 ? leadingTs(line.toString('latin1', 0, Math.min(line.length, 48))) : undefined;
      for (const r of buildRecords({ ...common, ts: ts ?? readTs, idParts: [base.file, offset], bytes: line, ...(cut ? { continues: true } : {}) }, stats)) out.push(r);
    },
    resume: (next) => ({ offset: next, partials: [] }),
    reset: () => undefined,
  };
}
