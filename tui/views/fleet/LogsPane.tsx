// The logs pane: the newest error lines of the cluster the panes show (or of the whole fleet), newest
// at the bottom, as many as fit; only those are drawn.
import { Text } from 'ink';
import { memo } from 'react';
import type { StoredLogRecord } from '../../../core/logs/record.js';
import { paneLogCells } from '../../render/log-line.js';
import { useTheme } from '../theme.js';
import { paneLogLines, type FleetPanes } from '../../state/fleet-panes.js';
import { Pane, paneInner, type TitlePart } from './Pane.js';

const PaneLogLine = memo(function PaneLogLine(props: { record: StoredLogRecord; width: number; withCluster: boolean }) {
  const theme = useTheme();
  const c = paneLogCells(props.record, props.width, props.withCluster);
  return (
    <Text wrap="truncate">
      <Text color={theme.muted}>{c.time}</Text> {props.withCluster && <Text color={theme.cluster(props.record.cluster)}>{`${c.cluster} `}</Text>}
      {c.source} <Text color={theme.level(props.record.level)}>{c.message}</Text>
    </Text>
  );
});

/** What the pane is about, for its title: "errors of prod-eu-1" or "errors of the fleet", and the f key's other choice. */
export function logsPaneSubtitle(panes: FleetPanes): TitlePart[] {
  const cluster = panes.logsScope === 'cluster' ? panes.shown : null;
  const what = cluster === null ? 'errors of the fleet' : `errors of ${cluster}`;
  return [{ text: what }, { text: cluster === null ? (panes.logsScope === 'fleet' ? '  f: the selected cluster' : '') : '  f: the fleet', tone: 'muted' }];
}

export function LogsPane(props: { panes: FleetPanes; title: readonly TitlePart[]; framed: boolean; width: number; height: number }) {
  const theme = useTheme();
  const { panes, framed } = props;
  const inner = paneInner(framed, props.width, props.height);
  const notice = panes.logs.dropped > 0 ? 1 : 0;
  const lines = paneLogLines(panes, inner.height - notice);
  const withCluster = !panes.logs.query.startsWith('cluster:');
  let body;
  if (!panes.logs.loaded) body = <Text color={theme.muted}>waiting for error lines…</Text>;
  else if (lines.length === 0) body = <Text color={theme.muted}>no error lines stored — L opens every line</Text>;
  else body = lines.map((r) => <PaneLogLine key={r.id} record={r} width={inner.width} withCluster={withCluster} />);
  return (
    <Pane title={props.title} framed={framed} width={props.width} height={props.height}>
      {body}
      {notice > 0 && (
        <Text wrap="truncate" color={theme.warning}>
          {`dropped ${panes.logs.dropped} lines (the daemon could not send them fast enough)`}
        </Text>
      )}
    </Pane>
  );
}
