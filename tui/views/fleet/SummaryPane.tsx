// The selected cluster at a glance, beside the table on wide terminals.
import { Box, Text } from 'ink';
import type { ClusterRow } from '../../../core/fleet.js';
import { formatAge } from '../../../core/duration.js';
import { dataAgeMs, formatLabels } from '../../render/fleet-row.js';
import { useTheme } from '../theme.js';

export function SummaryPane(props: { row: ClusterRow | null; now: number; width: number; height: number }) {
  const theme = useTheme();
  const { row } = props;
  const age = row ? dataAgeMs(row, props.now) : null;
  return (
    <Box flexDirection="column" width={props.width} height={props.height} borderStyle="single" borderColor={theme.muted} paddingX={1}>
      {row === null ? (
        <Text color={theme.muted}>no cluster selected</Text>
      ) : (
        <>
          <Text bold wrap="truncate">{row.name}</Text>
          <Text wrap="truncate">
            health <Text color={theme.health(row.health)}>{row.health}</Text>
          </Text>
          {row.reasons.length === 0 ? <Text color={theme.muted}>no problems reported</Text> : row.reasons.slice(0, 5).map((r) => (
            <Text key={r} wrap="truncate">· {r}</Text>
          ))}
          <Text wrap="truncate">nodes {row.nodes.ready}/{row.nodes.total} ready</Text>
          <Text wrap="truncate">pods {row.pods.running}/{row.pods.total} running · {row.restarts} restarts</Text>
          <Text wrap="truncate">kubernetes {row.kubernetesVersion ?? '-'} · agent {row.agentVersion ?? '-'}</Text>
          <Text wrap="truncate">data age {age === null ? 'no report yet' : formatAge(age)} (every {row.intervalSeconds}s)</Text>
          {Object.keys(row.labels).length > 0 && (
            <Text wrap="truncate" color={theme.muted}>{formatLabels(row.labels)}</Text>
          )}
        </>
      )}
    </Box>
  );
}
