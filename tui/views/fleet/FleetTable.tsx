// Renders only the rows that fit: with 10,000 clusters a frame still draws a screenful, and the
// sparkline column is computed for those rows alone.
import { Box, Text } from 'ink';
import { memo, useMemo } from 'react';
import type { ClusterRow } from '../../../core/fleet.js';
import { headerLine, joinCells, type Column } from '../../render/columns.js';
import { fleetCells, isStale, type FleetColumnId } from '../../render/fleet-row.js';
import { sparkText } from '../../render/spark-cells.js';
import { fit, oneColumnEach } from '../../render/text.js';
import { useTheme } from '../theme.js';
import { sparkSeries, sparkTitle, sparkValues, type SparkState } from '../../state/fleet-spark.js';

export const FleetRowLine = memo(function FleetRowLine(props: { row: ClusterRow; selected: boolean; marked: boolean; now: number; columns: Column<FleetColumnId>[]; spark: string; width: number }) {
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
  const head = `${marker}${before}${healthAt > 0 ? ' ' : ''}`;
  const after = joinCells(columns.slice(healthAt + 1), cells.slice(healthAt + 1));
  const whole = (
    <Text {...style}>
      {head}
      <Text color={theme.health(row.health)}>{health}</Text>
      {`${healthAt < columns.length - 1 ? ' ' : ''}${after}`}
    </Text>
  );
  // The clock's tick changes the AGE cell alone: drawn as a text of its own, the rest of the row stays
  // the text Ink measured and drew last frame. The same characters in the same columns, as long as
  // the row fits (nothing is cut) and each character is one column (the parts sit where they would).
  const ageAt = columns.findIndex((c) => c.id === 'AGE');
  const ageCol = columns[ageAt];
  if (ageCol === undefined || ageAt < healthAt) return whole;
  const line = `${head}${health} ${after}`;
  if (line.length > props.width || !oneColumnEach(line)) return whole;
  const middle = joinCells(columns.slice(healthAt + 1, ageAt), cells.slice(healthAt + 1, ageAt));
  const rest = joinCells(columns.slice(ageAt + 1), cells.slice(ageAt + 1));
  return (
    <Box>
      <Text {...style}>
        {head}
        <Text color={theme.health(row.health)}>{health}</Text>
        {` ${ageAt > healthAt + 1 ? `${middle} ` : ''}`}
      </Text>
      <Text {...style}>{fit(cells[ageAt] ?? '', ageCol.width, ageCol.align)}</Text>
      {ageAt < columns.length - 1 && <Text {...style}>{` ${rest}`}</Text>}
    </Box>
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
            width={props.width}
            spark={sparkShown && spark ? sparkText(sparkValues(spark.rings.get(row.name), spark.clock), unit, props.ascii ?? false) : ''}
          />
        ))
      )}
    </Box>
  );
}
