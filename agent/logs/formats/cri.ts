// CRI log lines, as kubelet's runtimes write them: `<RFC3339Nano> <stdout|stderr> <P|F>[:tags] <msg>`.
// `P` pieces of one line are joined (bounded, see partial.ts). A line without that framing is kept
// whole, level unknown, and counted as malformed. Pure.
import type { LogRecord, LogStream } from '../../../core/logs/record.js';
import type { BuildStats } from '../record-build.js';
import type { LineParser } from './parser.js';
import { PartialJoiners, type LineBase, type PartialState } from './partial.js';
import { normaliseTs } from './ts.js';

const SPACE = 0x20;
const STDOUT = Buffer.from('stdout');
const STDERR = Buffer.from('stderr');
const P = 0x50;

function streamAt(line: Buffer, start: number, end: number): LogStream | undefined {
  if (end - start !== 6) return undefined;
  if (line.compare(STDOUT, 0, 6, start, end) === 0) return 'stdout';
  if (line.compare(STDERR, 0, 6, start, end) === 0) return 'stderr';
  return undefined;
}

export function criParser(base: LineBase, restored: PartialState[] = []): LineParser {
  const joiners = new PartialJoiners(base, restored);
  return {
    line(line: Buffer, offset: number, next: number, readTs: string, out: LogRecord[], stats: BuildStats): void {
      const s1 = line.indexOf(SPACE);
      const ts = s1 > 0 && s1 <= 40 ? normaliseTs(line.toString('latin1', 0, s1)) : undefined;
      const s2 = ts ? line.indexOf(SPACE, s1 + 1) : -1;
      const stream = s2 > 0 ? streamAt(line, s1 + 1, s2) : undefined;
      if (!ts || !stream) {
        joiners.final('stdout', offset, readTs, line, true, out, stats);
        return;
      }
      let s3 = line.indexOf(SPACE, s2 + 1);
      if (s3 < 0) s3 = line.length;
      const msg = line.subarray(Math.min(s3 + 1, line.length));
      if (s3 > s2 + 1 && line[s2 + 1] === P) joiners.piece(stream, offset, next, ts, msg, out, stats);
      else joiners.final(stream, offset, ts, msg, false, out, stats);
    },
    resume: (next) => joiners.resume(next),
    reset: () => joiners.reset(),
  };
}
