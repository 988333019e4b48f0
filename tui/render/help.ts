// The help overlay's content as lines, generated from the keymap and the command table so it can
// never disagree with the keys. Pure: the view lays the lines out, the reducer bounds the scroll.
import type { Role } from '../../core/roles.js';
import { helpGroups } from '../keymap.js';
import { commandsFor } from '../state/commands.js';

export type HelpLine = { kind: 'title'; text: string } | { kind: 'entry'; keys: string; description: string; keyWidth: number };

export function helpLines(role: Role | undefined): HelpLine[] {
  const groups = [...helpGroups(role), { title: 'Commands', entries: commandsFor(role).map((c) => ({ keys: c.usage, description: c.description })) }];
  const lines: HelpLine[] = [];
  for (const g of groups) {
    const keyWidth = Math.max(...g.entries.map((e) => e.keys.length)) + 2;
    lines.push({ kind: 'title', text: g.title });
    for (const e of g.entries) lines.push({ kind: 'entry', keys: e.keys, description: e.description, keyWidth });
  }
  return lines;
}

/** The largest useful scroll offset: past it the last line would leave the screen's last column. */
export function maxHelpScroll(lineCount: number, layout: { columns: number; rowsPerColumn: number }): number {
  return Math.max(0, lineCount - layout.columns * layout.rowsPerColumn);
}
