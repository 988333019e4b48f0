// The cluster view: title, three sections (the focused one expanded, with the action keys that apply
// to it), then recent health transitions and store rejections.
import { Box, Text } from 'ink';
import type { ClusterDetail as Detail } from '../../../core/fleet.js';
import { actionHints } from '../../keymap.js';
import { layoutColumns, joinCells, type ColumnDef } from '../../render/columns.js';
import {
  EVENT_COLUMNS,
  NODE_COLUMNS,
  WORKLOAD_COLUMNS,
  eventCells,
  historyLines,
  nodeCells,
  nodeIsHealthy,
  sectionSummary,
  workloadCells,
  workloadIsHealthy,
} from '../../render/detail-rows.js';
import { formatReasons } from '../../render/fleet-row.js';
import { pipelineLines } from '../../render/pipeline-lines.js';
import { KeyHints } from '../KeyHints.js';
import { useTheme } from '../theme.js';
import type { ViewProps } from '../view-props.js';
import { detailSectionRows, HISTORY_LINES, PIPELINE_LINES, SECTIONS, type ClusterSlice, type Section } from './model.js';

const TITLES: Record<Section, string> = { nodes: 'Nodes', workloads: 'Workloads', events: 'Events' };

interface SectionRows {
  columns: readonly ColumnDef[];
  lines: { cells: string[]; warn: boolean }[];
}

function sectionRows(detail: Detail, section: Section, now: number): SectionRows {
  switch (section) {
    case 'nodes':
      return { columns: NODE_COLUMNS, lines: detail.nodes.map((n) => ({ cells: nodeCells(n), warn: !nodeIsHealthy(n) })) };
    case 'workloads':
      return { columns: WORKLOAD_COLUMNS, lines: detail.workloads.map((w) => ({ cells: workloadCells(w), warn: !workloadIsHealthy(w) })) };
    case 'events':
      return { columns: EVENT_COLUMNS, lines: detail.events.map((e) => ({ cells: eventCells(e, now), warn: false })) };
  }
}

const SECTION_TARGET: Partial<Record<Section, 'node' | 'workload'>> = { nodes: 'node', workloads: 'workload' };

function FocusedSection(props: { detail: Detail; section: Section; scroll: number; cursor: number; rows: number; width: number; now: number }) {
  const theme = useTheme();
  const { columns: defs, lines } = sectionRows(props.detail, props.section, props.now);
  const columns = layoutColumns(defs, props.width);
  const slice = lines.slice(props.scroll, props.scroll + props.rows);
  return (
    <Box flexDirection="column" height={props.rows + 1}>
      <Text wrap="truncate" bold color={theme.accent}>
        {'  '}
        {joinCells(columns, columns.map((c) => c.title))}
      </Text>
      {slice.length === 0 ? (
        <Text color={theme.muted}>  none</Text>
      ) : (
        slice.map((line, i) => {
          const selected = props.scroll + i === props.cursor;
          return (
            <Text key={props.scroll + i} wrap="truncate" color={line.warn ? theme.warning : undefined} bold={selected} inverse={selected && theme.color}>
              {selected ? '> ' : '  '}
              {joinCells(columns, line.cells)}
            </Text>
          );
        })
      )}
    </Box>
  );
}

export function ClusterView({ slice, ctx }: ViewProps<ClusterSlice>) {
  const theme = useTheme();
  const name = slice.name ?? '';
  const row = ctx.fleet.rows.get(name) ?? null;
  const detail = slice.detail?.data ?? null;
  const loaded = slice.detail !== null;
  const sectionRows = detailSectionRows(ctx.viewport, ctx.conn);
  const width = ctx.viewport.columns;
  const health = detail?.row.health ?? row?.health ?? 'unknown';
  const reasons = detail?.row.reasons ?? row?.reasons ?? [];
  const history = detail ? historyLines(detail, ctx.now, HISTORY_LINES) : [];
  const logs = pipelineLines(detail?.pipeline ?? null);
  const logsTone = { ok: theme.muted, muted: theme.muted, warning: theme.warning, error: theme.error }[logs.tone];
  return (
    <Box flexDirection="column">
      <Text wrap="truncate">
        <Text bold>{name}</Text>
        {'  '}
        <Text color={theme.health(health)}>{health}</Text>
        {reasons.length > 0 ? `  ${formatReasons(reasons, Math.max(10, width - name.length - 16))}` : ''}
      </Text>
      <Box flexDirection="column" height={PIPELINE_LINES}>
        <Text wrap="truncate">{logs.summary}</Text>
        <Text wrap="truncate" color={logsTone}>
          {'      '}
          {logs.detail}
        </Text>
      </Box>
      {SECTIONS.map((section) => {
        const focused = section === slice.section;
        const count = detail ? ` (${sectionSummary(detail, section)})` : '';
        const target = SECTION_TARGET[section];
        const hints = focused && target ? actionHints(target, 'cluster', ctx.role) : [];
        return (
          <Box key={section} flexDirection="column">
            <Text wrap="truncate" bold={focused} color={focused ? theme.accent : theme.muted}>
              {focused ? '▸ ' : '  '}
              {TITLES[section]}
              {count}
              <KeyHints hints={hints} leading />
            </Text>
            {focused &&
              (detail ? (
                <FocusedSection detail={detail} section={section} scroll={slice.scroll} cursor={slice.cursor} rows={sectionRows} width={width} now={ctx.now} />
              ) : (
                <Box height={sectionRows + 1}>
                  <Text color={theme.muted}>  {loaded ? `no data for ${name}: the cluster is gone or has not reported` : 'loading…'}</Text>
                </Box>
              ))}
          </Box>
        );
      })}
      <Text bold color={theme.muted}>
        Recent health changes and rejections
      </Text>
      <Box flexDirection="column" height={HISTORY_LINES}>
        {history.length === 0 ? (
          <Text color={theme.muted}>  none</Text>
        ) : (
          history.map((h, i) => (
            <Text key={i} wrap="truncate" color={h.kind === 'rejection' ? theme.error : undefined}>
              {'  '}
              {h.text}
            </Text>
          ))
        )}
      </Box>
    </Box>
  );
}
