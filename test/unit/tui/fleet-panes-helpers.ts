// Fixtures for the fleet view's panes and sparkline column: demo-like rows (names as `flotilla demo`
// makes them), error lines of a cluster, and the answers of the calls the panes and the column make.
import { fleetPlan } from '../../../cli/demo/fleet-plan.js';
import type { ClusterRow } from '../../../core/fleet.js';
import type { LivePoint } from '../../../core/metrics/api.js';
import type { Action, AppState } from '../../../tui/state/app.js';
import { connectedState, makeRow, NOW } from './helpers.js';
import { logRecord, snapshot } from './logs-helpers.js';
import { answerRangeCalls } from './metrics-helpers.js';

/** `n` clusters named as the demo names them, every third degraded with two reasons. */
export function demoRows(n = 24): ClusterRow[] {
  return fleetPlan(n).map((c, i) =>
    makeRow(c.name, { labels: c.labels, health: i % 3 === 1 ? 'degraded' : 'healthy', reasons: i % 3 === 1 ? ['workload checkout/api 1/3 ready', 'node n2 NotReady'] : [], pods: { running: 140, total: 152 } }),
  );
}

/** Connected at the size with the demo rows; the panes have taken the first selection. */
export function panesState(columns: number, rows: number, clusters = demoRows()): AppState {
  return connectedState(clusters, columns, rows);
}

/** Error lines of a cluster, one every ten seconds. */
export function errorLines(cluster: string, count: number, from = 0) {
  return Array.from({ length: count }, (_, i) => logRecord((from + i) * 10, { cluster, level: 'error', message: `error ${from + i}: timeout talking to ledger` }));
}

/** The logs pane's snapshot for the query it follows now. */
export function paneSnapshot(s: AppState, lines: ReturnType<typeof errorLines>): Action {
  return snapshot(s.view.fleet.panes.logs.query, lines);
}

/** Answers every queued metrics.range call (the metrics pane's and the column's fills) until none is left. */
export function answerAll(s: AppState): AppState {
  let next = s;
  for (let i = 0; i < 50 && next.calls.some((c) => c.method === 'metrics.range'); i++) next = answerRangeCalls(next);
  return next;
}

export const tick = (ms: number): Action => ({ type: 'tick', now: NOW + ms });

export function fleetPoints(points: LivePoint[], rev = 2): Action {
  return { type: 'metrics/fleetPoints', rev, points };
}
