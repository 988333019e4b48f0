// The metrics pane: the selected cluster at a glance (health, reasons, nodes and pods, data age,
// versions) and under it the sparklines of its last hour (metrics-pane.ts) with one time axis.
// Say "Prometheus did not answer" when the range answer came from the daemon's own series instead.
import { Box, Text } from 'ink';
import { memo, useMemo } from 'react';
import type { ClusterRow } from '../../../core/fleet.js';
import { formatAge } from '../../../core/duration.js';
import { effectiveChartMode } from '../../render/chart-mode.js';
import type { ChartLine, ChartTone } from '../../render/line-chart.js';
import { dataAgeMs, formatLabels } from '../../render/fleet-row.js';
import { useChartSetting } from '../metrics/chart-context.js';
import { oneColumnEach } from '../../render/text.js';
import { useTheme, type Theme } from '../theme.js';
import { paneCharts, paneChartsLayout } from '../../render/pane-charts.js';
import type { PaneMetrics } from '../../state/fleet-panes.js';
import { prometheusNote } from '../../state/metrics.js';
import { Pane, paneInner, type TitlePart } from './Pane.js';


function toneColor(theme: Theme, tone: ChartTone): string | undefined {
  if (tone === 'axis') return theme.muted;
  if (tone === 'cursor') return theme.color ? 'white' : undefined;
  return theme.series(tone);
}

const Line = memo(function Line(props: { line: ChartLine }) {
  const theme = useTheme();
  return (
    <Text wrap="truncate">
      {props.line.map((run, i) => (
        <Text key={i} color={toneColor(theme, run.tone)}>
          {run.text}
        </Text>
      ))}
    </Text>
  );
});

/** Lines of the summary for a pane of `rows` lines: the reasons get up to three when the pane is tall. */
export function summaryReasonRows(rows: number): number {
  return rows >= 24 ? 3 : rows >= 14 ? 2 : 1;
}

/**
 * "data age 4s (every 10s) · kubernetes … · agent …", cut to `width`. The clock's tick changes the age
 * alone: drawn as a text of its own that never shrinks, the rest stays the text Ink measured and cut
 * last frame. The same characters in the same columns, as long as the age fits with a column to spare
 * (the rest cut after it as the whole line would be) and each character is one column.
 */
export function DataAgeLine(props: { row: ClusterRow; age: number | null; width: number }) {
  const { row } = props;
  const head = `data age ${props.age === null ? 'no report yet' : formatAge(props.age)}`;
  const tail = ` (every ${row.intervalSeconds}s) · kubernetes ${row.kubernetesVersion ?? '-'} · agent ${row.agentVersion ?? '-'}`;
  if (head.length >= props.width || !oneColumnEach(head + tail)) return <Text wrap="truncate">{head + tail}</Text>;
  return (
    <Box>
      <Box flexShrink={0}>
        <Text>{head}</Text>
      </Box>
      <Text wrap="truncate">{tail}</Text>
    </Box>
  );
}

function Summary(props: { row: ClusterRow; now: number; reasons: number; labels: boolean; width: number }) {
  const theme = useTheme();
  const { row } = props;
  const age = dataAgeMs(row, props.now);
  return (
    <>
      <Text wrap="truncate">
        <Text bold>{row.name}</Text> <Text color={theme.health(row.health)}>{row.health}</Text>
      </Text>
      {row.reasons.length === 0 ? (
        <Text color={theme.muted}>no problems reported</Text>
      ) : (
        row.reasons.slice(0, props.reasons).map((r, i) => (
          <Text key={i} wrap="truncate">
            · {i === props.reasons - 1 && row.reasons.length > props.reasons ? `${r} (+${row.reasons.length - props.reasons} more)` : r}
          </Text>
        ))
      )}
      <Text wrap="truncate">
        nodes {row.nodes.ready}/{row.nodes.total} ready · pods {row.pods.running}/{row.pods.total} running · {row.restarts} restarts
      </Text>
      <DataAgeLine row={row} age={age} width={props.width} />
      {props.labels && Object.keys(row.labels).length > 0 && (
        <Text wrap="truncate" color={theme.muted}>
          {formatLabels(row.labels)}
        </Text>
      )}
    </>
  );
}

function summaryLines(row: ClusterRow, reasons: number, labels: boolean): number {
  return 1 + Math.max(1, Math.min(reasons, row.reasons.length)) + 2 + (labels && Object.keys(row.labels).length > 0 ? 1 : 0);
}

/** What the pane says before its charts: the cluster's hour on its way, or why it is not. */
function chartsStatus(m: PaneMetrics, selected: string): string {
  if (m.cluster !== selected) return `following the selection…`;
  if (m.error !== null && m.held === null) return `metrics of ${selected}: ${m.error}`;
  return `loading the last hour of ${selected}…`;
}

export function metricsPaneSubtitle(row: ClusterRow | null): TitlePart[] {
  return [{ text: row === null ? 'no cluster selected' : `${row.name} · last 1h` }];
}

export function MetricsPane(props: { row: ClusterRow | null; metrics: PaneMetrics; now: number; title: readonly TitlePart[]; framed: boolean; width: number; height: number }) {
  const theme = useTheme();
  const setting = useChartSetting();
  const mode = effectiveChartMode(setting, theme.color, 1);
  const { row, metrics: m, framed } = props;
  const inner = paneInner(framed, props.width, props.height);
  const reasons = summaryReasonRows(inner.height);
  const labels = inner.height >= 30;
  const summary = row === null ? 0 : summaryLines(row, reasons, labels);
  // a line between the summary and the charts: blank, or what is wrong with the central Prometheus
  const chartRows = Math.max(0, inner.height - summary - 1);
  const layout = useMemo(() => paneChartsLayout(inner.width, chartRows), [inner.width, chartRows]);
  const held = row !== null && m.cluster === row.name ? m.held : null;
  // Drawn again when the points, the size or the glyphs change; not on the clock's ticks.
  const note = prometheusNote(held, props.now);
  const screen = useMemo(() => (held && layout ? paneCharts(held, layout, mode) : null), [held, layout, mode]);
  return (
    <Pane title={props.title} framed={framed} width={props.width} height={props.height}>
      {row === null ? (
        <Text color={theme.muted}>no cluster selected</Text>
      ) : (
        <>
          <Summary row={row} now={props.now} reasons={reasons} labels={labels} width={inner.width} />
          {note !== null ? (
            <Text wrap="truncate" color={theme.warning}>
              {note}
            </Text>
          ) : (
            <Text> </Text>
          )}
          {layout === null ? null : screen === null ? (
            <Text wrap="truncate" color={m.error !== null && m.cluster === row.name ? theme.error : theme.muted}>
              {chartsStatus(m, row.name)}
            </Text>
          ) : (
            <>
              {screen.charts.map((c) => (
                <Box key={c.def.series} flexDirection="column">
                  <Text wrap="truncate">
                    <Text bold>{c.def.title}</Text>
                    <Text color={theme.series(0)}>{`  ${c.value}`}</Text>
                  </Text>
                  {c.lines.map((line, i) => (
                    <Line key={i} line={line} />
                  ))}
                </Box>
              ))}
              {screen.axis.map((line, i) => (
                <Line key={`axis${i}`} line={line} />
              ))}
            </>
          )}
        </>
      )}
    </Pane>
  );
}
