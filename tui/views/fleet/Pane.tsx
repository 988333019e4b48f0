// A pane of the fleet view: framed beside the table with its title in the top border, k9s-style
// ("┌─ Logs · errors of prod-eu-1 ───┐"), or in tabs its title alone on the first line. The tab bar
// of the tabs mode is here too. Every line is cut to the pane's width.
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { TAB_TITLES, type FleetTab } from '../../state/fleet-layout.js';
import { useTheme } from '../theme.js';

/** A run of a title: plain, or muted, or the active tab. */
export interface TitlePart {
  text: string;
  tone?: 'active' | 'muted' | 'warning';
}

/** The parts cut to `room` characters in all. */
function clip(parts: readonly TitlePart[], room: number): TitlePart[] {
  const out: TitlePart[] = [];
  let left = room;
  for (const p of parts) {
    if (left <= 0) break;
    const text = p.text.length > left ? `${p.text.slice(0, Math.max(0, left - 1))}…` : p.text;
    out.push({ ...p, text });
    left -= text.length;
  }
  return out;
}

function Parts(props: { parts: readonly TitlePart[] }) {
  const theme = useTheme();
  return (
    <>
      {props.parts.map((p, i) => (
        <Text key={i} bold={p.tone === 'active'} color={p.tone === 'active' ? theme.accent : p.tone === 'muted' ? theme.muted : p.tone === 'warning' ? theme.warning : undefined}>
          {p.text}
        </Text>
      ))}
    </>
  );
}

/** The tabs as title parts: the shown one in brackets (it survives NO_COLOR), the others muted. */
export function tabParts(tabs: readonly FleetTab[], active: FleetTab | null): TitlePart[] {
  return tabs.flatMap((t, i): TitlePart[] => [...(i > 0 ? [{ text: ' ' }] : []), t === active ? { text: `[${TAB_TITLES[t]}]`, tone: 'active' } : { text: ` ${TAB_TITLES[t]} `, tone: 'muted' }]);
}

export function TabBar(props: { tabs: readonly FleetTab[]; active: FleetTab | null; width: number }) {
  const parts = clip([...tabParts(props.tabs, props.active), { text: '  tab: next', tone: 'muted' }], props.width);
  return (
    <Text wrap="truncate">
      <Parts parts={parts} />
    </Text>
  );
}

/** Inner size of a pane of the given outer size. */
export function paneInner(framed: boolean, width: number, height: number): { width: number; height: number } {
  return framed ? { width: Math.max(1, width - 2), height: Math.max(0, height - 2) } : { width, height: Math.max(0, height - 1) };
}

export function Pane(props: { title: readonly TitlePart[]; framed: boolean; width: number; height: number; children: ReactNode }) {
  const theme = useTheme();
  const { width, height, framed } = props;
  const inner = paneInner(framed, width, height);
  if (!framed) {
    return (
      <Box flexDirection="column" width={width} height={height}>
        <Text wrap="truncate">
          <Parts parts={clip(props.title, width)} />
        </Text>
        <Box flexDirection="column" width={inner.width} height={inner.height}>
          {props.children}
        </Box>
      </Box>
    );
  }
  // ┌─ title ─…─┐: the corner, a rule and a blank before the title, a blank and the rule after it.
  const title = clip(props.title, Math.max(0, width - 5));
  const used = title.reduce((n, p) => n + p.text.length, 0);
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text wrap="truncate">
        <Text color={theme.muted}>┌─ </Text>
        <Parts parts={title} />
        <Text color={theme.muted}>{` ${'─'.repeat(Math.max(0, width - 5 - used))}┐`}</Text>
      </Text>
      <Box flexDirection="column" width={width} height={Math.max(1, height - 1)} borderStyle="single" borderTop={false} borderColor={theme.muted}>
        <Box flexDirection="column" width={inner.width} height={inner.height} overflow="hidden">
          {props.children}
        </Box>
      </Box>
    </Box>
  );
}
