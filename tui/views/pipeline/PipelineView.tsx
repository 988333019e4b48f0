// The pipeline view: title with the snapshot's age and the clusters by health, the fleet totals, the
// visible slice of the table, and the selected row's figures and reasons. Cells come from
// render/pipeline-row.ts; this only paints them.
import { Box, Text } from 'ink';
import { memo, useMemo } from 'react';
import type { PipelineRow } from '../../../core/pipeline.js';
import { headerLine, type Column } from '../../render/columns.js';
import { pipelineColumns, pipelineDetail, pipelineHealthCounts, pipelineLineParts, pipelineTotalsText, snapshotAgeText, type PipelineColumnId } from '../../render/pipeline-row.js';
import { useTheme } from '../theme.js';
import type { ViewProps } from '../view-props.js';
import { DETAIL_LINES, pipelineTableRows, visiblePipelineRows, type PipelineSlice } from './model.js';

const PipelineLine = memo(function PipelineLine(props: { row: PipelineRow; selected: boolean; columns: Column<PipelineColumnId>[] }) {
  const theme = useTheme();
  const { row, selected } = props;
  const parts = pipelineLineParts(row, props.columns, selected);
  // A silent agent's figures are old: dimmed like a stale fleet row.
  return (
    <Text wrap="truncate" dimColor={row.health === 'unknown' && !selected} bold={selected} inverse={selected && theme.color}>
      {parts.before}
      <Text color={theme.health(row.health)}>{parts.health}</Text>
      {parts.after}
    </Text>
  );
});

function Detail(props: { row: PipelineRow | null }) {
  const theme = useTheme();
  if (!props.row) return <Box height={DETAIL_LINES} />;
  const d = pipelineDetail(props.row, DETAIL_LINES - 1);
  const tone = d.health === 'critical' ? theme.error : d.health === 'degraded' ? theme.warning : theme.muted;
  return (
    <Box flexDirection="column" height={DETAIL_LINES}>
      <Text wrap="truncate">
        <Text bold>{d.cluster}</Text>
        {'  '}
        <Text color={theme.health(d.health)}>{d.health}</Text>
        <Text color={theme.muted}>{`  ${d.figures}`}</Text>
      </Text>
      {d.reasons.map((r, i) => (
        <Text key={i} wrap="truncate" color={tone}>
          {`  · ${r}`}
        </Text>
      ))}
    </Box>
  );
}

export function PipelineView({ slice, ctx }: ViewProps<PipelineSlice>) {
  const theme = useTheme();
  const width = ctx.viewport.columns;
  const snapshot = slice.snapshot;
  const rows = visiblePipelineRows(slice);
  const height = pipelineTableRows(ctx.viewport, ctx.conn);
  const columns = useMemo(() => pipelineColumns(width), [width]);
  const shown = rows.slice(slice.scroll, slice.scroll + height);
  const total = snapshot?.rows.length ?? 0;
  const count = `${slice.filter ? `${rows.length} of ${total}` : total} ${total === 1 ? 'cluster' : 'clusters'}`;
  const byHealth = snapshot ? pipelineHealthCounts(snapshot) : [];
  const empty = snapshot === null ? 'waiting for the pipeline…' : slice.filter ? 'no cluster matches the filter' : 'no clusters registered — add one with `flotilla cluster add NAME`';
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate">
        <Text bold>Pipeline</Text>
        {snapshot && (
          <>
            <Text color={theme.muted}>{` · ${snapshotAgeText(snapshot, ctx.now)} · `}</Text>
            {byHealth.length > 0 ? `${count}: ` : count}
            {byHealth.map((h, i) => (
              <Text key={h.health}>
                {i > 0 ? ' · ' : ''}
                <Text color={theme.health(h.health)}>{h.text}</Text>
              </Text>
            ))}
          </>
        )}
      </Text>
      <Text wrap="truncate" color={theme.muted}>
        {snapshot ? pipelineTotalsText(snapshot) : ' '}
      </Text>
      <Box flexDirection="column" height={height + 1}>
        <Text wrap="truncate" bold color={theme.accent}>
          {headerLine(columns)}
        </Text>
        {shown.length === 0 ? (
          <Text color={theme.muted}>  {empty}</Text>
        ) : (
          shown.map((row, i) => <PipelineLine key={row.cluster} row={row} selected={slice.scroll + i === slice.cursor} columns={columns} />)
        )}
      </Box>
      <Detail row={rows[slice.cursor] ?? null} />
    </Box>
  );
}
