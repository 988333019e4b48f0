// The seam between the file reader and the formats: the reader finds lines (it owns offsets and
// buffers), a parser turns each into records. Pure.
import type { LogRecord } from '../../../core/logs/record.js';
import type { BuildStats } from '../record-build.js';
import type { PartialState } from './partial.js';

export interface LineParser {
  /**
   * One line without its newline (a view into the reader's buffer, valid only during the call),
   * starting at file `offset`; `next` is the offset after its newline. `readTs` is the time to use
   * when the line carries none. Records go to `out`; malformed lines are counted in `stats`.
   * `cut`: the reader cut an over-long line here and the rest follows as the next line (plain marks
   * the last part continued too; in the framed formats the rest has no framing and counts as malformed).
   */
  line(line: Buffer, offset: number, next: number, readTs: string, out: LogRecord[], stats: BuildStats, cut?: boolean): void;
  /** Where a restart must read from so that pending pieces join again, given the reader is at `next`. */
  resume(next: number): { offset: number; partials: PartialState[] };
  /** The file was truncated: forget pending pieces. */
  reset(): void;
}
