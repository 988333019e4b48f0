// The whole product in a real terminal: `flotilla demo` inside tmux (CI=false so Ink draws live),
// driven with keys the way an on-call engineer would, then checks the terminal was given back.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, assertBuilt } from '../harness/proc.js';
import { startTmux, tmuxAvailable, type TmuxSession } from '../harness/tmux.js';
import { cleanupTempDirs, tempDir } from '../harness/tmp.js';

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The header is on the first row and nowhere else: a renderer that loses track of the cursor shifts or repeats it. */
function expectHeaderOnTop(screen: string): void {
  const lines = screen.split('\n');
  expect(lines[0]).toMatch(/^Flotilla/);
  expect(lines.filter((l) => l.startsWith('Flotilla')).length).toBe(1);
}

/**
 * The fleet table's column header. Waiting for "NAME" alone is met by the help (":cluster NAME") and
 * by the cluster view's node table before esc has closed them, and keys typed then reach Ink in the
 * same read as the esc, which turns them into one alt-key press.
 */
const FLEET_HEADER = /^ {2}NAME +HEALTH +REASONS/m;

/** The pipeline table's column header: only the pipeline view draws it. */
const PIPELINE_HEADER = /^ {2}HEALTH +CLUSTER +TRANSPORT +LAG +INGEST\/S/m;

/** Lines of the pipeline table: a health, then a demo cluster. */
function pipelineLines(screen: string): string[] {
  return screen.split('\n').filter((l) => /^(> | {2})(critical|degraded|unknown|healthy) +(prod|staging|dev)-[a-z]+-\d\d /.test(l));
}

/** The cluster on the pipeline line marked selected, once the table is drawn. */
function selectedPipelineCluster(screen: string): string | undefined {
  return /^> \S+ +(\S+) /m.exec(screen)?.[1];
}

/** Lines of the fleet table that name a demo cluster (env-team-NN). */
function clusterLines(screen: string): string[] {
  return screen.split('\n').filter((l) => /\b(prod|staging|dev)-[a-z]+-\d\d\b/.test(l));
}

describe('flotilla demo in tmux', () => {
  let tmux: TmuxSession;
  let data: string;

  beforeAll(() => {
    assertBuilt();
    if (!tmuxAvailable()) throw new Error('tmux is not installed: .ci/run installs it (apt-get install tmux)');
    data = tempDir('flotilla-e2e-');
    const home = tempDir('flotilla-e2e-home-');
    const cmd = `${shellQuote(process.execPath)} ${shellQuote(CLI)} demo --clusters 12 --data ${shellQuote(join(data, 'demo'))}`;
    tmux = startTmux(`sh -c ${shellQuote(`${cmd}; echo "flotilla exited $?"; sleep 600`)}`, {
      cols: 120,
      rows: 32,
      env: { CI: 'false', TERM: 'xterm-256color', XDG_CONFIG_HOME: join(home, 'c'), XDG_DATA_HOME: join(home, 'd'), XDG_STATE_HOME: join(home, 's') },
    });
  });

  afterAll(() => {
    tmux?.kill();
    cleanupTempDirs();
  });

  it('shows the fleet table with every cluster', async () => {
    const screen = await tmux.waitForText(/12 clusters/, 60_000);
    expect(screen).toContain('NAME');
    await tmux.waitForText(/healthy/, 30_000);
    // several frames later (agents report every few seconds) the screen is still in place
    await new Promise((r) => setTimeout(r, 3000));
    expectHeaderOnTop(tmux.capture());
    expect(tmux.paneState().alternateOn).toBe(true);
  });

  it('opens and closes help generated from the keymap', async () => {
    tmux.type('?');
    const help = await tmux.waitForText('Keys');
    expect(help).toMatch(/quit/i);
    tmux.sendKeys('Escape');
    expectHeaderOnTop(await tmux.waitForText(FLEET_HEADER));
  });

  it('filters the fleet with /', async () => {
    tmux.type('/');
    tmux.type('prod');
    tmux.sendKeys('Enter');
    const screen = await tmux.waitForText(/\/prod/);
    const lines = await (async () => {
      // the filter applies on the next frame; wait until only prod clusters are listed
      for (let i = 0; i < 50; i += 1) {
        const l = clusterLines(tmux.capture());
        if (l.length > 0 && l.every((x) => /prod-/.test(x))) return l;
        await new Promise((r) => setTimeout(r, 100));
      }
      return clusterLines(tmux.capture());
    })();
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).toMatch(/prod-/);
    expect(screen).not.toMatch(/staging-[a-z]+-\d\d/);
  });

  it('drills into a cluster and goes back', async () => {
    tmux.sendKeys('Enter');
    const detail = await tmux.waitForText(/Workloads/, 20_000);
    expect(detail).toContain('Nodes');
    expect(detail).toContain('Events');
    expect(detail).toMatch(/prod-[a-z]+-\d\d/);
    expectHeaderOnTop(detail);
    tmux.sendKeys('Escape');
    expectHeaderOnTop(await tmux.waitForText(FLEET_HEADER));
  });

  it('opens :logs level:error, follows, pauses, jumps with n, opens a context and goes back', async () => {
    tmux.type(':');
    await tmux.waitForText(/^:/m);
    tmux.type('logs level:error failed');
    tmux.sendKeys('Enter');
    // The demo's faults write bursts of upstream errors ("connect() failed"), so matches arrive and follow.
    const following = await tmux.waitForText(/^Logs level:error failed {2}[1-9]\d* lines · following/m, 60_000);
    expectHeaderOnTop(following);
    tmux.type('k');
    await tmux.waitForText(/^Logs level:error failed {2}\d+ lines · paused/m);
    tmux.type('n');
    // The selected line is a match: an error line whose message holds the query's word, or is cut
    // at the pane's edge before it (an nginx error line puts "connect() failed" past the message column).
    const jumped = await tmux.waitForText(/^> \S+ .* ERROR .*(failed|…)\s*$/m);
    expect(jumped).toMatch(/^Logs level:error failed/m);
    tmux.sendKeys('Enter');
    // The title names the source and the counts; a long pod name (an ingress controller's) cuts it
    // at the pane's edge, after the source.
    const context = await tmux.waitForText(/^Context \S+ \S+\/\S+\/\S+ {2}(\d+ before · \d+ after · [1-9]\d* matching \(n\/N\)|\d+ before · .*…\s*$)/m, 20_000);
    expect(context).toContain('(the hit)');
    tmux.sendKeys('Escape');
    await tmux.waitForText(/^Logs level:error failed/m);
    tmux.sendKeys('Escape');
    expectHeaderOnTop(await tmux.waitForText(FLEET_HEADER));
  });

  it('opens the pipeline with P, drills into a cluster and back, and opens it from a cluster on that cluster', async () => {
    tmux.type('P');
    const screen = await tmux.waitForText(/^Pipeline · \d+[smhd] old · 12 clusters: /m, 20_000);
    expectHeaderOnTop(screen);
    expect(screen).toMatch(PIPELINE_HEADER);
    // Health and rates move with the demo's faults; which clusters are listed and how they ship do not.
    const rows = pipelineLines(screen);
    expect(rows).toHaveLength(12);
    expect(rows.filter((l) => / daemon /.test(l)).length).toBeGreaterThan(0);
    const first = selectedPipelineCluster(screen);
    expect(first).toMatch(/^(prod|staging|dev)-[a-z]+-\d\d$/);

    // The selection follows its cluster as rows reorder, so after j it names another one until moved again.
    tmux.type('j');
    const moved = await tmux.waitForText(new RegExp(`^> \\S+ +(?!${first} )\\S+ `, 'm'));
    const chosen = selectedPipelineCluster(moved)!;
    tmux.sendKeys('Enter');
    // The title, then the sections: the pipeline's detail lines also start with the cluster's name.
    expectHeaderOnTop(await tmux.waitForText(new RegExp(`^${chosen} {2}\\S+[\\s\\S]*Workloads`, 'm'), 20_000));
    tmux.sendKeys('Escape');
    const back = await tmux.waitForText(PIPELINE_HEADER);
    expect(selectedPipelineCluster(back)).toBe(chosen);

    tmux.sendKeys('Escape');
    await tmux.waitForText(FLEET_HEADER);
    tmux.sendKeys('Enter');
    const cluster = await tmux.waitForText(/Workloads/, 20_000);
    const name = /^((prod|staging|dev)-[a-z]+-\d\d) {2}/m.exec(cluster)?.[1] ?? '';
    expect(name).toMatch(/^prod-/);
    tmux.type('P');
    const scoped = await tmux.waitForText(new RegExp(`^> \\S+ +${name} `, 'm'), 20_000);
    expect(pipelineLines(scoped)).toHaveLength(12);
    tmux.sendKeys('Escape');
    await tmux.waitForText(new RegExp(`^${name} {2}\\S+[\\s\\S]*Workloads`, 'm'));
    tmux.sendKeys('Escape');
    expectHeaderOnTop(await tmux.waitForText(FLEET_HEADER));
  });

  it('quits with q, stops the fleet and restores the terminal', async () => {
    tmux.type('q');
    const screen = await tmux.waitForText(/flotilla exited \d+/, 30_000);
    expect(screen).toContain('flotilla exited 0');
    expect(tmux.paneState().alternateOn).toBe(false);
    // The console drew only on the alternate screen: nothing of it is left on the normal one.
    expect(screen).not.toContain('NAME');
  });
});
