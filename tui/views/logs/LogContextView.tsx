// A log line's context: its container's lines around it, the hit marked, the selected line's fields.
import { Box, Text } from 'ink';
import { fieldsLine, flatMessage, levelLabel, logTime } from '../../render/log-line.js';
import { fit } from '../../render/text.js';
import { useTheme } from '../theme.js';
import type { ViewProps } from '../view-props.js';
import { contextMatches, contextRecords, contextRows, type LogContextSlice } from './context-model.js';
import { matchRanges } from './query.js';

export function LogContextView({ slice, ctx }: ViewProps<LogContextSlice>) {
  const theme = useTheme();
  const width = ctx.viewport.columns;
  const rows = contextRows(ctx);
  const records = contextRecords(slice);
  const matches = contextMatches(slice);
  const hit = slice.data?.hit;
  const selected = records[slice.cursor];
  const title = hit ? `${hit.cluster} ${hit.namespace}/${hit.pod}/${hit.container}` : 'loading…';
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate">
        <Text bold>Context </Text>
        <Text color={hit ? theme.cluster(hit.cluster) : theme.muted}>{title}</Text>
        {slice.data && <Text color={theme.muted}>{`  ${slice.data.before.length} before · ${slice.data.after.length} after · ${matches.filter(Boolean).length} matching (n/N)`}</Text>}
      </Text>
      <Box flexDirection="column" height={rows}>
        {slice.error ? (
          <Text color={theme.error}>  {slice.error}</Text>
        ) : (
          records.slice(slice.scroll, slice.scroll + rows).map((r, i) => {
            const index = slice.scroll + i;
            const isHit = r.id === hit?.id;
            const isSelected = index === slice.cursor;
            const text = flatMessage(r.message);
            const ranges = slice.query && matches[index] ? matchRanges(slice.query, text) : [];
            return (
              <Text key={r.id} wrap="truncate" bold={isHit || isSelected} inverse={isSelected && theme.color}>
                {isSelected ? '> ' : isHit ? '* ' : matches[index] ? '+ ' : '  '}
                <Text color={theme.muted}>{logTime(r.ts, 12)}</Text> <Text color={theme.level(r.level)}>{fit(levelLabel(r.level), 5)}</Text>{' '}
                <Highlighted text={text} ranges={ranges} hit={isHit} />
              </Text>
            );
          })
        )}
      </Box>
      <Text wrap="truncate" color={theme.muted}>
        {selected ? `  ${selected.ts}  ${selected.stream}${selected.node ? `  node ${selected.node}` : ''}${selected.id === hit?.id ? '  (the hit)' : ''}` : ' '}
      </Text>
      <Text wrap="truncate">{selected ? `  ${Object.keys(selected.fields).length > 0 ? fieldsLine(selected.fields, width - 4) : 'no JSON fields'}` : ' '}</Text>
    </Box>
  );
}

/** The message with the ranges the query's words match underlined (and, in colour, yellow). */
function Highlighted({ text, ranges, hit }: { text: string; ranges: [number, number][]; hit: boolean }) {
  const theme = useTheme();
  const parts: { t: string; on: boolean }[] = [];
  let at = 0;
  for (const [from, to] of ranges) {
    if (from > at) parts.push({ t: text.slice(at, from), on: false });
    parts.push({ t: text.slice(from, to), on: true });
    at = to;
  }
  if (at < text.length) parts.push({ t: text.slice(at), on: false });
  return (
    <Text color={hit && theme.color ? 'yellow' : undefined}>
      {parts.map((p, i) => (p.on ? <Text key={i} underline color={theme.color ? 'yellow' : undefined}>{p.t}</Text> : p.t))}
    </Text>
  );
}
