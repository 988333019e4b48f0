// How the logs view splits its body: title, sparkline, the lines, a notice and the selected line's
// detail. The model pages by it and the component draws exactly it. Pure numbers.
import { bodyLines, type Viewport } from '../../state/layout.js';
import type { ConnectionState } from '../../state/connection.js';

export interface LogsLayout {
  /** Rows for log lines. */
  rows: number;
  /** Rows of the selected line's detail (where it came from, its JSON fields). */
  detail: number;
  /** Rows of notices (dropped lines, a query that does not parse). */
  notice: number;
}

/** Title and sparkline. */
export const LOGS_HEAD_LINES = 2;

export function logsLayout(vp: Viewport, conn: ConnectionState, notices: number): LogsLayout {
  const body = bodyLines(vp, conn);
  const detail = body >= 30 ? 4 : 2;
  const notice = Math.min(2, notices);
  return { rows: Math.max(1, body - LOGS_HEAD_LINES - detail - notice), detail, notice };
}
