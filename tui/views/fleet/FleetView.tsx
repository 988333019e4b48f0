// The fleet view: the table, a logs pane and a metrics pane, side by side as the width allows or as
// tabs (layout.ts). Each area draws only what fits.
import { Box } from 'ink';
import { useChartSetting } from '../metrics/chart-context.js';
import type { ViewProps } from '../view-props.js';
import { FleetTable } from './FleetTable.js';
import { areaLines, PANE_GAP, TAB_TITLES, type FleetTab } from '../../state/fleet-layout.js';
import { LogsPane, logsPaneSubtitle } from './LogsPane.js';
import { MetricsPane, metricsPaneSubtitle } from './MetricsPane.js';
import { fleetTableRows, fleetViewLayout, visibleRows, type FleetSlice } from './model.js';
import { TabBar, tabParts, type TitlePart } from './Pane.js';

export function FleetView({ slice, ctx }: ViewProps<FleetSlice>) {
  const charts = useChartSetting();
  const vp = ctx.viewport;
  const rows = visibleRows(ctx.fleet, slice);
  const { areas, columns } = fleetViewLayout(vp, ctx.fleet, slice);
  const height = areaLines(vp, ctx.conn);
  const tableRows = fleetTableRows(vp, ctx.conn);
  const emptyText = ctx.fleet.rev === null ? 'waiting for the fleet…' : slice.filter ? 'no cluster matches the filter' : 'no clusters registered — add one with `flotilla cluster add NAME`';
  const framed = areas.mode !== 'tabs';
  // Beside the table the pane's title names it (and in side mode the tab it is); in tabs the bar does.
  const title = (pane: Exclude<FleetTab, 'fleet'>, subtitle: TitlePart[]): TitlePart[] => {
    if (areas.mode === 'tabs') return subtitle;
    const name = areas.mode === 'side' ? tabParts(areas.tabs, areas.active) : [{ text: TAB_TITLES[pane], tone: 'active' as const }];
    return [...name, { text: ' · ', tone: 'muted' }, ...subtitle];
  };
  const selectedRow = rows[slice.cursor] ?? null;
  return (
    <Box flexDirection="column" width={vp.columns}>
      {areas.mode === 'tabs' && <TabBar tabs={areas.tabs} active={areas.active} width={vp.columns} />}
      <Box flexDirection="row" gap={PANE_GAP}>
        {areas.table !== null && columns !== null && (
          <FleetTable
            rows={rows}
            columns={columns}
            cursor={slice.cursor}
            scroll={slice.scroll}
            height={tableRows}
            width={areas.table}
            now={ctx.now}
            emptyText={emptyText}
            marked={slice.marked}
            spark={slice.spark}
            ascii={charts.mode === 'ascii'}
          />
        )}
        {areas.logs !== null && <LogsPane panes={slice.panes} title={title('logs', logsPaneSubtitle(slice.panes))} framed={framed} width={areas.logs} height={height} />}
        {areas.metrics !== null && (
          <MetricsPane row={selectedRow} metrics={slice.panes.metrics} now={ctx.now} title={title('metrics', metricsPaneSubtitle(selectedRow))} framed={framed} width={areas.metrics} height={height} />
        )}
      </Box>
    </Box>
  );
}
