// Shared fixtures and a render helper with a stdout of any size (ink-testing-library's is fixed at
// 100 columns, and the console must be checked at 80 and 160).
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { render } from 'ink';
import type { ReactElement } from 'react';
import { expect } from 'vitest';
import type { KeyAction } from '../../../tui/keymap.js';
import type { ClusterDetail, ClusterRow } from '../../../core/fleet.js';
import { initialState, reduce, type Action, type AppState } from '../../../tui/state/app.js';
import { App } from '../../../tui/views/App.js';
import { makeTheme, ThemeContext } from '../../../tui/views/theme.js';

export const NOW = Date.parse('2025-06-01T12:00:00Z');

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../fixtures/fleet/${name}`, import.meta.url), 'utf8'));

export const ROWS = fixture('rows.json') as ClusterRow[];
export const DETAIL = fixture('detail-prod-us-1.json') as ClusterDetail;

export function makeRow(name: string, over: Partial<ClusterRow> = {}): ClusterRow {
  return { ...(ROWS[0] as ClusterRow), name, ...over };
}

export function apply(state: AppState, ...actions: Action[]): AppState {
  return actions.reduce(reduce, state);
}

/** A connected console at the given size holding the given rows. */
export function connectedState(rows: ClusterRow[] = ROWS, columns = 80, height = 24): AppState {
  return apply(
    initialState({ now: NOW, columns, rows: height }),
    { type: 'conn/open', at: NOW, identity: { name: 'alice', role: 'admin' } },
    { type: 'fleet/snapshot', rev: 1, rows },
  );
}

export class FakeStdout extends EventEmitter {
  isTTY = true;
  frames: string[] = [];
  constructor(public columns: number, public rows: number) {
    super();
  }
  write = (frame: string): boolean => {
    this.frames.push(frame);
    return true;
  };
}

export class FakeStdin extends EventEmitter {
  isTTY = true;
  private data: string | null = null;
  write(data: string): void {
    this.data = data;
    this.emit('readable');
    this.emit('data', data);
  }
  read = (): string | null => {
    const d = this.data;
    this.data = null;
    return d;
  };
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
}

export function renderAt(element: ReactElement, columns: number, rows: number) {
  const stdout = new FakeStdout(columns, rows);
  const stdin = new FakeStdin();
  const instance = render(element, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    debug: true,
    exitOnCtrlC: false,
    patchConsole: false,
  });
  return {
    stdin,
    lastFrame: (): string => stdout.frames.at(-1) ?? '',
    rerender: instance.rerender,
    unmount: instance.unmount,
  };
}

/** Lets Ink flush a render triggered by input or a store change. */
export const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 30));

const mounted: { unmount: () => void }[] = [];

/** Remembers a rendered tree so unmountAll() (in afterEach) takes it down. */
export function track<T extends { unmount: () => void }>(r: T): T {
  mounted.push(r);
  return r;
}

export function unmountAll(): void {
  for (const m of mounted.splice(0)) m.unmount();
}

/** The root view for a state, at the state's own terminal size; returns the frame. */
export function showApp(state: AppState, color = false): string {
  const tree: ReactElement = (
    <ThemeContext.Provider value={makeTheme(color)}>
      <App state={state} />
    </ThemeContext.Provider>
  );
  return track(renderAt(tree, state.viewport.columns, state.viewport.rows)).lastFrame();
}

export const key = (action: KeyAction): Action => ({ type: 'key', action });

/** The terminal sizes a view must draw in: the smallest supported and a wide one. */
export const VIEW_SIZES = [
  [80, 24],
  [160, 40],
] as const;

/** A frame fits the terminal: at most rows - 1 lines (the root's height), none wider than it. */
export function expectFits(frame: string, columns: number, rows: number): void {
  const lines = frame.split('\n');
  expect(lines.length).toBeLessThanOrEqual(rows - 1);
  for (const line of lines) expect(line.length).toBeLessThanOrEqual(columns);
}

