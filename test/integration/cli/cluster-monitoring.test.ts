// `flotilla cluster monitoring` in process against a real in-process daemon with one registered
// cluster: the flags become the settings, the daemon signs the config and submits configure-monitoring
// (what the agent does with it is test/integration/agent/monitoring-prometheus.test.ts), and the CLI
// says how to follow the job; bad settings, an unknown mode and an unknown cluster exit with their code
// and say what to do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Io } from '../../../cli/io.js';
import { runCli } from '../../../cli/program.js';
import { EXIT_CODES } from '../../../core/errors.js';
import { publicKeyFromBase64 } from '../../../core/keys.js';
import { FakeJobAgent } from '../../harness/fake-job-agent.js';
import { waitUntil } from '../../harness/proc.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';
import { startFixture, type Fixture } from '../daemon/fixture.js';

let fx: Fixture;

beforeAll(async () => {
  fx = await startFixture();
  const info = (await fx.api('GET', '/api/v1/info')).body;
  const agent = new FakeJobAgent(await fx.addCluster('alpha'), fx.store, { keyid: info.controlPlane.keyid as string, key: publicKeyFromBase64(info.controlPlane.publicKey as string) });
  await agent.register();
  await waitUntil(async () => (await fx.api('GET', '/api/v1/clusters/alpha')).body.row.registration === 'registered', { what: 'alpha registered' });
});

afterAll(async () => {
  await fx?.daemon.stop();
  cleanupTempDirs();
});

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const home = tempDir();
  const io: Io & { stdout: string; stderr: string } = {
    stdout: '',
    stderr: '',
    out: (t: string) => void (io.stdout += t),
    err: (t: string) => void (io.stderr += t),
    env: { HOME: home, XDG_CONFIG_HOME: home, XDG_DATA_HOME: home, XDG_STATE_HOME: home, FLOTILLA_SERVER: fx.daemon.url, FLOTILLA_TOKEN: fx.adminToken },
    cwd: home,
  };
  const code = await runCli(argv, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

describe('flotilla cluster monitoring', () => {
  it('--show before anything is set says so and how to set it', async () => {
    const none = await cli(['cluster', 'monitoring', 'alpha', '--show']);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toBe('cluster alpha: no monitoring settings\nnext: `flotilla cluster monitoring alpha --edge-target HOST:PORT` (federate) or `--mode remote-write --remote-write-url URL` sets them (docs/METRICS.md)\n');
  });

  it('sets the settings from the flags and submits configure-monitoring, a new version each time, saying how to follow the job', async () => {
    const fed = await cli(['cluster', 'monitoring', 'alpha', '--mode', 'federate', '--edge-target', 'edge-alpha.example:9090', '--backend', 'sim', '--agent-target', '127.0.0.1:9464', '--scrape-interval', '15s', '--json']);
    expect(fed.code, fed.stderr).toBe(0);
    const out = JSON.parse(fed.stdout) as { cluster: string; version: number; settings: Record<string, string>; job: { id: string; type: string; params: { version: number } } };
    expect(out).toMatchObject({ cluster: 'alpha', version: 1, settings: { mode: 'federate', federateTarget: 'edge-alpha.example:9090', backend: 'sim', agentTarget: '127.0.0.1:9464', scrapeInterval: '15s', retention: '2h' }, job: { type: 'configure-monitoring', params: { version: 1 } } });
    expect(fed.stderr).toContain('monitoring config version 1 (federate, sim) written');
    expect(fed.stderr).toContain(`flotilla job show ${out.job.id}`);

    const rw = await cli(['cluster', 'monitoring', 'alpha', '--mode', 'remote-write', '--remote-write-url', 'https://central.example/api/v1/write', '--retention', '4h']);
    expect(rw.code, rw.stderr).toBe(0);
    expect(rw.stdout).toBe('');
    expect(rw.stderr).toContain('monitoring config version 2 (remote-write, kube) written');

    // What is kept, the version signed and the newest job, which the fake agent has not run.
    const shown = await cli(['cluster', 'monitoring', 'alpha', '--show']);
    expect(shown.code, shown.stderr).toBe(0);
    const lines = shown.stdout.split('\n');
    expect(lines[0]).toMatch(/^cluster alpha: monitoring config version 2 \(remote-write, kube\), set \d{4}-\d\d-\d\dT/);
    expect(lines.slice(1, 4)).toEqual(['  remote write     https://central.example/api/v1/write', '  scrape interval  30s', '  retention        4h']);
    expect(lines[4]).toMatch(/^last configure-monitoring: job \S+ \(seq \d+\) (pending|dispatched)$/);
    expect(lines[5]).toMatch(/^next: `flotilla job show \S+` shows when the agent has written the files/);
    const json = JSON.parse((await cli(['cluster', 'monitoring', 'alpha', '--show', '--json'])).stdout) as { configVersion: number; settings: { mode: string; retention: string }; lastJob: { type: string; params: { version: number } } };
    expect(json).toMatchObject({ configVersion: 2, settings: { mode: 'remote-write', retention: '4h' }, lastJob: { type: 'configure-monitoring', params: { version: 2 } } });
  });

  it('--show takes no settings, and names an unknown cluster', async () => {
    const mixed = await cli(['cluster', 'monitoring', 'alpha', '--show', '--retention', '1h']);
    expect(mixed.code).toBe(EXIT_CODES.usage);
    expect(mixed.stderr).toMatch(/--show changes nothing, so it takes no --retention/);
    const nobody = await cli(['cluster', 'monitoring', 'nobody', '--show']);
    expect(nobody.code).toBe(EXIT_CODES.usage);
    expect(nobody.stderr).toMatch(/no cluster named "nobody"/);
  });

  it('refuses settings the daemon would not sign (usage, naming the key), an unknown mode and an unknown cluster', async () => {
    const noTarget = await cli(['cluster', 'monitoring', 'alpha', '--mode', 'federate']);
    expect(noTarget.code).toBe(EXIT_CODES.usage);
    expect(noTarget.stderr).toMatch(/federateTarget/);
    const sim = await cli(['cluster', 'monitoring', 'alpha', '--edge-target', 'e:9090', '--backend', 'sim']);
    expect(sim.code).toBe(EXIT_CODES.usage);
    expect(sim.stderr).toMatch(/agentTarget/);
    const kafka = await cli(['cluster', 'monitoring', 'alpha', '--mode', 'kafka', '--edge-target', 'e:9090']);
    expect(kafka.code).toBe(EXIT_CODES.usage);
    expect(kafka.stderr).toMatch(/federate or remote-write/);
    const nobody = await cli(['cluster', 'monitoring', 'nobody', '--edge-target', 'e:9090']);
    expect(nobody.code).not.toBe(0);
    expect(nobody.stderr).toMatch(/next: /);
  });
});
