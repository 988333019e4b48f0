// TUI frame time for a large fleet: the real Console (Ink, incremental rendering) on a fake
// terminal of a given size, timed from a state change being dispatched to Ink having written the frame.
//
// On a terminal wide enough for the three areas (tui/state/fleet-layout.ts: 180 columns or more) the
// plain cases run first as they always did (no link: the panes say they are waiting), then the link
// opens and the panes get what the daemon would send them, through the actions the WS client and the
// call runner dispatch: the metrics pane's `metrics.range` answer (the selected cluster's last hour, a
// point every 10 s of each charted series), the logs pane's snapshot of error lines, and the
// sparkline column's fills for the rows on screen. The "three panes: …" cases are timed on that.
// BENCH_TUI_SCREEN=DIR writes the last screen of each size to DIR (plain text), to see what was drawn;
// BENCH_PROFILE=DIR a V8 CPU profile of each case; BENCH_TUI_GAP_MS (2) is the pause before each timed frame.
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { PassThrough, Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { render } from 'ink';
import { createElement } from 'react';
import type { ClusterRow, Health } from '../../core/fleet.js';
import type { StoredLogRecord } from '../../core/logs/record.js';
import type { LivePoint, MetricsPoint, MetricsRange } from '../../core/metrics/api.js';
import type { QueuedCall } from '../../tui/state/calls.js';
import { fleetMode } from '../../tui/state/fleet-layout.js';
import { PANE_CHARTS, PANE_FOLLOW_MS } from '../../tui/state/fleet-panes.js';
import { Console, createStore, initialState, type Action } from '../../tui/main.js';
import { viewContext } from '../../tui/state/app.js';
import { rowsOnScreen } from '../../tui/views/fleet/model.js';
import { summarize } from './proc-sampler.js';

export interface TuiResult {
  rows: number;
  size: string;
  /** `ms`: dispatch to frame written (wall clock); `cpuMs`: the process' CPU time over the same span (on a loaded machine, the frame's own work). */
  cases: { name: string; ms: ReturnType<typeof summarize>; cpuMs?: ReturnType<typeof summarize> }[];
}

const HEALTH: Health[] = ['healthy', 'healthy', 'healthy', 'degraded', 'critical', 'unreachable', 'unknown'];

function row(i: number, now: number): ClusterRow {
  const health = HEALTH[i % HEALTH.length]!;
  return {
    name: `cluster-${String(i).padStart(5, '0')}`,
    labels: { env: ['prod', 'staging', 'dev'][i % 3]!, team: ['payments', 'checkout', 'platform'][i % 3]! },
    registration: 'registered',
    health,
    reasons: health === 'healthy' ? [] : [`${i % 5}/5 nodes NotReady`, `${i % 7} pods CrashLoopBackOff`],
    reportedAt: new Date(now - (i % 30) * 1000).toISOString(),
    dataAgeSeconds: i % 30,
    intervalSeconds: 10,
    kubernetesVersion: 'v1.31.4',
    agentVersion: '0.1.0',
    nodes: { ready: 5 - (i % 2), total: 5 },
    pods: { running: 100 + (i % 40), total: 140 },
    restarts: i % 13,
    errorLinesPerMinute: i % 4 === 0 ? i % 50 : 0,
    expiresAt: null,
  };
}

class FakeTty extends Writable {
  isTTY = true;
  /** What was written, when kept (the screen dump). */
  written: string[] | null = null;
  constructor(
    readonly columns: number,
    readonly rows: number,
  ) {
    super();
  }
  override _write(chunk: unknown, _enc: BufferEncoding, cb: () => void): void {
    this.written?.push(String(chunk));
    cb();
  }
}

// What the daemon would send the panes, made up but shaped like the real thing.

const SERIES_UNITS: Record<string, string> = { cpu_used_ratio: 'ratio', memory_used_ratio: 'ratio', pods_running: 'count', error_lines_per_minute: 'per_minute' };

/** A cluster's value of a series at a time: a slow wave, a faster ripple, its own level. */
function seriesValue(series: string, k: number, t: number): number {
  const wave = Math.sin(t / 600_000 + k) * 0.5 + Math.sin(t / 47_000 + 2 * k) * 0.15;
  switch (series) {
    case 'cpu_used_ratio':
      return Math.min(1, Math.max(0, 0.45 + (k % 5) * 0.05 + wave * 0.3));
    case 'memory_used_ratio':
      return Math.min(1, Math.max(0, 0.6 + (k % 3) * 0.05 + wave * 0.1));
    case 'pods_running':
      return Math.round(120 + (k % 20) + wave * 10);
    case 'error_lines_per_minute':
      return Math.max(0, Math.round((k % 4) * 8 + wave * 20));
    default:
      return 0;
  }
}

const indexOf = (cluster: string): number => Number(cluster.slice(cluster.lastIndexOf('-') + 1)) || 0;

/** A `metrics.range` answer: the series asked for over the last hour to `end`, a point every `stepSeconds`. */
function rangeAnswer(cluster: string, series: readonly string[], end: number, stepSeconds: number): MetricsRange {
  const k = indexOf(cluster);
  const stepMs = stepSeconds * 1000;
  const start = end - 3_600_000;
  const first = Math.ceil(start / stepMs) * stepMs;
  return {
    cluster,
    start: new Date(start).toISOString(),
    end: new Date(end).toISOString(),
    stepSeconds,
    source: 'embedded',
    resolution: stepSeconds >= 60 ? '1m' : 'raw',
    series: series.map((name) => {
      const points: MetricsPoint[] = [];
      for (let t = first; t <= end; t += stepMs) {
        const v = seriesValue(name, k, t);
        points.push([t, v, v]);
      }
      return { name, unit: SERIES_UNITS[name] ?? 'count', points };
    }),
  };
}

function livePoint(cluster: string, t: number): LivePoint {
  const k = indexOf(cluster);
  return { cluster, t, values: Object.fromEntries(PANE_CHARTS.map((c) => [c.series, seriesValue(c.series, k, t)])) };
}

const MESSAGES = [
  'upstream connect error or disconnect/reset before headers. reset reason: connection failure, transport failure reason: delayed connect error: 111',
  'level=error msg="payment authorisation failed" provider=adyen status=502 attempt=3 trace_id=4bf92f3577b34da6a3ce929d0e0e4736',
  'Error: connect ETIMEDOUT 10.42.3.17:5432 at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1607:16)',
  'java.lang.OutOfMemoryError: Java heap space',
  '{"level":"error","ts":"checkout","msg":"cart service unavailable","code":"UNAVAILABLE","retry_in_ms":800}',
  'FATAL: remaining connection slots are reserved for non-replication superuser connections',
  'E1203 12:01:44.123456       1 reflector.go:147] failed to list *v1.Pod: the server has asked for the client to try again later',
];
const PODS = ['checkout-api-7d9f8b6c5-x2k4p', 'payments-worker-5c6d7f8b9-qq7lm', 'platform-gateway-6b7c8d9f-zr2wn', 'orders-db-0', 'ingress-nginx-controller-5f8d9c7b6-h4j2k'];
let logSeq = 0;

function logLine(cluster: string, t: number): StoredLogRecord {
  const n = (logSeq += 1);
  const pod = PODS[n % PODS.length]!;
  return {
    id: n.toString(16).padStart(32, '0'),
    ts: new Date(t).toISOString(),
    cluster,
    namespace: ['checkout', 'payments', 'platform', 'ingress-nginx'][n % 4]!,
    pod,
    container: pod.split('-')[0]!,
    node: `node-${n % 5}`,
    stream: n % 3 === 0 ? 'stdout' : 'stderr',
    level: n % 11 === 0 ? 'fatal' : 'error',
    message: MESSAGES[n % MESSAGES.length]!,
    fields: {},
    cursor: String(n).padStart(16, '0'),
  };
}

/** useInput needs a TTY stdin in raw mode; this one accepts raw mode and never types. */
function fakeStdin(): NodeJS.ReadStream {
  const s = new PassThrough() as unknown as NodeJS.ReadStream & { isTTY: boolean };
  s.isTTY = true;
  s.setRawMode = () => s;
  s.ref = () => s;
  s.unref = () => s;
  return s;
}

export async function benchTuiFrames(count: number, size: { columns: number; rows: number }, framesPerCase = 200): Promise<TuiResult> {
  const gapMs = Number(process.env.BENCH_TUI_GAP_MS ?? '2');
  const profileDir = process.env.BENCH_PROFILE;
  const now = Date.now();
  const stdout = new FakeTty(size.columns, size.rows);
  const store = createStore(initialState({ now, columns: stdout.columns, rows: stdout.rows }));
  let onFrame: (() => void) | null = null;
  const instance = render(createElement(Console, { store, color: true }), {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: fakeStdin(),
    patchConsole: false,
    exitOnCtrlC: false,
    incrementalRendering: true,
    // No frame cap here: the case measures the work of one frame, not the throttle.
    maxFps: 10_000,
    onRender: () => onFrame?.(),
  });
  // Ink schedules its frame work without a handle that keeps Node's event loop alive; hold it open.
  const keepAlive = setInterval(() => undefined, 1000);
  /** The CPU time of the frame frame() timed last. */
  let lastCpuMs = 0;
  const frame = async (fn: () => void): Promise<number> => {
    // Ink throttles its frames (at least 1 ms, whatever maxFps says): a change made while the last
    // frame's throttle timer is still pending is drawn on that timer, not at once. Back-to-back
    // changes would then time the timer too; the console's changes come far apart (its frames are
    // capped at 20/s), so each is let settle first and drawn on the throttle's leading edge.
    if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
    const start = performance.now();
    const cpu = process.cpuUsage();
    const drawn = new Promise<void>((resolve) => (onFrame = resolve));
    fn();
    await drawn;
    onFrame = null;
    const used = process.cpuUsage(cpu);
    lastCpuMs = (used.user + used.system) / 1000;
    return performance.now() - start;
  };
  const three = fleetMode(size) === 'three';

  // Let React mount and subscribe to the store before the first measured change.
  await new Promise((r) => setTimeout(r, 100));
  const rows = Array.from({ length: count }, (_, i) => row(i, now));
  const cases: TuiResult['cases'] = [];
  // Between timed frames (never in them): what the call runner would do, the calls the views queued
  // sent and answered, each answer a frame of its own as it would be.
  let settleCalls = false;
  /** Run after each timed frame (and what settles after it): the three-pane cases keep the fleet's reports coming. */
  let between: (() => Promise<void>) | null = null;
  const measure = async (name: string, step: (i: number) => () => void, n = framesPerCase) => {
    const ms: number[] = [];
    const cpu: number[] = [];
    const profiling = await startProfile();
    for (let i = 0; i < n; i += 1) {
      ms.push(await frame(step(i)));
      cpu.push(lastCpuMs);
      if (settleCalls) await settle();
      await between?.();
    }
    await profiling?.(name);
    cases.push({ name, ms: summarize(ms), cpuMs: summarize(cpu) });
  };
  /** BENCH_PROFILE=DIR: a V8 CPU profile of each case (its frames and what settles between them). */
  const startProfile = async (): Promise<((name: string) => Promise<void>) | null> => {
    if (!profileDir) return null;
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    return async (name) => {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      mkdirSync(profileDir, { recursive: true });
      const slug = name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '');
      writeFileSync(`${profileDir}/tui-${size.columns}x${size.rows}-${slug}.cpuprofile`, JSON.stringify(profile));
    };
  };
  const answer = (q: QueuedCall): Action => {
    const { params: _params, ...call } = q;
    const p = q.params as { cluster?: string; series?: string[]; step?: string };
    if (q.method !== 'metrics.range' || p.cluster === undefined) throw new Error(`the bench cannot answer ${q.method}`);
    const end = store.getState().now;
    return { type: 'call/done', call, outcome: { ok: true, result: rangeAnswer(p.cluster, p.series ?? [], end, p.step === '1m' ? 60 : 10) } };
  };
  /** Answers the queued calls (a frame each round) until the views want no more. */
  const settle = async () => {
    while (store.getState().calls.length > 0) {
      await frame(() => {
        for (const q of store.getState().calls) {
          store.dispatch({ type: 'call/sent', key: q.key });
          store.dispatch(answer(q));
        }
      });
    }
  };

  // Every step must change what is on screen (Ink draws nothing for an identical frame), so the
  // changed rows flip health and with it the header's counts.
  const flip = (i: number): Health => (i % 2 ? 'critical' : 'healthy');
  let rev = 1;
  // Warm-up, not recorded: the first frames pay for JIT compilation, not for the fleet's size.
  store.dispatch({ type: 'fleet/snapshot', rev: ++rev, rows });
  for (let i = 0; i < 100; i += 1) await frame(() => store.dispatch({ type: 'key', action: i % 2 ? 'up' : 'down' }));
  await measure('snapshot of all rows', (i) => () => {
    const next = rows.slice();
    next[0] = { ...rows[0]!, health: flip(i) };
    store.dispatch({ type: 'fleet/snapshot', rev: ++rev, rows: next });
  }, 10);
  await measure('patch: one row changes health', (i) => () => {
    const changed = { ...row((i * 37) % count, now), health: flip(i), reportedAt: new Date().toISOString() };
    store.dispatch({ type: 'fleet/patch', rev: rev + 1, fromRev: rev, changes: [{ op: 'upsert', row: changed }] });
    rev += 1;
  });
  await measure('cursor down (j)', () => () => store.dispatch({ type: 'key', action: 'down' }));
  await measure('clock tick (data ages)', (i) => () => store.dispatch({ type: 'tick', now: now + (i + 1) * 1000 }));
  if (three) await threePanes();
  if (process.env.BENCH_TUI_SCREEN) dumpScreen(process.env.BENCH_TUI_SCREEN);
  instance.unmount();
  clearInterval(keepAlive);
  return { rows: count, size: `${size.columns}×${size.rows}`, cases };

  /** The cases of the three areas with data in every pane. */
  async function threePanes(): Promise<void> {
    let clock = store.getState().now;
    const fleetPanes = () => store.getState().view.fleet.panes;
    // The clusters keep reporting (every 10 s), so the ages on screen stay under a minute and change
    // on each tick: while the clock runs on, the fleet is sent afresh every 10 s of it, between timed
    // frames. Each time with other counts and ages, as reports have: rows that come back as they were
    // drawn before would be drawn from Ink's caches, which real reports seldom are.
    let freshAt = -Infinity;
    let generation = 0;
    const freshen = async () => {
      const at = store.getState().now;
      if (at - freshAt < 10_000) return;
      freshAt = at;
      generation += 1;
      const g = generation;
      const fresh = Array.from({ length: count }, (_, i): ClusterRow => {
        const base = row(i, at);
        const age = (i + g * 7) % 30;
        return { ...base, reportedAt: new Date(at - age * 1000).toISOString(), dataAgeSeconds: age, restarts: (i + g) % 13, pods: { running: 100 + ((i + g) % 40), total: 140 } };
      });
      await frame(() => store.dispatch({ type: 'fleet/snapshot', rev: ++rev, rows: fresh }));
    };
    await freshen();
    const logsSnapshot = (cluster: string): Action => {
      const lines = Array.from({ length: 50 }, (_, k) => logLine(cluster, clock - (50 - k) * 20_000));
      return { type: 'logs/snapshot', query: fleetPanes().logs.query, lines, more: true, resumed: false, rejected: 0 };
    };
    // The link opens: the views ask for their data (the pane's hour, the column's fills).
    await frame(() => store.dispatch({ type: 'conn/open', at: clock, identity: { name: 'bench', role: 'operator' } }));
    settleCalls = true;
    between = freshen;
    await settle();
    await frame(() => store.dispatch({ type: 'metrics/fleetSnapshot', rev: 1 }));
    await settle();
    await frame(() => store.dispatch(logsSnapshot(fleetPanes().shown!)));
    const check = () => {
      const p = fleetPanes();
      const spark = store.getState().view.fleet.spark;
      if (p.shown === null || p.metrics.held === null || p.logs.lines.length === 0 || spark.rings.size === 0) {
        throw new Error(`the panes have no data (shown ${p.shown}, held ${p.metrics.held !== null}, ${p.logs.lines.length} log lines, ${spark.rings.size} sparkline rings)`);
      }
    };
    check();

    // The cursor moves on: the table and the pane's summary follow at once, the hour and the error
    // lines only once the selection rests (PANE_FOLLOW_MS), so the charts say "following the selection…".
    await measure('three panes: cursor down (j), panes not yet following', () => () => store.dispatch({ type: 'key', action: 'down' }));
    // The selection rests: on the clock's next tick the panes take the selected cluster (logs waiting,
    // "loading the last hour"); then its hour arrives (the charts drawn afresh); then its error lines.
    const follow: number[] = [];
    const hour: number[] = [];
    const lines: number[] = [];
    const cpu: [number[], number[], number[]] = [[], [], []];
    const profiling = await startProfile();
    for (let i = 0; i < framesPerCase; i += 1) {
      await frame(() => store.dispatch({ type: 'key', action: 'down' }));
      await settle();
      clock += PANE_FOLLOW_MS + 100;
      follow.push(await frame(() => store.dispatch({ type: 'tick', now: clock })));
      cpu[0].push(lastCpuMs);
      const pane = store.getState().calls.find((q) => q.ref?.startsWith('pane:'));
      if (!pane) throw new Error('the metrics pane asked for no hour after the selection rested');
      hour.push(
        await frame(() => {
          store.dispatch({ type: 'call/sent', key: pane.key });
          store.dispatch(answer(pane));
        }),
      );
      cpu[1].push(lastCpuMs);
      await settle();
      lines.push(await frame(() => store.dispatch(logsSnapshot(fleetPanes().shown!))));
      cpu[2].push(lastCpuMs);
      await freshen();
    }
    await profiling?.('three panes: selection rests');
    cases.push({ name: 'three panes: selection rests, panes follow (tick)', ms: summarize(follow), cpuMs: summarize(cpu[0]) });
    cases.push({ name: "three panes: the new cluster's hour arrives", ms: summarize(hour), cpuMs: summarize(cpu[1]) });
    cases.push({ name: "three panes: the new cluster's error lines arrive", ms: summarize(lines), cpuMs: summarize(cpu[2]) });
    check();

    const shown = fleetPanes().shown!;
    let t = fleetPanes().metrics.held!.end;
    let mrev = 1;
    await measure('three panes: live metrics point (selected cluster)', () => () => {
      t += 10_000;
      store.dispatch({ type: 'metrics/points', cluster: shown, rev: ++mrev, points: [livePoint(shown, t)] });
    });
    await measure('three panes: a new error line', () => () => {
      clock += 1;
      store.dispatch({ type: 'logs/lines', query: fleetPanes().logs.query, lines: [logLine(shown, clock)], rejected: 0 });
    });
    // The `metrics` topic: one store sync's reports, 100 clusters, the rows on screen among them; a
    // batch every 0.2 s of the daemon's time, so the column's minute moves on every 300 batches.
    let st = store.getState().view.fleet.spark.clock ?? clock;
    await measure('three panes: sparkline live points (100 clusters)', (i) => () => {
      st += 200;
      const state = store.getState();
      const shownRows = rowsOnScreen(state.view.fleet, viewContext(state));
      const names = [...shownRows, ...Array.from({ length: Math.max(0, 100 - shownRows.length) }, (_, k) => `cluster-${String((k * 97 + i) % count).padStart(5, '0')}`)];
      store.dispatch({ type: 'metrics/fleetPoints', rev: ++mrev, points: names.map((n, k) => ({ cluster: n, t: st, values: { cpu_used_ratio: seriesValue('cpu_used_ratio', k + i, st) } })) });
    });
    await measure('three panes: patch: one row changes health', (i) => () => {
      const at = store.getState().now;
      const changed = { ...row((i * 37) % count, at), health: flip(i), reportedAt: new Date(at).toISOString() };
      store.dispatch({ type: 'fleet/patch', rev: rev + 1, fromRev: rev, changes: [{ op: 'upsert', row: changed }] });
      rev += 1;
    });
    await measure('three panes: clock tick (data ages)', () => () => store.dispatch({ type: 'tick', now: (clock += 1000) }));
    check();
  }

  /** The screen as it is now, drawn in full by a second Ink (not incremental) into a kept stream. */
  function dumpScreen(dir: string): void {
    const tty = new FakeTty(size.columns, size.rows);
    tty.written = [];
    const dump = render(createElement(Console, { store, color: true }), { stdout: tty as unknown as NodeJS.WriteStream, stdin: fakeStdin(), patchConsole: false, exitOnCtrlC: false, debug: true });
    dump.unmount();
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}/tui-${size.columns}x${size.rows}.txt`, stripVTControlCharacters(tty.written.filter((w) => w.includes('\n')).at(-1) ?? ''));
  }
}
