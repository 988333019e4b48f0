// A log line's context: its container's lines around it, the hit marked, the selected line's fields.
import { Box, Text } from 'ink';
import { fieldsLine, flatMessage, levelLabel, logTime } from '../../render/log-line.js';
import { fit } from '../../render/text.js';
import { useTheme } from '../theme.js';
import type { ViewProps } from '../view-props.js';
import { contextRecords, contextRows, type LogContextSlice } from './context-model.js';

export function LogContextView({ slice, ctx }: ViewProps<LogContextSlice>) {
  const theme = useTheme();
  const width = ctx.viewport.columns;
  const rows = contextRows(ctx);
  const records = contextRecords(slice);
  const hit = slice.data?.hit;
  const selected = records[slice.cursor];
  const title = hit ? `${hit.cluster} ${hit.namespace}/${hit.pod}/${hit.container}` : 'loading…';
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate">
        <Text bold>Context </Text>
        <Text color={hit ? theme.cluster(hit.cluster) : theme.muted}>{title}</Text>
        {slice.data && <Text color={theme.muted}>{`  ${slice.data.before.length} before · ${slice.data.after.length} after`}</Text>}
      </Text>
      <Box flexDirection="column" height={rows}>
        {slice.error ? (
          <Text color={theme.error}>  {slice.error}</Text>
        ) : (
          records.slice(slice.scroll, slice.scroll + rows).map((r, i) => {
            const index = slice.scroll + i;
            const isHit = r.id === hit?.id;
            const isSelected = index === slice.cursor;
            return (
              <Text key={r.id} wrap="truncate" bold={isHit || isSelected} inverse={isSelected && theme.color}>
                {isSelected ? '> ' : isHit ? '* ' : '  '}
                <Text color={theme.muted}>{logTime(r.ts, 12)}</Text> <Text color={theme.level(r.level)}>{fit(levelLabel(r.level), 5)}</Text>{' '}
                <Text color={isHit && theme.color ? 'yellow' : undefined}>{flatMessage(r.message)}</Text>
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
