// `flotilla job` end to end: the built CLI against a daemon process, with an in-test agent that
// verifies the job envelopes the daemon signs and writes signed results back into the store.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../../config/schemas.js';
import type { JobRecord } from '../../../core/jobs.js';
import { publicKeyFromBase64 } from '../../../core/keys.js';
import { DirStore } from '../../../core/store/dir.js';
import { FakeJobAgent } from '../../harness/fake-job-agent.js';
import { assertBuilt, killAll, runCli, waitUntil, type Proc } from '../../harness/proc.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';
import { startControlPlane } from '../../harness/control-plane.js';

let env: NodeJS.ProcessEnv;
let daemon: Proc;
let work: string;
const agents = new Map<string, FakeJobAgent>();

async function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runCli(args, { env, cwd: work });
}

async function addAgent(name: string, label: string): Promise<void> {
  const res = await cli(['cluster', 'add', name, '--label', label, '--out', `${name}.yaml`]);
  expect(res.code).toBe(0);
  const bundle = AgentConfigSchema.parse(parse(readFileSync(join(work, `${name}.yaml`), 'utf8')));
  if (bundle.store.type !== 'dir') throw new Error('expected a dir store');
  const agent = new FakeJobAgent(bundle, new DirStore(bundle.store.path), { keyid: bundle.controlPlane.keyid, key: publicKeyFromBase64(bundle.controlPlane.publicKey) });
  await agent.register();
  await waitUntil(async () => (JSON.parse((await cli(['cluster', 'list', '--json'])).stdout) as { name: string; registration: string }[]).some((r) => r.name === name && r.registration === 'registered'), { what: `${name} registered` });
  await agent.report();
  agents.set(name, agent);
}

beforeAll(async () => {
  assertBuilt();
  work = tempDir();
  ({ daemon, env } = await startControlPlane(join(work, 'cp')));
  await addAgent('alpha', 'env=staging');
  await addAgent('bravo', 'env=staging');
});

afterAll(async () => {
  if (daemon) await daemon.stop();
  killAll();
  cleanupTempDirs();
});

describe('flotilla job', () => {
  it('submits a job, the agent runs it, and list/show report it succeeded', async () => {
    const res = await cli(['job', 'submit', 'alpha', 'scale', '--param', 'namespace=apps', '--param', 'name=app-1', '--param', 'replicas=4', '--json']);
    expect(res.code).toBe(0);
    const submitted = (JSON.parse(res.stdout) as { jobs: JobRecord[] }).jobs[0] as JobRecord;
    expect(submitted).toMatchObject({ cluster: 'alpha', type: 'scale', state: 'dispatched', params: { replicas: 4 } });
    const agent = agents.get('alpha') as FakeJobAgent;
    const [read] = await agent.jobs();
    expect(read?.payload.id).toBe(submitted.id);
    await agent.finish(read!, { detail: 'scaled apps/app-1 to 4' });
    await waitUntil(async () => (JSON.parse((await cli(['job', 'show', submitted.id, '--json'])).stdout) as JobRecord).state === 'succeeded', { what: 'succeeded' });
    const show = await cli(['job', 'show', submitted.id]);
    expect(show.stdout).toMatch(/^state:\s+succeeded$/m);
    expect(show.stdout).toMatch(/^result:\s+succeeded: scaled apps\/app-1 to 4$/m);
    const list = await cli(['job', 'list', '--cluster', 'alpha']);
    expect(list.stdout.split('\n')[0]).toMatch(/^ID\s+CLUSTER\s+SEQ\s+TYPE\s+STATE/);
    expect(list.stdout).toContain(submitted.id);
  });

  it('needs --yes for a destructive fleet job, and shows the blast radius with --dry-run', async () => {
    const refused = await cli(['job', 'submit', '--selector', 'env=staging', 'drain', '--param', 'node=alpha-node-0']);
    expect(refused.code).toBe(64);
    expect(refused.stderr).toMatch(/^next: .*--yes/m);
    const dry = await cli(['job', 'submit', '--selector', 'env=staging', 'drain', '--param', 'node=alpha-node-0', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('alpha:\n  node alpha-node-0 (schedulable, 20 pods to evict)\n');
    expect(dry.stdout).toContain('bravo:\n');
    const ok = await cli(['job', 'submit', '--selector', 'env=staging', 'drain', '--param', 'node=alpha-node-0', '--yes', '--expires', '30m']);
    expect(ok.code).toBe(0);
    expect(ok.stderr).toMatch(/2 job\(s\) submitted as fleet job/);
  });

  it('cancels a job and refuses bad invocations with usage errors', async () => {
    const res = await cli(['job', 'submit', 'bravo', 'cordon', '--param', 'node=bravo-node-1', '--json']);
    const id = (JSON.parse(res.stdout) as { jobs: JobRecord[] }).jobs[0]?.id ?? '';
    const cancel = await cli(['job', 'cancel', id]);
    expect(cancel.code).toBe(0);
    expect(cancel.stderr).toMatch(/cancel issued/);
    expect((await cli(['job', 'submit', 'bravo'])).code).toBe(64);
    expect((await cli(['job', 'submit', 'bravo', 'reboot'])).stderr).toMatch(/unknown job type/);
    expect((await cli(['job', 'show', 'nope'])).code).toBe(64);
  });
});
