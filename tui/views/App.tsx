// The root view: a pure function of AppState. Everything it needs to know about the terminal
// (size, colour) arrives in props, so tests render it at any size.
import { Box } from 'ink';
import { keyContext, topView, visibleRows, type AppState } from '../state/app.js';
import { bannerLines, detailSectionRows, fleetTableRows, fleetTableWidth, isTooSmall, isWide, rootHeight, SUMMARY_PANE_WIDTH } from '../state/layout.js';
import { selectSummary } from '../state/select.js';
import { staleBannerText } from '../render/summary.js';
import { ClusterDetailView } from './ClusterDetail.js';
import { FleetTable } from './FleetTable.js';
import { Footer } from './Footer.js';
import { Header } from './Header.js';
import { HelpOverlay } from './HelpOverlay.js';
import { MessageLine } from './MessageLine.js';
import { PromptBar } from './PromptBar.js';
import { StaleBanner } from './StaleBanner.js';
import { SummaryPane } from './SummaryPane.js';
import { TooSmall } from './TooSmall.js';

function Body(props: { state: AppState; height: number }) {
  const { state } = props;
  const { viewport: vp } = state;
  if (state.help) return <HelpOverlay width={vp.columns} height={props.height} />;
  const top = topView(state);
  if (top.kind === 'cluster') {
    const detail = state.detail?.name === top.name ? state.detail : null;
    return (
      <ClusterDetailView
        name={top.name}
        row={state.fleet.rows.get(top.name) ?? null}
        detail={detail?.data ?? null}
        loaded={detail !== null}
        section={top.section}
        scroll={top.scroll}
        sectionRows={detailSectionRows(vp, state.conn)}
        width={vp.columns}
        now={state.now}
      />
    );
  }
  const rows = visibleRows(state);
  const tableRows = fleetTableRows(vp, state.conn);
  const emptyText = state.fleet.rev === null ? 'waiting for the fleet…' : state.filter ? 'no cluster matches the filter' : 'no clusters registered — add one with `flotilla cluster add NAME`';
  const table = (
    <FleetTable rows={rows} cursor={state.cursor} scroll={state.scroll} height={tableRows} width={fleetTableWidth(vp)} now={state.now} emptyText={emptyText} />
  );
  if (!isWide(vp)) return table;
  return (
    <Box flexDirection="row" gap={1}>
      {table}
      <SummaryPane row={rows[state.cursor] ?? null} now={state.now} width={SUMMARY_PANE_WIDTH} height={tableRows + 1} />
    </Box>
  );
}

export function App(props: { state: AppState }) {
  const { state } = props;
  const vp = state.viewport;
  if (isTooSmall(vp)) return <TooSmall columns={vp.columns} rows={vp.rows} />;
  const height = rootHeight(vp);
  const summary = selectSummary(state.fleet);
  const banner = staleBannerText(state.conn, state.now, state.fleet.rev !== null);
  const bodyHeight = height - 2 - bannerLines(state.conn) - 3;
  return (
    <Box flexDirection="column" width={vp.columns} height={height}>
      <Header summary={summary} conn={state.conn} now={state.now} sort={state.sort} />
      {banner !== null && <StaleBanner text={banner} />}
      {/* Vertical clipping only: every line is already truncated to the width, and horizontal
          clipping would make Ink re-slice each line's ANSI text on every frame. */}
      <Box flexDirection="column" height={bodyHeight} overflowY="hidden">
        <Body state={state} height={bodyHeight} />
      </Box>
      <MessageLine message={state.message} />
      <PromptBar input={state.input} filter={state.filter} shown={visibleRows(state).length} total={state.fleet.rows.size} />
      <Footer context={keyContext(state)} />
    </Box>
  );
}
