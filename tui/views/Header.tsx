import { Box, Text } from 'ink';
import { memo } from 'react';
import type { ConnectionState } from '../state/connection.js';
import type { FleetSummary } from '../state/select.js';
import { connectionText, fleetCountsText, freshestText } from '../render/summary.js';
import { useTheme } from './theme.js';

export const Header = memo(function Header(props: { summary: FleetSummary; conn: ConnectionState; now: number; sort: string }) {
  const theme = useTheme();
  const { summary, conn } = props;
  const connColor = conn.status === 'open' ? theme.health('healthy') : theme.warning;
  return (
    <Box flexDirection="column" height={2}>
      <Text wrap="truncate">
        <Text bold color={theme.accent}>
          Flotilla
        </Text>
        {'  '}
        {fleetCountsText(summary)}
      </Text>
      <Text wrap="truncate">
        <Text color={connColor}>{connectionText(conn)}</Text>
        <Text color={theme.muted}>
          {' · '}
          {freshestText(summary, props.now)}
          {' · sort: '}
          {props.sort}
        </Text>
      </Text>
    </Box>
  );
});
