// Renders only the rows that fit: with 10,000 clusters a frame still draws a screenful, and the
// sparkline column is computed for those rows alone.
import { Box, Text } from 'ink';
import { memo, useMemo } from 'react';
import type { ClusterRow } from '../../../core/fleet.js';
import { headerLine, joinCells, type Column } from '../../render/columns.js';
import { fleetCells, isStale, type FleetColumnId } from '../../render/fleet-row.js';
import { sparkText } from '../../render/spark-cells.js';
import { fit } from '../../render/text.js';
import { useTheme } from '../theme.js';
import { sparkSeries, sparkTitle, sparkValues, type SparkState } from '../../state/fleet-spark.js';

const FleetRowLine = memo(function FleetRowLine(props: { row: ClusterRow; selected: boolean; marked: boolean; now: number; columns: Column<FleetColumnId>[]; spark: string }) {
  const theme = useTheme();
  const { row, columns, selected } = props;
  const cells = fleetCells(row, props.now, columns, props.spark);
  const healthAt = columns.findIndex((c) => c.id === 'HEALTH');
  // `>` the cursor, `*` a row marked with space; both survive NO_COLOR.
  const marker = `${selected ? '>' : ' '}${props.marked ? '*' : ' '}`;
  const stale = isStale(row, props.now);
  const style = { wrap: 'truncate', dimColor: stale && !selected, bold: selected, inverse: selected && theme.color } as const;
  // A table too narrow for HEALTH (only ever the name column) has no cell to colour.
  if (healthAt < 0) return <Text {...style}>{marker + joinCells(columns, cells)}</Text>;
  const before = joinCells(columns.slice(0, healthAt), cells.slice(0, healthAt));
  const healthCol = columns[healthAt];
  const health = healthCol ? fit(row.health, healthCol.width) : '';
  const after = joinCells(columns.slice(healthAt + 1), cells.slice(healthAt + 1));
  return (
    <Text {...style}>
      {`${marker}${before}${healthAt > 0 ? ' ' : ''}`}
      <Text color={theme.health(row.health)}>{health}</Text>
      {`${healthAt < columns.length - 1 ? ' ' : ''}${after}`}
    </Text>
  );
});

/**
 * `rows` are all the rows the table may show, `columns` its columns at its width; it draws only the
 * visible slice. `spark` holds the sparkline column's series, drawn in ASCII when `ascii`.
 */
export function FleetTable(props: {
  rows: readonly ClusterRow[];
  columns: Column<FleetColumnId>[];
  cursor: number;
  scroll: number;
  height: number;
  width: number;
  now: number;
  emptyText: string;
  marked?: readonly string[];
  spark?: SparkState;
  ascii?: boolean;
}) {
  const theme = useTheme();
  const { spark, columns } = props;
  const sparkShown = spark !== undefined && columns.some((c) => c.id === 'SPARK');
  const title = spark ? sparkTitle(spark) : null;
  const header = useMemo(() => headerLine(title === null ? columns : columns.map((c) => (c.id === 'SPARK' ? { ...c, title } : c))), [columns, title]);
  const slice = props.rows.slice(props.scroll, props.scroll + props.height);
  const unit = spark ? sparkSeries(spark).unit : 'ratio';
  return (
    <Box flexDirection="column" width={props.width} height={props.height + 1}>
      <Text wrap="truncate" bold color={theme.accent}>
        {header}
      </Text>
      {slice.length === 0 ? (
        <Text color={theme.muted}>  {props.emptyText}</Text>
      ) : (
        slice.map((row, i) => (
          <FleetRowLine
            key={row.name}
            row={row}
            selected={props.scroll + i === props.cursor}
            marked={props.marked?.includes(row.name) ?? false}
            now={props.now}
            columns={columns}
            spark={sparkShown && spark ? sparkText(sparkValues(spark.rings.get(row.name), spark.clock), unit, props.ascii ?? false) : ''}
          />
        ))
      )}
    </Box>
  );
}
