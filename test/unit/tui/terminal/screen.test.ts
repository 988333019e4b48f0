import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { enterScreen, ENTER_ALT_SCREEN, LEAVE_ALT_SCREEN, type ExitSignal } from '../../../../tui/terminal/screen.js';
import { readSize, watchSize } from '../../../../tui/terminal/size.js';
import { colorEnabled } from '../../../../tui/views/theme.js';

function setup() {
  const writes: string[] = [];
  const proc = new EventEmitter();
  const signals: ExitSignal[] = [];
  const fatals: unknown[] = [];
  const guard = enterScreen({ stdout: { write: (s: string) => writes.push(s) }, proc, onSignal: (s) => signals.push(s), onFatal: (e) => fatals.push(e) });
  return { writes, proc, signals, fatals, guard };
}

describe('alternate screen guard', () => {
  it('enters the alternate screen and hides the cursor, and restores once however often asked', () => {
    const { writes, guard } = setup();
    expect(writes).toEqual([ENTER_ALT_SCREEN]);
    expect(ENTER_ALT_SCREEN).toContain('\x1b[?1049h');
    expect(ENTER_ALT_SCREEN).toContain('\x1b[?25l');
    guard.restore();
    guard.restore();
    guard.dispose();
    expect(writes).toEqual([ENTER_ALT_SCREEN, LEAVE_ALT_SCREEN]);
    expect(LEAVE_ALT_SCREEN).toContain('\x1b[?1049l');
    expect(LEAVE_ALT_SCREEN).toContain('\x1b[?25h');
  });

  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)('reports %s so the owner can unmount, then restores on dispose', (signal) => {
    const { writes, proc, signals, guard } = setup();
    proc.emit(signal);
    expect(signals).toEqual([signal]);
    guard.dispose();
    expect(writes).toEqual([ENTER_ALT_SCREEN, LEAVE_ALT_SCREEN]);
  });

  it.each(['uncaughtException', 'unhandledRejection'])('restores before reporting %s', (event) => {
    const { writes, proc, fatals } = setup();
    const error = new Error('boom');
    proc.emit(event, error);
    expect(writes.at(-1)).toBe(LEAVE_ALT_SCREEN);
    expect(fatals).toEqual([error]);
  });

  it('restores on process exit and stops listening once disposed', () => {
    const { writes, proc, guard } = setup();
    proc.emit('exit', 0);
    expect(writes).toEqual([ENTER_ALT_SCREEN, LEAVE_ALT_SCREEN]);
    guard.dispose();
    expect(proc.listenerCount('SIGINT') + proc.listenerCount('exit') + proc.listenerCount('uncaughtException')).toBe(0);
  });
});

describe('terminal size and colour', () => {
  it('reads and tracks the size, defaulting a sizeless stream to 80×24', () => {
    const stream = Object.assign(new EventEmitter(), { columns: 120, rows: 40 });
    expect(readSize(stream)).toEqual({ columns: 120, rows: 40 });
    expect(readSize(Object.assign(new EventEmitter(), {}))).toEqual({ columns: 80, rows: 24 });
    const seen: unknown[] = [];
    const stop = watchSize(stream, (s) => seen.push(s));
    stream.columns = 70;
    stream.emit('resize');
    stop();
    stream.emit('resize');
    expect(seen).toEqual([{ columns: 70, rows: 40 }]);
  });

  it('turns colour off for any non-empty NO_COLOR', () => {
    expect(colorEnabled({})).toBe(true);
    expect(colorEnabled({ NO_COLOR: '' })).toBe(true);
    expect(colorEnabled({ NO_COLOR: '1' })).toBe(false);
  });
});
