// `flotilla cluster logging` end to end: the built CLI against a daemon process with one registered
// cluster. It writes the signed logging config and submits configure-logging (what the agent does with
// it is test/integration/agent/logging-rabbitmq.test.ts); a transport the daemon cannot serve, an
// unknown transport and an unknown cluster each exit with their code and say what to do. And
// `flotilla pipeline`, which shows the cluster before and after its agent's first report.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../../config/schemas.js';
import { EXIT_CODES } from '../../../core/errors.js';
import { publicKeyFromBase64 } from '../../../core/keys.js';
import { DirStore } from '../../../core/store/dir.js';
import { FakeJobAgent } from '../../harness/fake-job-agent.js';
import { assertBuilt, killAll, runCli, waitUntil, type Proc } from '../../harness/proc.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';
import { startControlPlane } from '../../harness/control-plane.js';

let env: NodeJS.ProcessEnv;
let daemon: Proc;
let work: string;

const cli = (args: string[]) => runCli(args, { env, cwd: work });

beforeAll(async () => {
  assertBuilt();
  work = tempDir();
  ({ daemon, env } = await startControlPlane(join(work, 'cp')));
  expect((await cli(['cluster', 'add', 'alpha', '--out', 'alpha.yaml'])).code).toBe(0);
  const bundle = AgentConfigSchema.parse(parse(readFileSync(join(work, 'alpha.yaml'), 'utf8')));
  if (bundle.store.type !== 'dir') throw new Error('expected a dir store');
  await new FakeJobAgent(bundle, new DirStore(bundle.store.path), { keyid: bundle.controlPlane.keyid, key: publicKeyFromBase64(bundle.controlPlane.publicKey) }).register();
  await waitUntil(async () => (JSON.parse((await cli(['cluster', 'list', '--json'])).stdout) as { name: string; registration: string }[]).some((r) => r.name === 'alpha' && r.registration === 'registered'), { what: 'alpha registered' });
});

afterAll(async () => {
  if (daemon) await daemon.stop();
  killAll();
  cleanupTempDirs();
});

describe('flotilla cluster logging', () => {
  it('writes the config and submits configure-logging, a new version each time, and says how to follow the job', async () => {
    for (const version of [1, 2]) {
      const res = await cli(['cluster', 'logging', 'alpha', '--transport', 'daemon', '--json']);
      expect(res.code).toBe(0);
      const out = JSON.parse(res.stdout) as { cluster: string; version: number; transport: string; job: { id: string; type: string } };
      expect(out).toMatchObject({ cluster: 'alpha', version, transport: 'daemon', job: { type: 'configure-logging' } });
      expect(res.stderr).toContain(`flotilla job show ${out.job.id}`);
    }
    const jobs = JSON.parse((await cli(['job', 'list', '--cluster', 'alpha', '--json'])).stdout) as { type: string; params: { version: number } }[];
    expect(jobs.filter((j) => j.type === 'configure-logging').map((j) => j.params.version).sort()).toEqual([1, 2]);
  });

  it('refuses rabbitmq without a central broker (config, naming logs.rabbitmq), an unknown transport (usage) and an unknown cluster', async () => {
    const rabbit = await cli(['cluster', 'logging', 'alpha', '--transport', 'rabbitmq']);
    expect(rabbit.code).toBe(EXIT_CODES.config);
    expect(rabbit.stderr).toMatch(/next: .*logs\.rabbitmq/);
    const kafka = await cli(['cluster', 'logging', 'alpha', '--transport', 'kafka']);
    expect(kafka.code).toBe(EXIT_CODES.usage);
    expect(kafka.stderr).toMatch(/rabbitmq|daemon/);
    const nobody = await cli(['cluster', 'logging', 'nobody', '--transport', 'daemon']);
    expect(nobody.code).toBe(EXIT_CODES.usage);
    expect(nobody.stderr).toMatch(/next: /);
  });
});

describe('flotilla pipeline', () => {
  it('shows each cluster’s log pipeline, as JSON and as a table with the fleet totals', async () => {
    const json = await cli(['pipeline', '--json']);
    expect(json.code).toBe(0);
    const snapshot = JSON.parse(json.stdout) as { rows: { cluster: string; health: string; reasons: string[] }[]; totals: { clusters: number } };
    expect(snapshot.totals.clusters).toBe(1);
    expect(snapshot.rows[0]).toMatchObject({ cluster: 'alpha', health: 'unknown' });
    const text = await cli(['pipeline']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^CLUSTER\s+HEALTH\s+TRANSPORT/);
    expect(text.stdout).toMatch(/\nalpha\s+unknown\s+-/);
    expect(text.stdout).toContain('fleet: 1 cluster (1 unknown)');
    expect(text.stdout).toContain('alpha: no status report yet');
  });
});
