// Where a Kubernetes API log stream stands, and how a resumed stream skips what was already shipped.
// Pure.
//
// pods/log has no offsets: the only way back into a stream is `sinceTime`, which the API server
// forwards to the kubelet cut to whole seconds (Format(time.RFC3339)) and the kubelet applies
// inclusively (a line at or after it comes). So a position is the newest line time read (`ts`, all
// nine digits) and how many lines carried exactly that time (`n`): resuming with sinceTime = ts, the
// lines before ts (the rest of that second) and the first n lines at ts are the ones already read.
// The same numbers make record ids: a line's id is (pod uid, container, restartCount, ts, index at ts).

export interface StreamPosition {
  /** Newest line time read, RFC 3339 UTC with nine fractional digits (so times compare as strings). */
  ts: string;
  /** Lines read that carried exactly `ts`. */
  n: number;
}

const TS = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;

/** An RFC 3339 time with any fraction and offset → UTC with nine fractional digits; null if it is none. */
export function normaliseTs(s: string): string | null {
  const m = TS.exec(s);
  if (!m) return null;
  const frac = (m[2] ?? '').padEnd(9, '0');
  if (m[3] === 'Z') {
    // Reject impossible dates (2026-13-40) that the pattern lets through.
    return Number.isNaN(Date.parse(`${m[1]}Z`)) ? null : `${m[1]}.${frac}Z`;
  }
  const ms = Date.parse(`${m[1]}${m[3]}`);
  return Number.isNaN(ms) ? null : `${new Date(ms).toISOString().slice(0, 19)}.${frac}Z`;
}

/** The kubelet's `timestamps=true` line, `<RFC3339Nano> <message>`: its normalised time and message bytes, or null when it has no time. */
export function splitTimestamped(line: Buffer): { ts: string; message: Buffer } | null {
  const space = line.indexOf(0x20);
  // The longest RFC3339Nano with an offset is 35 characters.
  if (space < 20 || space > 40) return null;
  const ts = normaliseTs(line.subarray(0, space).toString('latin1'));
  return ts === null ? null : { ts, message: line.subarray(space + 1) };
}

/** sinceTime to resume a stream from: the position's time at full precision (a server may cut it to seconds; `Resume` copes either way). */
export function sinceTimeFor(pos: StreamPosition | undefined): string | undefined {
  return pos?.ts;
}

/** What one line is, against the stream's position: whether it was already read, and the id parts it gets. */
export interface LineVerdict {
  skip: boolean;
  ts: string;
  /** The index part of the id: the line's number among lines at `ts`, or for a line older than the newest one read (a clock stepped back), where it came after. */
  index: number | string;
}

/**
 * Follows one stream's lines, from the start of a container's log (no position) or resumed from a
 * position. `advance` judges each line in order and moves the position; `position` is where a
 * reconnect resumes and what a commit persists.
 */
export class Resume {
  private cur: StreamPosition | undefined;
  /** Lines at cur.ts still to skip (already read before the stream was resumed). */
  private skipAtTs: number;
  /** Lines since cur.ts became the newest that carried an older time. */
  private late = 0;
  private resumed: boolean;

  constructor(from?: StreamPosition) {
    this.cur = from ? { ts: from.ts, n: 0 } : undefined;
    this.skipAtTs = from?.n ?? 0;
    this.resumed = from !== undefined;
  }

  get position(): StreamPosition | undefined {
    // Right after a resume the lines at ts not seen again yet still count as read.
    return this.cur ? { ts: this.cur.ts, n: Math.max(this.cur.n, this.skipAtTs) } : undefined;
  }

  /** `ts` null: a line without a time (cut by limitBytes, or a continuation of an over-long line) takes the newest time read. */
  advance(ts: string | null): LineVerdict {
    const at = ts ?? this.cur?.ts ?? '1970-01-01T00:00:00.000000000Z';
    if (this.cur === undefined || at > this.cur.ts) {
      this.cur = { ts: at, n: 1 };
      this.skipAtTs = 0;
      this.late = 0;
      this.resumed = false;
      return { skip: false, ts: at, index: 0 };
    }
    if (at === this.cur.ts) {
      const index = this.cur.n;
      this.cur.n += 1;
      if (index < this.skipAtTs) return { skip: true, ts: at, index };
      return { skip: false, ts: at, index };
    }
    // Older than the newest line read. Right after a resume it is the rest of the second the server's
    // whole-second sinceTime brought back again: already read. Otherwise the container's clock stepped back.
    if (this.resumed) return { skip: true, ts: at, index: -1 };
    const index = `${this.cur.ts}~${this.late}`;
    this.late += 1;
    return { skip: false, ts: at, index };
  }
}

/**
 * Splits a byte stream into lines (without the `\n`). A line longer than `maxLine` bytes is cut there
 * and its rest comes as continuation pieces (each at most `maxLine`), so one endless line cannot hold
 * unbounded memory; the cut points depend only on the line's bytes, so a re-read cuts it the same way.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private continuing = false;

  constructor(private readonly maxLine: number) {}

  push(chunk: Buffer): { bytes: Buffer; continued: boolean }[] {
    const out: { bytes: Buffer; continued: boolean }[] = [];
    let start = 0;
    while (start < chunk.length) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl === -1 ? chunk.length : nl;
      let piece = chunk.subarray(start, end);
      while (this.pendingBytes + piece.length > this.maxLine) {
        const take = this.maxLine - this.pendingBytes;
        this.pending.push(piece.subarray(0, take));
        out.push({ bytes: Buffer.concat(this.pending), continued: this.continuing });
        this.pending = [];
        this.pendingBytes = 0;
        this.continuing = true;
        piece = piece.subarray(take);
      }
      if (nl === -1) {
        if (piece.length > 0) {
          // Copied: the chunk's buffer may be reused by the stream once this write returns.
          this.pending.push(Buffer.from(piece));
          this.pendingBytes += piece.length;
        }
        break;
      }
      this.pending.push(piece);
      const line = this.pending.length === 1 ? Buffer.from(this.pending[0]!) : Buffer.concat(this.pending);
      out.push({ bytes: line, continued: this.continuing });
      this.pending = [];
      this.pendingBytes = 0;
      this.continuing = false;
      start = nl + 1;
    }
    return out;
  }

  /** What is left when the stream ends without a final newline (limitBytes, a cut); clears it. */
  flush(): { bytes: Buffer; continued: boolean } | undefined {
    if (this.pendingBytes === 0) return undefined;
    const rest = { bytes: Buffer.concat(this.pending), continued: this.continuing };
    this.pending = [];
    this.pendingBytes = 0;
    this.continuing = false;
    return rest;
  }

  /** Forgets a partial line (a broken stream: the reconnect reads that line again from its start). */
  reset(): void {
    this.pending = [];
    this.pendingBytes = 0;
    this.continuing = false;
  }
}
