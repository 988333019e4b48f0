// Generated from the keymap and the command table, so it can never disagree with the keys.
import { Box, Text } from 'ink';
import type { Role } from '../../core/roles.js';
import { helpGroups } from '../keymap.js';
import { COMMANDS } from '../state/commands.js';
import { useTheme } from './theme.js';


function HelpGroup(props: { title: string; entries: { keys: string; description: string }[]; width: number }) {
  const theme = useTheme();
  const keyWidth = Math.max(...props.entries.map((e) => e.keys.length)) + 2;
  return (
    <Box flexDirection="column" width={props.width} marginRight={1}>
      <Text bold wrap="truncate">
        {props.title}
      </Text>
      {props.entries.map((e) => (
        <Text key={`${e.keys}-${e.description}`} wrap="truncate">
          <Text color={theme.accent}>{e.keys.padEnd(keyWidth)}</Text>
          {e.description}
        </Text>
      ))}
    </Box>
  );
}

export function HelpOverlay(props: { width: number; height: number; role: Role }) {
  const theme = useTheme();
  const columnWidth = Math.max(38, Math.floor((props.width - 2) / 2));
  const groups = [...helpGroups(props.role), { title: 'Commands', entries: COMMANDS.map((c) => ({ keys: c.usage, description: c.description })) }];
  return (
    <Box flexDirection="column" height={props.height} width={props.width}>
      <Text bold color={theme.accent}>
        Keys <Text color={theme.muted}>(esc or ? closes)</Text>
      </Text>
      <Box flexDirection="column" flexWrap="wrap" height={props.height - 1} width={props.width}>
        {groups.map((g) => (
          <HelpGroup key={g.title} title={g.title} entries={g.entries} width={columnWidth} />
        ))}
      </Box>
    </Box>
  );
}
