// Generated from the keymap and the command table, so it can never disagree with the keys.
import { Box, Text } from 'ink';
import { helpGroups } from '../keymap.js';
import { COMMANDS } from '../state/commands.js';
import { useTheme } from './theme.js';

const KEY_WIDTH = 15;

export function HelpOverlay(props: { width: number; height: number }) {
  const theme = useTheme();
  const columnWidth = Math.max(38, Math.floor((props.width - 2) / 2));
  const groups = [...helpGroups(), { title: 'Commands', entries: COMMANDS.map((c) => ({ keys: c.usage, description: c.description })) }];
  return (
    <Box flexDirection="column" height={props.height} width={props.width}>
      <Text bold color={theme.accent}>
        Keys <Text color={theme.muted}>(esc or ? closes)</Text>
      </Text>
      <Box flexDirection="column" flexWrap="wrap" height={props.height - 1} width={props.width}>
        {groups.map((g) => (
          <Box key={g.title} flexDirection="column" width={columnWidth} marginRight={1}>
            <Text bold wrap="truncate">
              {g.title}
            </Text>
            {g.entries.map((e) => (
              <Text key={`${g.title}-${e.keys}-${e.description}`} wrap="truncate">
                <Text color={theme.accent}>{`${e.keys.padEnd(KEY_WIDTH - 1)} `}</Text>
                {e.description}
              </Text>
            ))}
          </Box>
        ))}
      </Box>
    </Box>
  );
}
