import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Io } from '../../../cli/io.js';
import { runCli } from '../../../cli/program.js';
import { VERSION } from '../../../core/version.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';

afterAll(cleanupTempDirs);

function captureIo(env: NodeJS.ProcessEnv = {}): Io & { stdout: string; stderr: string } {
  const home = tempDir();
  const io = {
    stdout: '',
    stderr: '',
    out: (t: string) => void (io.stdout += t),
    err: (t: string) => void (io.stderr += t),
    env: { HOME: home, XDG_CONFIG_HOME: home, XDG_DATA_HOME: home, XDG_STATE_HOME: home, ...env },
    cwd: home,
  };
  return io;
}

describe('flotilla command line', () => {
  it('prints the version on stdout and exits 0', async () => {
    const io = captureIo();
    expect(await runCli(['--version'], io)).toBe(0);
    expect(io.stdout).toBe(`${VERSION}\n`);
  });

  it('prints help listing every command', async () => {
    const io = captureIo();
    expect(await runCli(['--help'], io)).toBe(0);
    for (const cmd of ['tui', 'demo', 'init', 'daemon', 'agent', 'cluster', 'token', 'info']) expect(io.stdout).toContain(cmd);
  });

  it.each([
    [['cluster', 'add', 'Edge_01'], /"Edge_01" is not a valid cluster name/],
    [['daemon', '--listen', 'localhost'], /--listen.*expected \[HOST:\]PORT/],
    [['restore', '--backup'], /option '--backup <id>' argument missing/],
    [['cluster', 'list', '--bogus'], /unknown option '--bogus'/],
    [['token', 'create', '--role', 'root'], /--role <role>' argument 'root' is invalid/],
    [['demo', '--clusters', 'many'], /expected a whole number/],
    [['cluster', 'add', 'x', '--ttl', 'soon', '--out', 'b.yaml'], /not a duration/],
    [['clusterz'], /too many arguments|unknown command/],
  ])('%j is a usage error: exit 64 with a next step', async (argv, message) => {
    const io = captureIo();
    expect(await runCli(argv, io)).toBe(64);
    expect(io.stderr).toMatch(message);
    expect(io.stderr).toMatch(/next: /);
    expect(io.stdout).toBe('');
  });

  it('rejects a bad label before contacting any daemon', async () => {
    const io = captureIo({ FLOTILLA_SERVER: 'http://127.0.0.1:1' });
    expect(await runCli(['cluster', 'add', 'x', '--label', 'env', '--out', 'b.yaml', '--token', 't'], io)).toBe(64);
    expect(io.stderr).toBe(`error: label "env" is not key=value\nnext: Write labels as --label key=value, e.g. --label env=prod --label team=payments (letters, digits, "-", "_", ".", at most 63 characters).\n`);
  });

  it('asks for a token when a listing has none (exit 77)', async () => {
    const io = captureIo();
    expect(await runCli(['cluster', 'list'], io)).toBe(77);
    expect(io.stderr).toMatch(/^error: no API token for http:\/\/127\.0\.0\.1:7420, and not signed in to it\nnext: sign in with `flotilla login`, or pass --token or set FLOTILLA_TOKEN \(an admin creates one with `flotilla token create`\)\n$/);
  });

  it('reports a missing daemon config as exit 78 naming the file', async () => {
    const io = captureIo();
    expect(await runCli(['daemon'], io)).toBe(78);
    expect(io.stderr).toContain(`${io.env.XDG_DATA_HOME as string}/flotilla/daemon.yaml: cannot read config (ENOENT)`);
    expect(io.stderr).toMatch(/next: .*flotilla init/);
  });

  it('with --json, prints the error as a JSON object on stdout too, exit code unchanged', async () => {
    const noToken = captureIo();
    expect(await runCli(['cluster', 'list', '--json'], noToken)).toBe(77);
    expect(JSON.parse(noToken.stdout)).toEqual({ error: { code: 'unauthenticated', message: 'no API token for http://127.0.0.1:7420, and not signed in to it', next: 'sign in with `flotilla login`, or pass --token or set FLOTILLA_TOKEN (an admin creates one with `flotilla token create`)' } });
    expect(noToken.stderr).toMatch(/^error: no API token/);

    const badOption = captureIo();
    expect(await runCli(['cluster', 'list', '--json', '--bogus'], badOption)).toBe(64);
    expect(JSON.parse(badOption.stdout)).toEqual({ error: { code: 'usage', message: "unknown option '--bogus'", next: expect.stringMatching(/flotilla --help/) as unknown } });

    const without = captureIo();
    expect(await runCli(['cluster', 'list'], without)).toBe(77);
    expect(without.stdout).toBe('');
  });

  it('info works without a daemon and says it does not answer', async () => {
    const io = captureIo({ FLOTILLA_SERVER: 'http://127.0.0.1:1' });
    expect(await runCli(['info', '--json'], io)).toBe(0);
    const report = JSON.parse(io.stdout);
    expect(report.server).toMatchObject({ url: 'http://127.0.0.1:1', source: 'env', reachable: false });
    expect(report.paths.clientConfig).toBe(`${io.env.XDG_CONFIG_HOME as string}/flotilla/config.yaml`);
    expect(report.daemon).toBeNull();
  });
});

describe('bare flotilla', () => {
  it('opens the console, which first needs a token', async () => {
    const io = captureIo();
    expect(await runCli([], io)).toBe(77);
    expect(io.stderr).toMatch(/next: sign in with `flotilla login`, or pass --token or set FLOTILLA_TOKEN/);
  });
});

describe('flotilla demo', () => {
  it('without a terminal, refuses before starting anything and points at --no-tui', async () => {
    const io = captureIo();
    const data = `${io.cwd}/demo`;
    expect(await runCli(['demo', '--data', data], io)).toBe(64);
    expect(io.stderr).toMatch(/next: .*flotilla demo --no-tui/);
    expect(existsSync(data)).toBe(false);
  });
});
