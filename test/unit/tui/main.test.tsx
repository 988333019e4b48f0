import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runTui } from '../../../tui/main.js';
import { ENTER_ALT_SCREEN, LEAVE_ALT_SCREEN } from '../../../tui/terminal/screen.js';
import { cleanupTempDirs, tempDir } from '../../harness/tmp.js';
import { startDaemon, TOKEN, waitFor } from './fake-daemon.js';
import { FakeStdin, FakeStdout } from './helpers.js';

afterAll(cleanupTempDirs);

async function start() {
  const daemon = await startDaemon();
  const stdout = new FakeStdout(100, 30);
  const stdin = new FakeStdin();
  const logFile = join(tempDir(), 'state', 'tui.log');
  const done = runTui({ server: daemon.url, token: TOKEN, logFile, stdin: stdin as unknown as NodeJS.ReadStream, stdout: stdout as unknown as NodeJS.WriteStream });
  const output = () => stdout.frames.join('');
  return { daemon, stdout, stdin, logFile, done, output };
}

describe('runTui', () => {
  it('shows the fleet in the alternate screen and restores the terminal on q', async () => {
    const t = await start();
    await waitFor('fleet rows on screen', () => t.output().includes('prod-eu-2'));
    expect(t.output().startsWith(ENTER_ALT_SCREEN)).toBe(true);
    t.stdout.columns = 70;
    t.stdout.emit('resize');
    await waitFor('too-small message', () => t.output().includes('terminal too small (70×30)'));
    t.stdin.write('q');
    await t.done;
    expect(t.output().endsWith(LEAVE_ALT_SCREEN)).toBe(true);
    expect(t.output().split(LEAVE_ALT_SCREEN)).toHaveLength(2);
    expect(readFileSync(t.logFile, 'utf8')).toContain('console closed');
    await t.daemon.stop();
  });

  it('restores the terminal and resolves on SIGTERM', async () => {
    const listenersBefore = process.listenerCount('SIGTERM');
    const t = await start();
    await waitFor('connected', () => t.output().includes('connected as alice'));
    process.emit('SIGTERM');
    await t.done;
    expect(t.output().endsWith(LEAVE_ALT_SCREEN)).toBe(true);
    expect(process.listenerCount('SIGTERM')).toBe(listenersBefore);
    await t.daemon.stop();
  });

  it('refuses to start without a terminal', async () => {
    const stdin = Object.assign(new FakeStdin(), { isTTY: false });
    await expect(
      runTui({ server: 'http://127.0.0.1:1', token: 'x', logFile: join(tempDir(), 'tui.log'), stdin: stdin as unknown as NodeJS.ReadStream, stdout: new FakeStdout(80, 24) as unknown as NodeJS.WriteStream }),
    ).rejects.toMatchObject({ kind: 'usage', next: expect.stringContaining('flotilla cluster list') });
  });
});
