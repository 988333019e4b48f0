// Cluster and token administration through the built CLI against a real daemon, plus an agent run
// from the bundle `cluster add` wrote.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterRow } from '../../../core/fleet.js';
import { assertBuilt, killAll, runCli, startCli, waitUntil, type Proc } from '../../harness/proc.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';
import { startControlPlane } from '../../harness/control-plane.js';

let env: NodeJS.ProcessEnv;
let daemon: Proc;
let work: string;

async function cli(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runCli(args, { env: { ...env, ...extraEnv }, cwd: work });
}

beforeAll(async () => {
  assertBuilt();
  work = tempDir();
  ({ daemon, env } = await startControlPlane(join(work, 'cp')));
});

afterAll(async () => {
  if (daemon) await daemon.stop();
  killAll();
  cleanupTempDirs();
});

describe('cluster add, list, rm', () => {
  it('adds a cluster and writes a private, commented bundle', async () => {
    const res = await cli(['cluster', 'add', 'edge-01', '--label', 'env=prod', '--label', 'team=payments', '--ttl', '24h', '--interval', '2', '--out', 'edge-01.yaml']);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('');
    const bundlePath = join(work, 'edge-01.yaml');
    expect(res.stderr).toContain(`bundle written to ${bundlePath}`);
    expect(statSync(bundlePath).mode & 0o777).toBe(0o600);
    const text = readFileSync(bundlePath, 'utf8');
    expect(text).toMatch(/^# Flotilla agent bootstrap bundle for cluster "edge-01"/);
    const bundle = parse(text);
    expect(bundle).toMatchObject({ apiVersion: 'flotilla/v1', kind: 'AgentBundle', cluster: 'edge-01', status: { intervalSeconds: 2 } });
    expect(typeof bundle.bootstrapToken).toBe('string');
  });

  it('refuses to overwrite an existing bundle before adding anything', async () => {
    const res = await cli(['cluster', 'add', 'edge-02', '--out', 'edge-01.yaml']);
    expect(res.code).toBe(64);
    expect(res.stderr).toMatch(/already exists/);
    const list = JSON.parse((await cli(['cluster', 'list', '--json'])).stdout) as ClusterRow[];
    expect(list.map((r) => r.name)).toEqual(['edge-01']);
  });

  it('writes ./NAME.yaml without --out, and never over an existing file', async () => {
    const first = await cli(['cluster', 'add', 'edge-03']);
    expect(first.code, first.stderr).toBe(0);
    const bundlePath = join(work, 'edge-03.yaml');
    expect(first.stderr).toContain(`bundle written to ${bundlePath}`);
    expect(statSync(bundlePath).mode & 0o777).toBe(0o600);
    expect(parse(readFileSync(bundlePath, 'utf8'))).toMatchObject({ kind: 'AgentBundle', cluster: 'edge-03' });
    const before = readFileSync(bundlePath, 'utf8');
    await cli(['cluster', 'rm', 'edge-03']);

    const again = await cli(['cluster', 'add', 'edge-03']);
    expect(again.code).toBe(64);
    expect(again.stderr).toBe(`error: ${bundlePath} already exists; a bundle is never written over a file\nnext: Pass --out with another path, or move the existing file away; nothing was added.\n`);
    expect(readFileSync(bundlePath, 'utf8')).toBe(before);
    const list = JSON.parse((await cli(['cluster', 'list', '--json'])).stdout) as ClusterRow[];
    expect(list.map((r) => r.name)).not.toContain('edge-03');
  });

  it('checks the name before using it as the default file name', async () => {
    const res = await cli(['cluster', 'add', '../escape']);
    expect(res.code).toBe(64);
    expect(res.stderr).toMatch(/not a valid cluster name/);
    expect(existsSync(join(work, '..', 'escape.yaml'))).toBe(false);
  });

  it('runs the agent from the bundle until SIGTERM, and the listing shows its reports', async () => {
    const agent = startCli(['agent', '--config', 'edge-01.yaml', '--data', 'agent-edge-01', '--backend', 'sim'], { env, cwd: work });
    await agent.waitFor(/running/, 20_000, 'stderr');
    const row = await waitUntil(
      async () => {
        const rows = JSON.parse((await cli(['cluster', 'list', '--json'])).stdout) as ClusterRow[];
        return rows.find((r) => r.name === 'edge-01' && r.reportedAt !== null);
      },
      { what: 'a status report from edge-01' },
    );
    expect(row).toMatchObject({ labels: { env: 'prod', team: 'payments' }, registration: 'registered', intervalSeconds: 2 });
    expect(row.health).not.toBe('unknown');
    expect(row.nodes.total).toBeGreaterThan(0);
    expect(typeof row.dataAgeSeconds).toBe('number');
    expect(row.expiresAt).not.toBeNull();
    expect(existsSync(join(work, 'agent-edge-01'))).toBe(true);
    expect((await agent.stop()).code).toBe(0);

    const table = await cli(['cluster', 'list']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^NAME\s+HEALTH\s+REASONS\s+K8S\s+NODES\s+PODS\s+AGE\s+LABELS\n/);
    expect(table.stdout).toMatch(/\nedge-01\s+\S+.*env=prod,team=payments\n/);
  });

  it('removes a cluster, and removing it again is not found (64)', async () => {
    expect((await cli(['cluster', 'add', 'temp-01', '--out', 'temp-01.yaml'])).code).toBe(0);
    const rm = await cli(['cluster', 'rm', 'temp-01']);
    expect(rm.code).toBe(0);
    expect(rm.stderr).toBe('cluster temp-01 removed\n');
    const again = await cli(['cluster', 'rm', 'temp-01']);
    expect(again.code).toBe(64);
    expect(again.stderr).toMatch(/^error: .*\nnext: /);
  });
});

describe('tokens and permissions', () => {
  it('creates, lists and revokes tokens; viewers and revoked tokens get 77', async () => {
    const created = await cli(['token', 'create', '--role', 'viewer', '--name', 'ci', '--json']);
    expect(created.code).toBe(0);
    const viewer = JSON.parse(created.stdout);
    expect(viewer).toMatchObject({ role: 'viewer', name: 'ci', revokedAt: null });
    expect(typeof viewer.token).toBe('string');

    const asViewer = { FLOTILLA_TOKEN: viewer.token as string };
    expect((await cli(['cluster', 'list', '--json'], asViewer)).code).toBe(0);
    const denied = await cli(['cluster', 'add', 'nope-01', '--out', 'nope.yaml'], asViewer);
    expect(denied.code).toBe(77);
    expect(denied.stderr).toMatch(/^error: .*\nnext: /);
    expect(existsSync(join(work, 'nope.yaml'))).toBe(false);

    const list = await cli(['token', 'list', '--json']);
    const items = JSON.parse(list.stdout) as { id: string; token?: string }[];
    expect(items.map((t) => t.id)).toContain(viewer.id);
    expect(items.every((t) => t.token === undefined)).toBe(true);
    const table = await cli(['token', 'list']);
    expect(table.stdout).toMatch(new RegExp(`\\n${viewer.id as string}\\s+ci\\s+viewer\\s.*active\\n`));
    expect(table.stdout).not.toContain(viewer.token);

    const revoked = await cli(['token', 'revoke', viewer.id]);
    expect(revoked.code).toBe(0);
    expect(revoked.stderr).toBe(`token ${viewer.id as string} revoked\n`);
    const after = await cli(['cluster', 'list'], asViewer);
    expect(after.code).toBe(77);
    expect((await cli(['token', 'list'])).stdout).toMatch(new RegExp(`${viewer.id as string}\\s.*revoked`));
  });

  it('creates a scoped token that lists its clusters only and gets 77 outside them; cluster label moves a cluster into its scope', async () => {
    expect((await cli(['cluster', 'add', 'pay-01', '--label', 'team=billing', '--out', 'pay-01.yaml'])).code).toBe(0);
    expect((await cli(['cluster', 'add', 'chk-01', '--label', 'team=checkout', '--out', 'chk-01.yaml'])).code).toBe(0);
    const created = await cli(['token', 'create', '--role', 'operator', '--scope', 'team=billing', '--name', 'pay-op']);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stderr).toMatch(/^token tok_\w+ \(pay-op, operator on team=billing\) created/);
    const asPay = { FLOTILLA_TOKEN: created.stdout.trim() };
    const names = async () => (JSON.parse((await cli(['cluster', 'list', '--json'], asPay)).stdout) as ClusterRow[]).map((r) => r.name);
    expect(await names()).toEqual(['pay-01']);
    const outside = await cli(['cluster', 'label', 'chk-01', 'tier=gold'], asPay);
    expect(outside.code).toBe(77);
    expect(outside.stderr).toMatch(/^error: cluster.label on cluster chk-01 needs the operator role; the cluster is outside the scope of pay-op\nnext: .*--scope SELECTOR/);
    expect((await cli(['token', 'list'])).stdout).toMatch(/pay-op\s+operator\s+team=billing\s/);

    const moved = await cli(['cluster', 'label', 'chk-01', 'team=billing', 'legacy-']);
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.stderr).toBe('cluster chk-01 labelled: team=billing\n');
    expect(await names()).toEqual(['chk-01', 'pay-01']);
    const bad = await cli(['cluster', 'label', 'chk-01', 'tier=gold', 'tier-']);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/both set and removed/);
  });

  it('prints a plain token secret on stdout only, with the notice on stderr', async () => {
    const res = await cli(['token', 'create', '--role', 'operator']);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^\S+\n$/);
    expect(res.stderr).toMatch(/operator.*shown only once/);
  });

  it('info shows the daemon details with a token', async () => {
    const res = await cli(['info', '--json']);
    expect(res.code).toBe(0);
    const info = JSON.parse(res.stdout);
    expect(info.server).toMatchObject({ reachable: true, source: 'env' });
    expect(info.daemon.identity.role).toBe('admin');
    expect(info.daemon.controlPlane.keyid).toMatch(/^ed25519:/);
  });
});
