// The job view: one job: identity, params (secrets shown as "<sealed>"), result and timing.
import { Box, Text } from 'ink';
import { jobDetailLines } from '../../render/job-row.js';
import { useTheme } from '../theme.js';
import type { ViewProps } from '../view-props.js';
import type { JobSlice } from './model.js';

const LABEL_WIDTH = 12;

export function JobView({ slice, ctx, height }: ViewProps<JobSlice>) {
  const theme = useTheme();
  const id = slice.id ?? '';
  const job = ctx.jobs.byId.get(id);
  if (!job) {
    return <Text color={theme.muted}>{`job ${id.slice(0, 8)} is not in the list the daemon sent`}</Text>;
  }
  const lines = jobDetailLines(job, ctx.now).slice(0, Math.max(1, height - 1));
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">
        <Text bold>{`${job.type} on ${job.cluster}`}</Text>
        {'  '}
        <Text color={theme.jobState(job.state)}>{job.state}</Text>
      </Text>
      {lines.map((line, i) =>
        line.heading ? (
          <Text key={i} wrap="truncate" bold color={theme.accent}>
            {line.label}
            {line.value ? `  ${line.value}` : ''}
          </Text>
        ) : (
          <Text key={i} wrap="truncate">
            <Text color={theme.muted}>{line.label.padEnd(LABEL_WIDTH)}</Text>
            {line.label === 'state' ? <Text color={theme.jobState(job.state)}>{line.value}</Text> : line.value}
          </Text>
        ),
      )}
    </Box>
  );
}
