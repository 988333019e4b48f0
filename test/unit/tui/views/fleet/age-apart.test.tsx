// The data ages drawn as texts of their own (so the clock's tick re-measures only them) draw the same
// frame as the whole line did: the fleet table's rows against the row as one text, the metrics pane's
// "data age" line against the line as one text, at every width, with colour and without, before and
// after a tick, and where the line is cut or has characters wider (or narrower) than one column.
import { Box, Text } from 'ink';
import type { ReactElement } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ClusterRow } from '../../../../../core/fleet.js';
import { formatAge } from '../../../../../core/duration.js';
import { joinCells, type Column } from '../../../../../tui/render/columns.js';
import { fleetCells, fleetColumns, isStale, measureFleet, type FleetColumnId } from '../../../../../tui/render/fleet-row.js';
import { BLOCKS } from '../../../../../tui/render/sparkline.js';
import { fit } from '../../../../../tui/render/text.js';
import { FleetRowLine } from '../../../../../tui/views/fleet/FleetTable.js';
import { DataAgeLine } from '../../../../../tui/views/fleet/MetricsPane.js';
import { makeTheme, ThemeContext, useTheme } from '../../../../../tui/views/theme.js';
import { makeRow, NOW, renderAt, ROWS, track, unmountAll } from '../../helpers.js';

// With colour, so that the styles of every cell are compared too: set before Ink's chalk is loaded
// (vi.hoisted runs ahead of the imports), in this file's own process.
vi.hoisted(() => {
  process.env.FORCE_COLOR = '3';
});

afterEach(unmountAll);

/** The fleet table's row as it was drawn before: one text, the health cell coloured inside it. */
function RowAsOneText(props: { row: ClusterRow; selected: boolean; marked: boolean; now: number; columns: Column<FleetColumnId>[]; spark: string; width: number }) {
  const theme = useTheme();
  const { row, columns, selected } = props;
  const cells = fleetCells(row, props.now, columns, props.spark);
  const healthAt = columns.findIndex((c) => c.id === 'HEALTH');
  const marker = `${selected ? '>' : ' '}${props.marked ? '*' : ' '}`;
  const style = { wrap: 'truncate', dimColor: isStale(row, props.now) && !selected, bold: selected, inverse: selected && theme.color } as const;
  if (healthAt < 0) return <Text {...style}>{marker + joinCells(columns, cells)}</Text>;
  const healthCol = columns[healthAt];
  return (
    <Text {...style}>
      {`${marker}${joinCells(columns.slice(0, healthAt), cells.slice(0, healthAt))}${healthAt > 0 ? ' ' : ''}`}
      <Text color={theme.health(row.health)}>{healthCol ? fit(row.health, healthCol.width) : ''}</Text>
      {`${healthAt < columns.length - 1 ? ' ' : ''}${joinCells(columns.slice(healthAt + 1), cells.slice(healthAt + 1))}`}
    </Text>
  );
}

function frame(tree: ReactElement, color: boolean, columns: number): { frame: () => string; rerender: (t: ReactElement) => void } {
  const wrap = (t: ReactElement) => <ThemeContext.Provider value={makeTheme(color)}>{t}</ThemeContext.Provider>;
  const r = track(renderAt(wrap(tree), columns + 10, 40));
  return { frame: r.lastFrame, rerender: (t) => r.rerender(wrap(t)) };
}

const SPARK = BLOCKS.join('') + ' ' + BLOCKS.slice(0, 3).join('');
const ROWS_UNDER_TEST: ClusterRow[] = [
  ...ROWS,
  makeRow('never-reported', { reportedAt: null, health: 'unknown' }),
  makeRow('long-ago', { reportedAt: new Date(NOW - 5 * 86_400_000).toISOString() }),
  makeRow('wide-reasons', { health: 'critical', reasons: ['节点 NotReady：磁盘压力', 'x'] }),
  makeRow('zero-width', { health: 'degraded', reasons: ['cafe\u0301 e\u200bx'] }),
  makeRow('labelled', { labels: { env: 'prod', team: 'payments', region: 'eu-west-1' } }),
];

describe('a fleet row with its data age drawn apart', () => {
  it('draws as the row drawn as one text did, at every table width, selected, marked or stale, with colour and without, across a tick', () => {
    const widths = measureFleet(ROWS_UNDER_TEST);
    let compared = 0;
    for (const width of [24, 40, 60, 80, 100, 130, 160, 220]) {
      const columns = fleetColumns(widths, width);
      for (const color of [true, false]) {
        const table = (now: number, Row: typeof RowAsOneText | typeof FleetRowLine) => (
          <Box flexDirection="column" width={width}>
            {ROWS_UNDER_TEST.map((row, i) => (
              <Row key={row.name} row={row} now={now} columns={columns} selected={i % 5 === 1} marked={i % 3 === 0} spark={i % 2 ? SPARK : ''} width={width} />
            ))}
          </Box>
        );
        const before = frame(table(NOW, RowAsOneText), color, width);
        const now = frame(table(NOW, FleetRowLine), color, width);
        expect(now.frame()).toBe(before.frame());
        if (color) expect(now.frame()).toContain('\x1b[');
        for (const later of [NOW + 1000, NOW + 61_000, NOW + 7_200_000]) {
          before.rerender(table(later, RowAsOneText));
          now.rerender(table(later, FleetRowLine));
          expect(now.frame()).toBe(before.frame());
          compared += 1;
        }
      }
    }
    expect(compared).toBe(8 * 2 * 3);
  });

  it('draws as one text where the table is given less width than its columns (the row is cut)', () => {
    const columns = fleetColumns(measureFleet(ROWS), 120);
    for (const width of [50, 90, 119]) {
      const table = (Row: typeof RowAsOneText | typeof FleetRowLine) => (
        <Box flexDirection="column" width={width}>
          {ROWS.map((row) => (
            <Row key={row.name} row={row} now={NOW} columns={columns} selected={false} marked={false} spark="" width={width} />
          ))}
        </Box>
      );
      expect(frame(table(FleetRowLine), true, width).frame()).toBe(frame(table(RowAsOneText), true, width).frame());
    }
  });
});

describe("the metrics pane's data age line", () => {
  const AGES = [null, 4_000, 50 * 3_600_000];
  const ROWS_OF_LINE: ClusterRow[] = [
    makeRow('a'),
    makeRow('b', { kubernetesVersion: null, agentVersion: null, intervalSeconds: 300 }),
    makeRow('c', { kubernetesVersion: 'v1.31.4-eks-0123456789abcdef0123', agentVersion: '0.1.0+build.7' }),
    makeRow('d', { kubernetesVersion: 'v1.31 版本', agentVersion: 'e\u0301' }),
  ];

  it('draws as the line as one text did, cut or not, at every width from 1 to 90, in a clipped box and not', () => {
    let compared = 0;
    for (const row of ROWS_OF_LINE) {
      for (const age of AGES) {
        const whole = `data age ${age === null ? 'no report yet' : formatAge(age)} (every ${row.intervalSeconds}s) · kubernetes ${row.kubernetesVersion ?? '-'} · agent ${row.agentVersion ?? '-'}`;
        for (const overflow of ['hidden', 'visible'] as const) {
          // One box of each width under the other, each the line between two others.
          const boxes = (line: (width: number) => ReactElement) => (
            <Box flexDirection="column">
              {Array.from({ length: 90 }, (_, i) => (
                <Box key={i} flexDirection="column" width={i + 1} height={3} overflow={overflow}>
                  <Text>above</Text>
                  {line(i + 1)}
                  <Text>below</Text>
                </Box>
              ))}
            </Box>
          );
          const before = frame(boxes(() => <Text wrap="truncate">{whole}</Text>), true, 90).frame();
          const now = frame(boxes((width) => <DataAgeLine row={row} age={age} width={width} />), true, 90).frame();
          expect(now.split('\n').length).toBe(270);
          expect(now, `${row.name}, ${whole}`).toBe(before);
          compared += 90;
        }
        unmountAll();
      }
    }
    expect(compared).toBe(ROWS_OF_LINE.length * AGES.length * 90 * 2);
  }, 30_000);
});
