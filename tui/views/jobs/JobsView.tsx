// The jobs view: the list, newest first, with fleet fan-outs summarised above it. Renders only the visible slice.
import { Box, Text } from 'ink';
import { memo, useMemo } from 'react';
import type { JobRecord } from '../../../core/jobs.js';
import { actionHints } from '../../keymap.js';
import { headerLine, joinCells, layoutColumns, type Column } from '../../render/columns.js';
import { fleetGroupText, jobCells, JOB_COLUMNS, JOB_STATE_COLUMN } from '../../render/job-row.js';
import { fit } from '../../render/text.js';
import { fleetGroups } from '../../state/jobs.js';
import { KeyHints } from '../KeyHints.js';
import { useTheme } from '../theme.js';
import type { ViewProps } from '../view-props.js';
import { FLEET_GROUP_LINES, jobsPageRows, visibleJobs, type JobsSlice } from './model.js';

const JobLine = memo(function JobLine(props: { job: JobRecord; selected: boolean; now: number; columns: Column[] }) {
  const theme = useTheme();
  const { job, columns, selected } = props;
  const cells = jobCells(job, props.now);
  const before = joinCells(columns.slice(0, JOB_STATE_COLUMN), cells.slice(0, JOB_STATE_COLUMN));
  const stateCol = columns[JOB_STATE_COLUMN];
  const after = joinCells(columns.slice(JOB_STATE_COLUMN + 1), cells.slice(JOB_STATE_COLUMN + 1));
  return (
    <Text wrap="truncate" bold={selected} inverse={selected && theme.color}>
      {`${selected ? '> ' : '  '}${before} `}
      <Text color={theme.jobState(job.state)}>{stateCol ? fit(job.state, stateCol.width) : job.state}</Text>
      {` ${after}`}
    </Text>
  );
});

export function JobsView({ slice, ctx }: ViewProps<JobsSlice>) {
  const jobs = visibleJobs(ctx.jobs, slice);
  const groups = fleetGroups(jobs);
  const height = jobsPageRows(slice, ctx);
  const width = ctx.viewport.columns;
  const total = ctx.jobs.byId.size;
  const loaded = ctx.jobs.rev !== null;
  const theme = useTheme();
  const columns = useMemo(() => layoutColumns(JOB_COLUMNS, width), [width]);
  const shown = jobs.slice(slice.scroll, slice.scroll + height);
  const hints = actionHints('job', 'jobs', ctx.role);
  const count = slice.filter ? `${jobs.length} of ${total}` : String(total);
  const empty = !loaded ? 'waiting for jobs…' : slice.filter ? 'no job matches the filter' : 'no jobs yet — actions in a cluster view (or `flotilla job submit`) create them';
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate">
        <Text bold>Jobs</Text>
        <Text color={theme.muted}>{` (${count}, newest first)`}</Text>
        <KeyHints hints={hints} leading boldKeys />
      </Text>
      {groups.slice(0, FLEET_GROUP_LINES).map((g) => (
        <Text key={g.fleetJobId} wrap="truncate" color={g.done ? theme.muted : theme.accent}>
          {fleetGroupText(g)}
        </Text>
      ))}
      <Box flexDirection="column" height={height + 1}>
        <Text wrap="truncate" bold color={theme.accent}>
          {headerLine(columns)}
        </Text>
        {shown.length === 0 ? (
          <Text color={theme.muted}>  {empty}</Text>
        ) : (
          shown.map((job, i) => <JobLine key={job.id} job={job} selected={slice.scroll + i === slice.cursor} now={ctx.now} columns={columns} />)
        )}
      </Box>
    </Box>
  );
}
