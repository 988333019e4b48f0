// The frame every view sits in: the terminal-too-small notice and the stale banner.
import { afterEach, describe, expect, it } from 'vitest';
import { apply, connectedState, NOW, showApp, unmountAll } from '../helpers.js';

afterEach(unmountAll);
const show = showApp;

describe('console frame', () => {
  it('says the terminal is too small below 80×24', () => {
    const frame = show(connectedState(undefined, 70, 20));
    expect(frame).toContain('terminal too small (70×20); needs at least 80×24');
    expect(frame).not.toContain('NAME');
  });

  it('shows the stale banner with attempt and data age while reconnecting', () => {
    const state = apply(
      connectedState(),
      { type: 'conn/lost', at: NOW, attempt: 2, error: 'connection closed (code 1006) — the console reconnects by itself', retryInMs: 500 },
      { type: 'conn/connecting', at: NOW + 500, attempt: 2 },
      { type: 'conn/lost', at: NOW + 1000, attempt: 3, error: 'daemon not reachable', retryInMs: 1000 },
      { type: 'tick', now: NOW + 42_000 },
    );
    const frame = show(state);
    expect(frame).toContain('connection lost — reconnecting (attempt 3); data is 42s old');
    expect(frame).toContain('prod-us-1');
  });
});
