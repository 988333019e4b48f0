// The fleet view: the table, and on a wide terminal the selected cluster's summary beside it, given
// the width the table's columns cannot use.
import { Box } from 'ink';
import type { ViewProps } from '../view-props.js';
import { FleetTable } from './FleetTable.js';
import { fleetTableRows, fleetViewLayout, PANE_GAP, visibleRows, type FleetSlice } from './model.js';
import { SummaryPane } from './SummaryPane.js';

export function FleetView({ slice, ctx }: ViewProps<FleetSlice>) {
  const vp = ctx.viewport;
  const rows = visibleRows(ctx.fleet, slice);
  const layout = fleetViewLayout(vp, ctx.fleet, slice);
  const tableRows = fleetTableRows(vp, ctx.conn);
  const emptyText = ctx.fleet.rev === null ? 'waiting for the fleet…' : slice.filter ? 'no cluster matches the filter' : 'no clusters registered — add one with `flotilla cluster add NAME`';
  const table = <FleetTable rows={rows} widths={layout.widths} cursor={slice.cursor} scroll={slice.scroll} height={tableRows} width={layout.table} now={ctx.now} emptyText={emptyText} marked={slice.marked} />;
  if (layout.pane === null) return table;
  return (
    <Box flexDirection="row" gap={PANE_GAP}>
      {table}
      <SummaryPane row={rows[slice.cursor] ?? null} now={ctx.now} width={layout.pane} height={tableRows + 1} />
    </Box>
  );
}
