// The `?` overlay: every key and command, in as many columns as the width allows, scrolled with
// j/k when they do not all fit (an 80×24 terminal holds about half of them).
import { Box, Text } from 'ink';
import type { Role } from '../../core/roles.js';
import { helpLines, maxHelpScroll, type HelpLine } from '../render/help.js';
import { helpLayout } from '../state/layout.js';
import { useTheme } from './theme.js';

function Line(props: { line: HelpLine }) {
  const theme = useTheme();
  const { line } = props;
  if (line.kind === 'title') {
    return (
      <Text bold wrap="truncate">
        {line.text}
      </Text>
    );
  }
  return (
    <Text wrap="truncate">
      <Text color={theme.accent}>{line.keys.padEnd(line.keyWidth)}</Text>
      {line.description}
    </Text>
  );
}

export function HelpOverlay(props: { width: number; height: number; role: Role; scroll: number }) {
  const theme = useTheme();
  const lines = helpLines(props.role);
  const layout = helpLayout(props.width, props.height);
  const offset = Math.min(props.scroll, maxHelpScroll(lines.length, layout));
  const shown = lines.slice(offset, offset + layout.columns * layout.rowsPerColumn);
  const columns = Array.from({ length: layout.columns }, (_, c) => shown.slice(c * layout.rowsPerColumn, (c + 1) * layout.rowsPerColumn));
  const below = lines.length - offset - shown.length;
  const scrollHint = below > 0 ? `j/k scroll · ${below} more below` : offset > 0 ? 'k scrolls back up' : '';
  return (
    <Box flexDirection="column" height={props.height} width={props.width}>
      <Text bold color={theme.accent}>
        Keys <Text color={theme.muted}>(esc or ? closes)</Text>
      </Text>
      <Box flexDirection="row" height={layout.rowsPerColumn}>
        {columns.map((col, c) => (
          <Box key={c} flexDirection="column" width={layout.columnWidth} marginRight={1}>
            {col.map((line, i) => (
              <Line key={i} line={line} />
            ))}
          </Box>
        ))}
      </Box>
      <Text color={theme.muted}>{scrollHint}</Text>
    </Box>
  );
}
