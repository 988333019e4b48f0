// `flotilla init` against the built CLI: files, key mode, the token shown once, --json, conflicts.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, killAll, runCli } from '../../harness/proc.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';
import { isolatedEnv } from '../../harness/control-plane.js';


beforeAll(assertBuilt);
afterAll(() => {
  killAll();
  cleanupTempDirs();
});

describe('flotilla init', () => {
  it('creates the control plane, keeps the key private and prints the admin token exactly once', async () => {
    const data = join(tempDir(), 'cp');
    const res = await runCli(['init', '--data', data, '--port', '0'], { env: isolatedEnv() });
    expect(res.code).toBe(0);
    expect(existsSync(join(data, 'daemon.yaml'))).toBe(true);
    expect(existsSync(join(data, 'registry.db'))).toBe(true);
    expect(statSync(join(data, 'keys', 'controlplane.key')).mode & 0o777).toBe(0o600);
    const token = /admin token: (\S+)/.exec(res.stdout)?.[1];
    expect(token).toBeTruthy();
    const all = res.stdout + res.stderr;
    expect(all.split(token as string)).toHaveLength(2);
    expect(res.stdout).toContain(`config: ${join(data, 'daemon.yaml')}`);
    expect(res.stderr).toMatch(/shown only this once/);
    expect(res.stderr).toContain(`flotilla daemon --config ${join(data, 'daemon.yaml')}`);
    // the secret never lands on disk in clear text
    expect(readFileSync(join(data, 'daemon.yaml'), 'utf8')).not.toContain(token);
  });

  it('--json prints exactly {token, config}', async () => {
    const data = join(tempDir(), 'cp');
    const res = await runCli(['init', '--data', data, '--json'], { env: isolatedEnv() });
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(Object.keys(out).sort()).toEqual(['config', 'token']);
    expect(out.config).toBe(join(data, 'daemon.yaml'));
    expect(typeof out.token).toBe('string');
    expect(res.stderr).toBe('');
  });

  it('defaults to $XDG_DATA_HOME/flotilla and refuses a second init with exit 64', async () => {
    const env = isolatedEnv();
    const first = await runCli(['init'], { env });
    expect(first.code).toBe(0);
    expect(existsSync(join(env.XDG_DATA_HOME as string, 'flotilla', 'daemon.yaml'))).toBe(true);
    const second = await runCli(['init'], { env });
    expect(second.code).toBe(64);
    expect(second.stderr).toMatch(/^error: .*daemon\.yaml already exists\nnext: /);
    expect(second.stdout).toBe('');
  });
});
