// The audit view: the title with the count, the visible slice of the records (refusals in the
// warning colour), and the selected record's detail. Text from render/audit-row.ts.
import { Box, Text } from 'ink';
import { auditDetail, auditHeader, auditLine } from '../../render/audit-row.js';
import { useTheme } from '../theme.js';
import type { ViewProps } from '../view-props.js';
import { AUDIT_DETAIL_LINES, auditTableRows, visibleAuditRecords, type AuditSlice } from './model.js';

export function AuditView({ slice, ctx }: ViewProps<AuditSlice>) {
  const theme = useTheme();
  const width = ctx.viewport.columns;
  const rows = visibleAuditRecords(slice);
  const height = auditTableRows(ctx.viewport, ctx.conn);
  const shown = rows.slice(slice.scroll, slice.scroll + height);
  const total = slice.records?.length ?? 0;
  const selected = rows[slice.cursor] ?? null;
  const empty = slice.records === null ? 'waiting for the audit log…' : slice.filter ? 'no record matches the filter' : 'no records yet';
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate">
        <Text bold>Audit</Text>
        <Text color={theme.muted}>{` · ${slice.filter ? `${rows.length} of ${total}` : total} ${total === 1 ? 'record' : 'records'}, newest first`}</Text>
        {slice.dropped > 0 && <Text color={theme.warning}>{` · ${slice.dropped} not received in time (reopen to reload)`}</Text>}
      </Text>
      <Text wrap="truncate" color={theme.muted}>
        {` ${auditHeader(width - 1)}`}
      </Text>
      <Box flexDirection="column" height={height}>
        {shown.length === 0 ? (
          <Text color={theme.muted}>{empty}</Text>
        ) : (
          shown.map((r, i) => {
            const isSelected = slice.scroll + i === slice.cursor;
            return (
              <Text key={r.seq} wrap="truncate" color={r.allowed ? undefined : theme.warning} bold={isSelected} inverse={isSelected && theme.color}>
                {`${isSelected && !theme.color ? '>' : ' '}${auditLine(r, width - 1)}`}
              </Text>
            );
          })
        )}
      </Box>
      <Box flexDirection="column" height={AUDIT_DETAIL_LINES}>
        {selected &&
          auditDetail(selected, AUDIT_DETAIL_LINES, width).map((l, i) => (
            <Text key={i} wrap="truncate" color={i === 0 ? undefined : theme.muted}>
              {l}
            </Text>
          ))}
      </Box>
    </Box>
  );
}
