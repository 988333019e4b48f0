// `flotilla metrics config` and `flotilla metrics dashboards` end to end: the built CLI against a
// daemon process with two clusters. The central file_sd file lists the daemon's clusters, and every
// file written passes promtool.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, killAll, runCli, type Proc } from '../../harness/proc.js';
import { startControlPlane } from '../../harness/control-plane.js';
import { promtool } from '../../harness/promtool.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';

let env: NodeJS.ProcessEnv;
let daemon: Proc;
let work: string;

const cli = (args: string[]) => runCli(args, { env, cwd: work });

beforeAll(async () => {
  assertBuilt();
  work = tempDir();
  ({ daemon, env } = await startControlPlane(join(work, 'cp')));
  for (const name of ['prod-eu-1', 'sim-eu-1']) expect((await cli(['cluster', 'add', name, '--out', `${name}.yaml`])).code).toBe(0);
});

afterAll(async () => {
  if (daemon) await daemon.stop();
  killAll();
  cleanupTempDirs();
});

describe('flotilla metrics config', () => {
  it('--central lists the daemon\'s clusters in clusters.json, and the config passes promtool', async () => {
    const res = await cli(['metrics', 'config', '--central', '--out', 'central', '--edge-pattern', 'prometheus.{cluster}.example:9090', '--remote-write-cluster', 'sim-eu-1']);
    expect(res.code, res.stderr).toBe(0);
    const dir = join(work, 'central');
    expect(res.stdout.trim().split('\n')).toEqual(['prometheus.yml', 'clusters.json', 'rules.yml', 'prometheus.flags'].map((f) => `created   ${join(dir, f)}`));
    expect(JSON.parse(readFileSync(join(dir, 'clusters.json'), 'utf8'))).toEqual([{ targets: ['prometheus.prod-eu-1.example:9090'], labels: { cluster: 'prod-eu-1' } }]);
    const check = promtool(['check', 'config', join(dir, 'prometheus.yml')]);
    expect(check.status, check.output).toBe(0);
  });

  it('--edge writes a config that passes promtool, without asking the daemon', async () => {
    const res = await runCli(['metrics', 'config', '--edge', 'sim-eu-1', '--backend', 'sim', '--agent-target', '127.0.0.1:9464', '--out', 'edge'], { env: { ...env, FLOTILLA_SERVER: 'http://127.0.0.1:1' }, cwd: work });
    expect(res.code, res.stderr).toBe(0);
    const check = promtool(['check', 'config', join(work, 'edge', 'prometheus.yml')]);
    expect(check.status, check.output).toBe(0);
  });

  it('refuses neither --edge nor --central with exit 64', async () => {
    const res = await cli(['metrics', 'config']);
    expect(res.code).toBe(64);
    expect(res.stderr).toMatch(/next: /);
  });
});

describe('flotilla metrics dashboards', () => {
  it('writes both dashboards into --out', async () => {
    const res = await cli(['metrics', 'dashboards', '--out', 'grafana', '--json']);
    expect(res.code, res.stderr).toBe(0);
    const written = JSON.parse(res.stdout) as { path: string; state: string }[];
    expect(written.map((w) => [w.path, w.state])).toEqual([
      [join(work, 'grafana', 'flotilla-fleet.json'), 'created'],
      [join(work, 'grafana', 'flotilla-cluster.json'), 'created'],
    ]);
    expect((JSON.parse(readFileSync(join(work, 'grafana', 'flotilla-cluster.json'), 'utf8')) as { uid: string }).uid).toBe('flotilla-cluster');
  });
});
