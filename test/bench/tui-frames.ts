// TUI frame time for a large fleet: the real Console (Ink, incremental rendering) on a fake
// terminal of a given size, timed from a state change being dispatched to Ink having written the frame.
import { PassThrough, Writable } from 'node:stream';
import { render } from 'ink';
import { createElement } from 'react';
import type { ClusterRow, Health } from '../../core/fleet.js';
import { Console, createStore, initialState } from '../../tui/main.js';
import { summarize } from './proc-sampler.js';

export interface TuiResult {
  rows: number;
  size: string;
  cases: { name: string; ms: ReturnType<typeof summarize> }[];
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
  constructor(
    readonly columns: number,
    readonly rows: number,
  ) {
    super();
  }
  override _write(_chunk: unknown, _enc: BufferEncoding, cb: () => void): void {
    cb();
  }
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
  const frame = async (fn: () => void): Promise<number> => {
    const start = performance.now();
    const drawn = new Promise<void>((resolve) => (onFrame = resolve));
    fn();
    await drawn;
    onFrame = null;
    return performance.now() - start;
  };

  // Let React mount and subscribe to the store before the first measured change.
  await new Promise((r) => setTimeout(r, 100));
  const rows = Array.from({ length: count }, (_, i) => row(i, now));
  const cases: TuiResult['cases'] = [];
  const measure = async (name: string, step: (i: number) => () => void, n = framesPerCase) => {
    const ms: number[] = [];
    for (let i = 0; i < n; i += 1) ms.push(await frame(step(i)));
    cases.push({ name, ms: summarize(ms) });
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
  instance.unmount();
  clearInterval(keepAlive);
  return { rows: count, size: `${size.columns}×${size.rows}`, cases };
}
