// The logs view: title (query, counts, follow state), the sparkline of matches by level, the visible
// slice of the merged lines (cluster coloured, level coloured, query words highlighted), notices, and
// the selected line's detail. Renders only the lines on screen.
import { Box, Text } from 'ink';
import { memo } from 'react';
import type { StoredLogRecord } from '../../../core/logs/record.js';
import type { Query } from '../../../core/query/ast.js';
import { fieldsLine, flatMessage, logColumns, logPrefix, messageRows, messageRuns, type LogColumns } from '../../render/log-line.js';
import { sparkCells, sparkRuns, type SparkTone } from '../../render/sparkline.js';
import { fit } from '../../render/text.js';
import { useTheme, type Theme } from '../theme.js';
import type { ViewProps } from '../view-props.js';
import { logsLayoutOf, logsNotices, type LogsSlice } from './model.js';
import { matchRanges } from './query.js';

function toneColor(theme: Theme, tone: SparkTone): string | undefined {
  if (tone === 'error') return theme.error;
  if (tone === 'warn') return theme.warning;
  return tone === 'plain' ? theme.accent : theme.muted;
}

const LogLine = memo(function LogLine(props: { record: StoredLogRecord; selected: boolean; query: Query | null; columns: LogColumns; wrap: boolean; rows: number }) {
  const theme = useTheme();
  const { record, columns: c, selected } = props;
  const cells = logPrefix(record, c);
  const text = flatMessage(record.message);
  const ranges = props.query ? matchRanges(props.query, text) : [];
  const rows = props.wrap ? Math.min(props.rows, messageRows(text, c.message, true)) : 1;
  const indent = ' '.repeat(c.time + c.cluster + c.source + c.level + 6);
  const lines = Array.from({ length: rows }, (_, i) => {
    const from = i * c.message;
    const to = props.wrap ? Math.min(text.length, from + c.message) : text.length;
    return messageRuns(text, ranges, from, to);
  });
  // Highlight: inverse in colour; without colour, underlined (inverse marks the selected line there too little).
  const hit = (t: string, i: number) => (
    <Text key={i} bold underline={!theme.color} inverse={theme.color && !selected} color={theme.color ? 'yellow' : undefined}>
      {t}
    </Text>
  );
  return (
    <Box flexDirection="column">
      <Text wrap="truncate" bold={selected} inverse={selected && theme.color}>
        {selected ? '> ' : '  '}
        <Text color={theme.muted}>{cells.time}</Text> <Text color={theme.cluster(record.cluster)}>{cells.cluster}</Text> {cells.source}{' '}
        <Text color={theme.level(record.level)}>{cells.level}</Text> {lines[0]?.map((r, i) => (r.hit ? hit(r.text, i) : r.text))}
      </Text>
      {lines.slice(1).map((runs, row) => (
        <Text key={row} wrap="truncate" bold={selected} inverse={selected && theme.color}>
          {indent}
          {runs.map((r, i) => (r.hit ? hit(r.text, i) : r.text))}
        </Text>
      ))}
    </Box>
  );
});

function Title({ slice, width }: { slice: LogsSlice; width: number }) {
  const theme = useTheme();
  const query = slice.query === '' ? 'the whole fleet' : (slice.query ?? '');
  const state = !slice.loaded ? 'loading…' : slice.follow ? 'following' : slice.newLines > 0 ? `paused · ${slice.newLines} new lines (G follows)` : slice.live ? 'paused (G follows)' : 'older lines (G: newest)';
  return (
    <Text wrap="truncate">
      <Text bold>Logs </Text>
      <Text color={theme.accent}>{fit(query, Math.max(10, Math.min(query.length, width - 40)))}</Text>
      <Text color={theme.muted}>{`  ${slice.lines.length} lines${slice.wrap ? ' · wrap' : ''} · `}</Text>
      <Text color={slice.newLines > 0 ? theme.warning : theme.muted} bold={slice.newLines > 0}>
        {state}
      </Text>
    </Text>
  );
}

function Sparkline({ slice, width }: { slice: LogsSlice; width: number }) {
  const theme = useTheme();
  const h = slice.histogram;
  if (h.error) return <Text wrap="truncate" color={theme.error}>{`  histogram: ${h.error}`}</Text>;
  if (!h.data) return <Text color={theme.muted}>  matches over time: loading…</Text>;
  const span = Math.round((h.data.toMs - h.data.fromMs) / 60_000);
  const label = `${h.data.total} in ${span >= 120 ? `${Math.round(span / 60)}h` : `${span}m`} `;
  const runs = sparkRuns(sparkCells(h.data).slice(-(width - label.length - 4)));
  return (
    <Text wrap="truncate">
      <Text color={theme.muted}>{`  ${label}`}</Text>
      {runs.map((r, i) => (
        <Text key={i} color={toneColor(theme, r.tone)}>
          {r.text}
        </Text>
      ))}
    </Text>
  );
}

function Draft({ draft }: { draft: NonNullable<LogsSlice['draft']> }) {
  const theme = useTheme();
  if (!draft.error) return null;
  const at = Math.min(draft.error.position, draft.text.length);
  return (
    <>
      <Text wrap="truncate">
        {'  '}
        {draft.text.slice(0, at)}
        <Text inverse color={theme.error}>
          {draft.text[at] ?? ' '}
        </Text>
        {draft.text.slice(at + 1)}
      </Text>
      <Text wrap="truncate" color={theme.error}>
        {'  '}
        {draft.error.message}
      </Text>
    </>
  );
}

function Detail({ record, rows, width }: { record: StoredLogRecord | undefined; rows: number; width: number }) {
  const theme = useTheme();
  if (!record) return <Box height={rows} />;
  const fields = Object.keys(record.fields).length > 0 ? fieldsLine(record.fields, width * (rows - 1) - 4) : 'no JSON fields';
  const fieldRows = Array.from({ length: rows - 1 }, (_, i) => fields.slice(i * (width - 4), (i + 1) * (width - 4))).filter((l) => l.trim().length > 0);
  return (
    <Box flexDirection="column" height={rows}>
      <Text wrap="truncate" color={theme.muted}>
        {`  ${record.ts}  ${record.cluster} ${record.namespace}/${record.pod}/${record.container}${record.node ? `  node ${record.node}` : ''}  ${record.stream}`}
      </Text>
      {fieldRows.map((l, i) => (
        <Text key={i} wrap="truncate">
          {'  '}
          {l}
        </Text>
      ))}
    </Box>
  );
}

export function LogsView({ slice, ctx }: ViewProps<LogsSlice>) {
  const theme = useTheme();
  const width = ctx.viewport.columns;
  const layout = logsLayoutOf(slice, ctx);
  const columns = logColumns(width);
  // Only what fits on screen is rendered: from the scroll position until the rows are used up.
  const shown: { record: StoredLogRecord; index: number; rows: number }[] = [];
  let used = 0;
  for (let i = slice.scroll; i < slice.lines.length && used < layout.rows; i++) {
    const record = slice.lines[i] as StoredLogRecord;
    const rows = Math.min(layout.rows - used, messageRows(record.message, columns.message, slice.wrap));
    shown.push({ record, index: i, rows });
    used += rows;
  }
  const notices = logsNotices(slice).filter((n) => n !== 'draft');
  const empty = !slice.loaded ? 'waiting for lines…' : slice.query === '' ? 'no lines stored yet' : 'no line matches the query yet — / refines it';
  return (
    <Box flexDirection="column" width={width}>
      <Title slice={slice} width={width} />
      <Sparkline slice={slice} width={width} />
      <Box flexDirection="column" height={layout.rows}>
        {shown.length === 0 ? (
          <Text color={theme.muted}>  {empty}</Text>
        ) : (
          shown.map((s) => <LogLine key={s.record.id} record={s.record} selected={s.index === slice.cursor} query={slice.parsed} columns={columns} wrap={slice.wrap} rows={s.rows} />)
        )}
      </Box>
      {layout.notice > 0 && (
        <Box flexDirection="column" height={layout.notice}>
          {slice.draft?.error ? <Draft draft={slice.draft} /> : null}
          {notices.slice(0, layout.notice - (slice.draft?.error ? 2 : 0)).map((n) => (
            <Text key={n} wrap="truncate" color={theme.warning}>
              {'  '}
              {n}
            </Text>
          ))}
        </Box>
      )}
      <Detail record={slice.lines[slice.cursor]} rows={layout.detail} width={width} />
    </Box>
  );
}
