// The fleet view's panes in a real terminal: `flotilla demo` inside tmux (CI=false so Ink draws live,
// a UTF-8 locale so the sparklines are blocks and the charts braille) started at 200×50, where the
// table (with its sparkline column), the logs pane and the metrics pane sit side by side; then the
// window is made 100×30, where they become tabs that `tab` cycles. The demo's clusters report every
// few seconds and values change as they do, so only titles, headers and the shape of lines are read.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, assertBuilt } from '../harness/proc.js';
import { startTmux, tmuxAvailable, type TmuxSession } from '../harness/tmux.js';
import { cleanupTempDirs, tempDir } from '../harness/tmp.js';

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The fleet table's column header, with the sparkline column's title (CPU by default). */
const FLEET_HEADER = /^ {2}NAME +HEALTH +REASONS .* CPU 1h +AGE/m;
const SELECTED = /^> ((?:prod|staging|dev)-[a-z]+-\d\d) /m;

function expectHeaderOnTop(screen: string): void {
  const lines = screen.split('\n');
  expect(lines[0]).toMatch(/^Flotilla/);
  expect(lines.filter((l) => l.startsWith('Flotilla')).length).toBe(1);
}

/** Every line fits the width: nothing wrapped or pushed the screen. */
function expectFits(screen: string, columns: number): void {
  for (const line of screen.split('\n')) expect([...line].length).toBeLessThanOrEqual(columns);
}

describe('the fleet view panes of flotilla demo in tmux', () => {
  let tmux: TmuxSession;
  let selected = '';

  beforeAll(() => {
    assertBuilt();
    if (!tmuxAvailable()) throw new Error('tmux is not installed: .ci/run installs it (apt-get install tmux)');
    const data = tempDir('flotilla-e2e-panes-');
    const home = tempDir('flotilla-e2e-panes-home-');
    const cmd = `${shellQuote(process.execPath)} ${shellQuote(CLI)} demo --clusters 12 --data ${shellQuote(join(data, 'demo'))}`;
    tmux = startTmux(`sh -c ${shellQuote(`${cmd}; echo "flotilla exited $?"; sleep 600`)}`, {
      cols: 200,
      rows: 50,
      env: { CI: 'false', TERM: 'xterm-256color', LANG: 'C.UTF-8', LC_ALL: '', XDG_CONFIG_HOME: join(home, 'c'), XDG_DATA_HOME: join(home, 'd'), XDG_STATE_HOME: join(home, 's') },
    });
  });

  afterAll(() => {
    tmux?.kill();
    cleanupTempDirs();
  });

  it('shows the table with its sparkline column, the logs pane and the metrics pane side by side at 200×50', async () => {
    await tmux.waitForText(/12 clusters/, 60_000);
    const screen = await tmux.waitForText(/┌─ Logs · errors of \S+[\s\S]*┌─ Metrics · \S+ · last 1h/, 60_000);
    expectHeaderOnTop(screen);
    expect(screen).toMatch(FLEET_HEADER);
    // the table's header and the two pane titles share the first line under the header
    expect(screen).toMatch(/^ {2}NAME .* AGE ┌─ Logs · errors of .*┐ ┌─ Metrics · .*┐$/m);
    selected = SELECTED.exec(screen)?.[1] ?? '';
    expect(selected).not.toBe('');
    // the metrics pane has the selected cluster at a glance, then its sparklines once its hour is in
    const charts = await tmux.waitForText(/│CPU used {2}\S+/, 30_000);
    expect(charts).toMatch(/│nodes \d+\/\d+ ready · pods \d+\/\d+ running/);
    // the rows' last hour fills in from the range calls and the live points
    await tmux.waitForText(/^[> ] +(prod|staging|dev)-[a-z]+-\d\d .*[▁▂▃▄▅▆▇█]+ *\d+[smhd] │/m, 30_000);
    expectFits(tmux.capture(), 200);
    tmux.type('S');
    await tmux.waitForText(/^ {2}NAME .* MEM 1h +AGE /m);
    tmux.type('S');
    tmux.type('S');
    tmux.type('S');
    await tmux.waitForText(FLEET_HEADER);
  });

  it('turns the panes into tabs at 100×30 and cycles Fleet, Logs and Metrics with tab', async () => {
    tmux.resize(100, 30);
    const fleet = await tmux.waitForText(/^\[Fleet\] {2}Logs {3}Metrics {3}tab: next$/m, 20_000);
    expectHeaderOnTop(fleet);
    expect(fleet).toMatch(FLEET_HEADER);
    expect(fleet).not.toContain('┌─');
    tmux.sendKeys('Tab');
    const logs = await tmux.waitForText(/^ Fleet {2}\[Logs\] {2}Metrics {3}tab: next$/m);
    expect(logs).toMatch(/^errors of (prod|staging|dev)-[a-z]+-\d\d {2}f: the fleet$/m);
    expect(logs).not.toMatch(/^ {2}NAME/m);
    tmux.sendKeys('Tab');
    const metrics = await tmux.waitForText(/^ Fleet {3}Logs {2}\[Metrics\] {2}tab: next$/m);
    expect(metrics).toMatch(/^(prod|staging|dev)-[a-z]+-\d\d · last 1h$/m);
    await tmux.waitForText(/^CPU used {2}\S+/m, 30_000);
    expectFits(tmux.capture(), 100);
    tmux.sendKeys('Tab');
    expectHeaderOnTop(await tmux.waitForText(FLEET_HEADER));
    expect(tmux.capture()).toMatch(/^\[Fleet\] {2}Logs {3}Metrics {3}tab: next$/m);
  });

  it('quits with q and restores the terminal', async () => {
    tmux.type('q');
    const screen = await tmux.waitForText(/flotilla exited \d+/, 30_000);
    expect(screen).toContain('flotilla exited 0');
    expect(tmux.paneState().alternateOn).toBe(false);
  });
});
