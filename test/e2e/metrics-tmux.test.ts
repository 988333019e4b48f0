// The metrics view in a real terminal: `flotilla demo` inside tmux (CI=false so Ink draws live, a
// UTF-8 locale so the charts are braille), M on a cluster's view, its charts and time axis, the
// range switched and back, the time cursor moved with h and l showing values, and L landing in the
// logs view filtered to that cluster around the cursor's time. The demo's clusters report every few
// seconds, so the last hour has points soon after start; values change as they do, so none is named.
// The cluster is the demo plan's first (prod-payments-01), which keeps reporting (the second goes dark).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, assertBuilt } from '../harness/proc.js';
import { startTmux, tmuxAvailable, type TmuxSession } from '../harness/tmux.js';
import { cleanupTempDirs, tempDir } from '../harness/tmp.js';

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

const FLEET_HEADER = /^ {2}NAME +HEALTH +REASONS/m;
const CLUSTER = 'prod-payments-01';
/** The metrics title: the cluster, the ranges with the current one in brackets, the step and what the values are of. */
const title = (range: string, what: string) => new RegExp(`^Metrics ${CLUSTER} {2}${range} {2}step \\S+( \\S+)? \\(\\S+\\) · ${what}$`, 'm');
const ISO = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ';
const BRAILLE = /[\u2801-\u28ff]/;

function expectHeaderOnTop(screen: string): void {
  const lines = screen.split('\n');
  expect(lines[0]).toMatch(/^Flotilla/);
  expect(lines.filter((l) => l.startsWith('Flotilla')).length).toBe(1);
}

describe('the metrics view of flotilla demo in tmux', () => {
  let tmux: TmuxSession;

  beforeAll(() => {
    assertBuilt();
    if (!tmuxAvailable()) throw new Error('tmux is not installed: .ci/run installs it (apt-get install tmux)');
    const data = tempDir('flotilla-e2e-metrics-');
    const home = tempDir('flotilla-e2e-metrics-home-');
    const cmd = `${shellQuote(process.execPath)} ${shellQuote(CLI)} demo --clusters 4 --data ${shellQuote(join(data, 'demo'))}`;
    tmux = startTmux(`sh -c ${shellQuote(`${cmd}; echo "flotilla exited $?"; sleep 600`)}`, {
      cols: 120,
      rows: 32,
      env: { CI: 'false', TERM: 'xterm-256color', LANG: 'C.UTF-8', LC_ALL: '', XDG_CONFIG_HOME: join(home, 'c'), XDG_DATA_HOME: join(home, 'd'), XDG_STATE_HOME: join(home, 's') },
    });
  });

  afterAll(() => {
    tmux?.kill();
    cleanupTempDirs();
  });

  it("opens M on a cluster's view: chart titles, y labels, the time axis and the latest values", async () => {
    await tmux.waitForText(/4 clusters/, 60_000);
    // it has reported, so its last hour has points
    await tmux.waitForText(new RegExp(`^[> ] ${CLUSTER} +\\S+ .* \\d+s$`, 'm'), 60_000);
    tmux.type(':');
    await tmux.waitForText(/^:/m);
    tmux.type(`cluster ${CLUSTER}`);
    tmux.sendKeys('Enter');
    await tmux.waitForText(new RegExp(`^${CLUSTER} {2}\\S+[\\s\\S]*Workloads`, 'm'), 20_000);
    tmux.type('M');
    const screen = await tmux.waitForText(title('\\[1h\\] 6h 24h 7d', 'latest'), 20_000);
    expectHeaderOnTop(screen);
    for (const t of ['CPU used', 'memory used', 'pods running', 'error lines', 'restarts', 'pods pending']) expect(screen).toContain(t);
    expect(screen).toMatch(/^ 100%┤/m);
    expect(screen).toMatch(/^ {5}└─+ +└─+ +└─+$/m);
    expect(screen).toMatch(/^ {5}\d\d:\d\d +\d\d:\d\d +\d\d:\d\d /m);
    // the live hour's newest values, once its points are in
    const drawn = await tmux.waitForText(/^CPU used {2}\d+(\.\d)?% /m, 30_000);
    expect(drawn).toMatch(BRAILLE);
  });

  it('switches to 6h and back to 1h', async () => {
    tmux.type(']');
    const six = await tmux.waitForText(title('1h \\[6h\\] 24h 7d', 'latest'), 20_000);
    expect(six).toMatch(/step 1m 30s/);
    tmux.type('[');
    await tmux.waitForText(title('\\[1h\\] 6h 24h 7d', 'latest'), 20_000);
  });

  it('moves the time cursor with h and l and shows the values at it', async () => {
    tmux.type('h');
    await tmux.waitForText(title('\\[1h\\] 6h 24h 7d', 'cursor \\d\\d:\\d\\d:\\d\\d UTC'));
    tmux.type('h');
    tmux.type('l');
    // back on the newest column, which holds the points of the last minutes
    const screen = await tmux.waitForText(/^CPU used {2}\d+(\.\d)?% /m);
    expect(screen).toMatch(title('\\[1h\\] 6h 24h 7d', 'cursor \\d\\d:\\d\\d:\\d\\d UTC'));
    expect(screen).toMatch(/^ {5}└─+┴ +└─+┴ +└─+┴$/m);
  });

  it("opens the cluster's logs at the cursor's time with L and comes back with esc", async () => {
    tmux.type('L');
    const logs = await tmux.waitForText(new RegExp(`^Logs cluster:${CLUSTER} since:${ISO} until:${ISO} {2}\\d+ lines`, 'm'), 20_000);
    expectHeaderOnTop(logs);
    expect(logs).toMatch(new RegExp(`^logs of ${CLUSTER} around \\d\\d:\\d\\d:\\d\\d UTC \\(±2m\\)$`, 'm'));
    tmux.sendKeys('Escape');
    await tmux.waitForText(title('\\[1h\\] 6h 24h 7d', 'cursor \\d\\d:\\d\\d:\\d\\d UTC'));
    tmux.sendKeys('Escape');
    await tmux.waitForText(new RegExp(`^${CLUSTER} {2}\\S+[\\s\\S]*Workloads`, 'm'));
    tmux.sendKeys('Escape');
    expectHeaderOnTop(await tmux.waitForText(FLEET_HEADER));
  });

  it('quits with q and restores the terminal', async () => {
    tmux.type('q');
    const screen = await tmux.waitForText(/flotilla exited \d+/, 30_000);
    expect(screen).toContain('flotilla exited 0');
    expect(tmux.paneState().alternateOn).toBe(false);
  });
});
