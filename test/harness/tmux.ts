// Drives a real terminal: a private tmux server (its own socket, no user config, escape-time 0) runs
// a command in a pane of a fixed size; tests send keys and poll capture-pane.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface TmuxSession {
  readonly name: string;
  capture(): string;
  sendKeys(...keys: string[]): void;
  /** Sends literal text (no key-name interpretation). */
  type(text: string): void;
  waitForText(pattern: RegExp | string, timeoutMs?: number): Promise<string>;
  /** tmux's view of the pane: is the alternate screen on, is the command still running. */
  paneState(): { alternateOn: boolean; dead: boolean; deadStatus: number | null };
  resize(cols: number, rows: number): void;
  kill(): void;
}

export function tmuxAvailable(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function startTmux(command: string, opts: { cols?: number; rows?: number; env?: Record<string, string> } = {}): TmuxSession {
  const socket = `flotilla-test-${randomBytes(4).toString('hex')}`;
  const name = 'main';
  const tmux = (...args: string[]): string => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  const envArgs = Object.entries(opts.env ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  tmux('new-session', '-d', '-s', name, '-x', String(opts.cols ?? 100), '-y', String(opts.rows ?? 30), ...envArgs, command);
  tmux('set-option', '-g', 'escape-time', '0');
  // Keep the pane after the command exits so the test can read its exit status and final screen.
  tmux('set-option', '-g', 'remain-on-exit', 'on');
  tmux('set-option', '-g', 'status', 'off');

  const session: TmuxSession = {
    name,
    capture: () => tmux('capture-pane', '-p', '-t', name),
    sendKeys: (...keys) => {
      tmux('send-keys', '-t', name, ...keys);
    },
    type: (text) => {
      tmux('send-keys', '-t', name, '-l', text);
    },
    async waitForText(pattern, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      let screen = '';
      for (;;) {
        screen = session.capture();
        if (typeof pattern === 'string' ? screen.includes(pattern) : pattern.test(screen)) return screen;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${String(pattern)}; screen was:\n${screen}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    paneState() {
      const out = tmux('display-message', '-p', '-t', name, '#{alternate_on} #{pane_dead} #{pane_dead_status}').trim();
      const [alt, dead, status] = out.split(' ');
      return { alternateOn: alt === '1', dead: dead === '1', deadStatus: status ? Number(status) : null };
    },
    resize(cols, rows) {
      tmux('resize-window', '-t', name, '-x', String(cols), '-y', String(rows));
    },
    kill() {
      try {
        tmux('kill-server');
      } catch {
        // already gone
      }
    },
  };
  return session;
}
