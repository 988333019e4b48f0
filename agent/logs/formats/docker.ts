// Docker json-file lines: `{"log":"text\n","stream":"stdout","time":"2026-12-01T10:00:00.123456789Z"}`.
// An entry whose `log` does not end in a newline is a piece of a longer line, joined with the next
// (bounded, see partial.ts). A line that is no such entry is kept whole, level unknown, and counted
// as malformed. Pure.
import { z } from 'zod';
import type { LogRecord } from '../../../core/logs/record.js';
import type { BuildStats } from '../record-build.js';
import type { LineParser } from './parser.js';
import { PartialJoiners, type LineBase, type PartialState } from './partial.js';
import { normaliseTs } from './ts.js';

const Entry = z.object({ log: z.string(), stream: z.enum(['stdout', 'stderr']).catch('stdout'), time: z.string().max(64).optional() });

function parseEntry(line: Buffer): z.infer<typeof Entry> | undefined {
  if (line[0] !== 0x7b) return undefined;
  try {
    const r = Entry.safeParse(JSON.parse(line.toString('utf8')));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

export function dockerParser(base: LineBase, restored: PartialState[] = []): LineParser {
  const joiners = new PartialJoiners(base, restored);
  return {
    line(line: Buffer, offset: number, next: number, readTs: string, out: LogRecord[], stats: BuildStats): void {
      const e = parseEntry(line);
      if (!e) {
        joiners.final('stdout', offset, readTs, line, true, out, stats);
        return;
      }
      const ts = (e.time !== undefined ? normaliseTs(e.time) : undefined) ?? readTs;
      if (e.log.endsWith('\n')) joiners.final(e.stream, offset, ts, Buffer.from(e.log.slice(0, e.log.endsWith('\r\n') ? -2 : -1)), false, out, stats);
      else joiners.piece(e.stream, offset, next, ts, Buffer.from(e.log), out, stats);
    },
    resume: (next) => joiners.resume(next),
    reset: () => joiners.reset(),
  };
}
