import { describe, expect, it } from 'vitest';
import { COMMANDS, parseCommand } from '../../../../tui/state/commands.js';
import { VIEWS } from '../../../../tui/views/registry.js';

describe('command table', () => {
  it('parses commands', () => {
    expect(parseCommand(':quit')).toEqual({ kind: 'quit' });
    expect(parseCommand('q')).toEqual({ kind: 'quit' });
    expect(parseCommand('cluster')).toMatchObject({ kind: 'error', message: 'usage: :cluster NAME' });
    expect(parseCommand('cluster a b')).toMatchObject({ kind: 'error', message: 'usage: :cluster NAME' });
    expect(parseCommand(':cluster prod-us-1')).toEqual({ kind: 'open', view: 'cluster', arg: 'prod-us-1' });
    expect(parseCommand('  jobs  ')).toEqual({ kind: 'open', view: 'jobs' });
    expect(parseCommand(':fleet')).toEqual({ kind: 'open', view: 'fleet' });
    expect(parseCommand('  ')).toEqual({ kind: 'none' });
  });

  it("takes each view's commands from its model, then the shell's", () => {
    const fromViews = VIEWS.flatMap((v) => (v.commands ?? []).map((c) => c.usage));
    expect(COMMANDS.map((c) => c.usage)).toEqual([...fromViews, ':run SELECTOR TYPE key=value…', ':q, :quit']);
  });

  it('gives no two commands the same word', () => {
    const verbs = COMMANDS.flatMap((c) => c.verbs);
    expect(new Set(verbs).size).toBe(verbs.length);
  });
});
