// The jobs list, newest first, with fleet fan-outs summarised above it. Renders only the visible slice.
import { Box, Text } from 'ink';
import { memo, useMemo } from 'react';
import type { JobRecord } from '../../core/jobs.js';
import type { Role } from '../../core/roles.js';
import { actionHints } from '../keymap.js';
import { headerLine, joinCells, layoutColumns, type Column } from '../render/columns.js';
import { fleetGroupText, jobCells, JOB_COLUMNS, JOB_STATE_COLUMN } from '../render/job-row.js';
import { fit } from '../render/text.js';
import type { FleetGroup } from '../state/jobs.js';
import { FLEET_GROUP_LINES } from '../state/layout.js';
import { KeyHints } from './KeyHints.js';
import { useTheme } from './theme.js';

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

export function JobsView(props: {
  jobs: readonly JobRecord[];
  total: number;
  loaded: boolean;
  groups: readonly FleetGroup[];
  filter: string;
  cursor: number;
  scroll: number;
  height: number;
  width: number;
  now: number;
  role: Role;
}) {
  const theme = useTheme();
  const columns = useMemo(() => layoutColumns(JOB_COLUMNS, props.width), [props.width]);
  const slice = props.jobs.slice(props.scroll, props.scroll + props.height);
  const hints = actionHints('job', 'jobs', props.role);
  const count = props.filter ? `${props.jobs.length} of ${props.total}` : String(props.total);
  const empty = !props.loaded ? 'waiting for jobs…' : props.filter ? 'no job matches the filter' : 'no jobs yet — actions in a cluster view (or `flotilla job submit`) create them';
  return (
    <Box flexDirection="column" width={props.width}>
      <Text wrap="truncate">
        <Text bold>Jobs</Text>
        <Text color={theme.muted}>{` (${count}, newest first)`}</Text>
        <KeyHints hints={hints} leading boldKeys />
      </Text>
      {props.groups.slice(0, FLEET_GROUP_LINES).map((g) => (
        <Text key={g.fleetJobId} wrap="truncate" color={g.done ? theme.muted : theme.accent}>
          {fleetGroupText(g)}
        </Text>
      ))}
      <Box flexDirection="column" height={props.height + 1}>
        <Text wrap="truncate" bold color={theme.accent}>
          {headerLine(columns)}
        </Text>
        {slice.length === 0 ? (
          <Text color={theme.muted}>  {empty}</Text>
        ) : (
          slice.map((job, i) => <JobLine key={job.id} job={job} selected={props.scroll + i === props.cursor} now={props.now} columns={columns} />)
        )}
      </Box>
    </Box>
  );
}
