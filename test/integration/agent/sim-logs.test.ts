// The simulated cluster's log writer against a real directory: kubelet's layout, strict CRI lines, a new
// file per restart, rotation by size, and a deleted pod's directory removed after the grace period.
// Time is passed in by hand, so nothing waits on the writer's timer except the backend test, which polls.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { globSync } from 'tinyglobby';
import { afterAll, describe, expect, it } from 'vitest';
import { openBackend } from '../../../agent/backends.js';
import { SIM_CRI_GLOB } from '../../../agent/sim/log-cri.js';
import { SimLogFiles } from '../../../agent/sim/log-files.js';
import { createSimState } from '../../../agent/sim/model.js';
import { createRng } from '../../../agent/sim/rng.js';
import type { SimState } from '../../../agent/sim/state.js';
import { AgentConfigSchema, SimConfigSchema, type SimLogsConfig } from '../../../config/schemas.js';
import { waitUntil } from '../../harness/proc.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';

afterAll(cleanupTempDirs);

const T0 = Date.parse('2026-03-01T10:00:00Z');
/** containerd's line: RFC3339Nano (UTC), stream, partial tag, text. */
const CRI_LINE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z) (stdout|stderr) ([PF]) (.*)$/;
const POD_DIR = /^([a-z0-9-]+)_([a-z0-9-]+)_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

function cluster(): SimState {
  return createSimState(SimConfigSchema.parse({ seed: 11, nodes: 3, deployments: 16, faultRate: 0 }), new Date(T0), createRng(11));
}

function writer(root: string, logs: Partial<SimLogsConfig> = {}): SimLogFiles {
  return new SimLogFiles({ root, seed: 99, config: SimConfigSchema.parse({ logs }).logs, startMs: T0 });
}

/** Writes `count` 200 ms windows starting at `fromMs`; returns the next instant. */
function writeFor(w: SimLogFiles, state: SimState, fromMs: number, count: number): number {
  let now = fromMs;
  for (let i = 0; i < count; i += 1) {
    now += 200;
    expect(w.write(state, now).failures).toBe(0);
  }
  return now;
}

function files(root: string): string[] {
  return globSync('pods/**/*', { cwd: root, onlyFiles: true }).sort();
}

function podDir(root: string, state: SimState, name: string): string {
  const pod = state.pods.find((p) => p.name === name)!;
  return join(root, 'pods', `${pod.namespace}_${pod.name}_${pod.uid}`);
}

describe('sim log files', () => {
  it("writes one <restartCount>.log per running container in kubelet's layout, every line strict CRI", () => {
    const root = tempDir();
    const state = cluster();
    writeFor(writer(root), state, T0, 100);
    const written = files(root);
    const running = state.pods.filter((p) => p.phase === 'Running');
    expect(written.length).toBe(running.length);
    for (const path of written) {
      const [top, dir, container, file] = path.split('/');
      expect(top).toBe('pods');
      const [, ns, name, uid] = POD_DIR.exec(dir!)!;
      const pod = state.pods.find((p) => p.namespace === ns && p.name === name)!;
      expect(pod.uid).toBe(uid);
      expect(container).toBe(state.workloads[pod.workload]!.container);
      expect(file).toBe(`${pod.restarts}.log`);
      const lines = readFileSync(join(root, path), 'utf8').split('\n');
      expect(lines.pop()).toBe('');
      let previous = '';
      let open = false;
      for (const line of lines) {
        const m = CRI_LINE.exec(line);
        expect(m, line).not.toBeNull();
        const ts = m![1]!;
        // Fractions are trimmed like Go's, so compare as instants with nanoseconds.
        const key = `${ts.slice(0, 19)}.${(ts.slice(20, -1) || '0').padEnd(9, '0')}`;
        expect(key >= previous).toBe(true);
        previous = key;
        open = m![3] === 'P';
      }
      expect(open).toBe(false);
    }
    // The agent's default sim input finds exactly these files.
    expect(globSync(SIM_CRI_GLOB.replace(/^sim-logs\//, ''), { cwd: root }).sort()).toEqual(written);
  });

  it('starts a new file on a restart, keeps the previous run and removes older ones', () => {
    const root = tempDir();
    const state = cluster();
    const w = writer(root);
    const pod = state.pods.find((p) => p.namespace === 'payments' && p.phase === 'Running')!;
    const dir = join(podDir(root, state, pod.name), state.workloads[pod.workload]!.container);
    let now = writeFor(w, state, T0, 10);
    expect(readdirSync(dir)).toEqual(['0.log']);
    pod.restarts = 1;
    now = writeFor(w, state, now, 10);
    expect(readdirSync(dir).sort()).toEqual(['0.log', '1.log']);
    expect(readFileSync(join(dir, '1.log'), 'utf8').split('\n')[0]).toMatch(/"msg":"starting /);
    pod.restarts = 2;
    writeFor(w, state, now, 10);
    expect(readdirSync(dir).sort()).toEqual(['1.log', '2.log']);
  });

  it('rotates a file at rotateBytes to <n>.log.<YYYYMMDD-HHMMSS>, keeping keepRotated of them', () => {
    const root = tempDir();
    const state = cluster();
    writeFor(writer(root, { rotateBytes: 4096, keepRotated: 2, linesPerSecond: 200 }), state, T0, 150);
    const dirs = globSync('pods/*/*', { cwd: root, onlyDirectories: true });
    let rotatedSeen = 0;
    for (const d of dirs) {
      const names = readdirSync(join(root, d));
      const rotated = names.filter((n) => /^\d+\.log\.\d{8}-\d{6}$/.test(n));
      expect(rotated.length).toBeLessThanOrEqual(2);
      expect(names.filter((n) => !rotated.includes(n))).toEqual(['0.log']);
      rotatedSeen += rotated.length;
      for (const r of rotated) {
        const lines = readFileSync(join(root, d, r), 'utf8').trimEnd().split('\n');
        for (const line of lines) expect(line).toMatch(CRI_LINE);
      }
    }
    expect(rotatedSeen).toBeGreaterThan(dirs.length);
  });

  it("removes a deleted pod's directory only after the grace period", () => {
    const root = tempDir();
    const state = cluster();
    const w = writer(root, { deletedPodGraceSeconds: 60 });
    let now = writeFor(w, state, T0, 5);
    const gone = state.pods.find((p) => p.phase === 'Running')!;
    const dir = podDir(root, state, gone.name);
    expect(existsSync(dir)).toBe(true);
    state.pods = state.pods.filter((p) => p !== gone);
    now = writeFor(w, state, now, 1);
    const deletedAt = now;
    now = writeFor(w, state, now, (59_000 / 200) | 0);
    expect(now - deletedAt).toBeLessThan(60_000);
    expect(existsSync(dir)).toBe(true);
    const result = w.write(state, deletedAt + 60_000);
    expect(result.removedPods).toBe(1);
    expect(existsSync(dir)).toBe(false);
    expect(files(root).length).toBe(state.pods.filter((p) => p.phase === 'Running').length);
  });

  it('gives the same files for the same seed', () => {
    const [a, b] = [tempDir(), tempDir()];
    writeFor(writer(a), cluster(), T0, 50);
    writeFor(writer(b), cluster(), T0, 50);
    const listing = files(a);
    expect(files(b)).toEqual(listing);
    for (const f of listing) expect(readFileSync(join(b, f), 'utf8')).toBe(readFileSync(join(a, f), 'utf8'));
  });

  it("the sim backend writes under the agent data dir's sim-logs on its own timer, and stops on close", async () => {
    const dataDir = tempDir();
    const config = AgentConfigSchema.parse({
      apiVersion: 'flotilla/v1',
      kind: 'AgentBundle',
      cluster: 'sim-logs',
      store: { type: 'dir', path: join(dataDir, 'store') },
      controlPlane: { keyid: 'k', publicKey: 'p' },
      bootstrapToken: 'bootstrap-token-0123456789abcdef',
      sim: { seed: 3, nodes: 2, deployments: 4, faultRate: 0, logs: { linesPerSecond: 200 } },
    });
    const backend = openBackend(config, new Date(), dataDir);
    try {
      const found = await waitUntil(() => {
        const matches = globSync(SIM_CRI_GLOB, { cwd: dataDir });
        return matches.length > 0 && matches.some((m) => readFileSync(join(dataDir, m), 'utf8').split('\n').length > 5) ? matches : null;
      }, { what: 'sim log files with lines' });
      for (const m of found) expect(relative(dataDir, join(dataDir, m)).startsWith('sim-logs/pods/')).toBe(true);
    } finally {
      await backend.close();
    }
  });

  it('writes nothing when sim.logs.enabled is false', async () => {
    const dataDir = tempDir();
    const config = AgentConfigSchema.parse({
      apiVersion: 'flotilla/v1',
      kind: 'AgentBundle',
      cluster: 'sim-quiet',
      store: { type: 'dir', path: join(dataDir, 'store') },
      controlPlane: { keyid: 'k', publicKey: 'p' },
      bootstrapToken: 'bootstrap-token-0123456789abcdef',
      sim: { seed: 3, nodes: 2, deployments: 4, faultRate: 0, logs: { enabled: false } },
    });
    const backend = openBackend(config, new Date(), dataDir);
    await backend.collect(new Date());
    await backend.close();
    expect(existsSync(join(dataDir, 'sim-logs'))).toBe(false);
  });
});
