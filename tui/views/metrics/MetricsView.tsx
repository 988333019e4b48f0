// The metrics view: the title (clusters with their colours or glyphs, the range, the step, the
// cursor's time), the charts in a grid with each one's values at the cursor, and the time axis under
// each column. Everything is computed by the model (metricsScreen) and the renderer; this paints runs.
import { Box, Text } from 'ink';
import { memo, useMemo } from 'react';
import { formatLag } from '../../../core/duration.js';
import { effectiveChartMode } from '../../render/chart-mode.js';
import { ASCII_GLYPHS, type ChartLine, type ChartMode, type ChartTone } from '../../render/line-chart.js';
import { RANGES } from '../../state/metrics.js';
import { useTheme, type Theme } from '../theme.js';
import type { ViewProps } from '../view-props.js';
import { useChartSetting } from './chart-context.js';
import { GRID_GAP, metricsLayout, metricsNote, metricsScreen, metricsStatus, type ChartPanel, type MetricsSlice } from './model.js';

function toneColor(theme: Theme, tone: ChartTone): string | undefined {
  if (tone === 'axis') return theme.muted;
  if (tone === 'cursor') return theme.color ? 'white' : undefined;
  return theme.series(tone);
}

/** How a cluster is told apart in the title and in the values: its ASCII glyph, or a coloured square. */
function seriesMark(mode: ChartMode, i: number): string {
  return mode === 'ascii' ? (ASCII_GLYPHS[i % ASCII_GLYPHS.length] ?? '*') : '■';
}

const Line = memo(function Line(props: { line: ChartLine }) {
  const theme = useTheme();
  return (
    <Text wrap="truncate">
      {props.line.map((run, i) => (
        <Text key={i} color={toneColor(theme, run.tone)} bold={run.tone === 'cursor'}>
          {run.text}
        </Text>
      ))}
    </Text>
  );
});

const Chart = memo(function Chart(props: { panel: ChartPanel; width: number; overlaid: boolean; mode: ChartMode }) {
  const theme = useTheme();
  const { panel } = props;
  return (
    <Box flexDirection="column" width={props.width}>
      <Text wrap="truncate">
        <Text bold>{panel.def.title}</Text>
        {panel.values.map((v) => (
          <Text key={v.series} color={theme.series(v.series)}>
            {`  ${props.overlaid && props.mode === 'ascii' ? seriesMark(props.mode, v.series) : ''}${v.text}`}
          </Text>
        ))}
      </Text>
      {panel.lines.map((line, i) => (
        <Line key={i} line={line} />
      ))}
    </Box>
  );
});

export function MetricsView({ slice, ctx }: ViewProps<MetricsSlice>) {
  const theme = useTheme();
  const setting = useChartSetting();
  const overlaid = slice.clusters.length > 1;
  const mode = effectiveChartMode(setting, theme.color, slice.clusters.length);
  const { viewport, conn } = ctx;
  const layout = useMemo(() => metricsLayout(viewport, conn), [viewport, conn]);
  // Drawn again when data, the cursor, the range or the size change; not on the clock's ticks.
  const screen = useMemo(() => metricsScreen(slice, layout, mode), [slice, layout, mode]);
  const note = metricsNote(slice, ctx.now);
  const grid = screen ? Array.from({ length: layout.gridRows }, (_, r) => screen.panels.slice(r * layout.gridColumns, (r + 1) * layout.gridColumns)) : [];
  return (
    <Box flexDirection="column" width={viewport.columns}>
      <Text wrap="truncate">
        <Text bold>Metrics</Text>
        {slice.clusters.map((c, i) => (
          <Text key={c}>
            {' '}
            {overlaid && <Text color={theme.series(i)}>{`${seriesMark(mode, i)} `}</Text>}
            <Text bold={!overlaid} color={overlaid ? theme.series(i) : undefined}>
              {c}
            </Text>
          </Text>
        ))}
        {'  '}
        {RANGES.map((r, i) => (
          <Text key={r}>
            {i > 0 ? ' ' : ''}
            <Text bold={r === slice.range} color={r === slice.range ? theme.accent : theme.muted}>
              {r === slice.range ? `[${r}]` : r}
            </Text>
          </Text>
        ))}
        {screen && <Text color={theme.muted}>{`  step ${formatLag(screen.window.stepMs / 1000)} (${screen.window.resolution}) · ${screen.cursorAt === null ? 'latest' : `cursor ${screen.cursorAt} UTC`}`}</Text>}
        {note !== null && <Text color={theme.warning}>{`  ${note}`}</Text>}
      </Text>
      {screen === null ? (
        metricsStatus(slice).map((line, i) => (
          <Text key={i} wrap="truncate" color={slice.data[i]?.error ? theme.error : theme.muted}>
            {`  ${line}`}
          </Text>
        ))
      ) : (
        <>
          {grid.map((row, r) => (
            <Box key={r} flexDirection="row" gap={GRID_GAP}>
              {row.map((panel) => (
                <Chart key={panel.def.series} panel={panel} width={layout.columnWidth} overlaid={overlaid} mode={mode} />
              ))}
            </Box>
          ))}
          <Box flexDirection="row" gap={GRID_GAP}>
            {Array.from({ length: Math.min(layout.gridColumns, screen.panels.length) }, (_, c) => (
              <Box key={c} flexDirection="column" width={layout.columnWidth}>
                {screen.axis.map((line, i) => (
                  <Line key={i} line={line} />
                ))}
              </Box>
            ))}
          </Box>
        </>
      )}
    </Box>
  );
}
