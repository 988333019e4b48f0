// The root view: a pure function of AppState. Everything it needs to know about the terminal
// (size, colour) arrives in props, so tests render it at any size.
import { Box } from 'ink';
import { jobsPageRows, keyContext, keyRole, topView, visibleJobs, visibleRows, type AppState } from '../state/app.js';
import { fleetGroups } from '../state/jobs.js';
import { SUMMARY_PANE_WIDTH, bodyLines, detailSectionRows, fleetTableRows, fleetTableWidth, isTooSmall, isWide, rootHeight } from '../state/layout.js';
import { selectSummary } from '../state/select.js';
import { staleBannerText } from '../render/summary.js';
import { ActionDialog } from './ActionDialog.js';
import { ClusterDetailView } from './ClusterDetail.js';
import { FleetTable } from './FleetTable.js';
import { Footer } from './Footer.js';
import { Header } from './Header.js';
import { HelpOverlay } from './HelpOverlay.js';
import { JobDetailView } from './JobDetail.js';
import { JobsView } from './JobsView.js';
import { MessageLine } from './MessageLine.js';
import { PromptBar } from './PromptBar.js';
import { StaleBanner } from './StaleBanner.js';
import { SummaryPane } from './SummaryPane.js';
import { TooSmall } from './TooSmall.js';

function Body(props: { state: AppState; height: number }) {
  const { state } = props;
  const { viewport: vp } = state;
  if (state.help) return <HelpOverlay width={vp.columns} height={props.height} role={keyRole(state)} scroll={state.helpScroll} />;
  const top = topView(state);
  if (top.kind === 'jobs') {
    const jobs = visibleJobs(state);
    return (
      <JobsView
        jobs={jobs}
        total={state.jobs.byId.size}
        loaded={state.jobs.rev !== null}
        groups={fleetGroups(jobs)}
        filter={state.jobsFilter}
        cursor={state.jobsCursor}
        scroll={state.jobsScroll}
        height={jobsPageRows(state)}
        width={vp.columns}
        now={state.now}
        role={keyRole(state)}
      />
    );
  }
  if (top.kind === 'job') return <JobDetailView id={top.id} job={state.jobs.byId.get(top.id) ?? null} height={props.height} now={state.now} />;
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
        cursor={state.detailCursor}
        role={keyRole(state)}
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

function fleetBodyOnly(state: AppState): boolean {
  return !state.dialog && !state.help && topView(state).kind === 'fleet';
}

export function App(props: { state: AppState }) {
  const { state } = props;
  const vp = state.viewport;
  if (isTooSmall(vp)) return <TooSmall columns={vp.columns} rows={vp.rows} />;
  const height = rootHeight(vp);
  const summary = selectSummary(state.fleet);
  const banner = staleBannerText(state.conn, state.now, state.fleet.rev !== null);
  const bodyHeight = bodyLines(vp, state.conn);
  return (
    <Box flexDirection="column" width={vp.columns} height={height}>
      <Header summary={summary} conn={state.conn} now={state.now} sort={state.sort} />
      {banner !== null && <StaleBanner text={banner} />}
      {/* The fleet table truncates every row to the width, so it needs vertical clipping only
          (horizontal clipping makes Ink re-slice each line's ANSI text on every frame, the most
          frequent and largest frame); every other body is clipped both ways, since a line wider
          than the terminal would wrap, scroll the screen and push the header off. */}
      <Box flexDirection="column" height={bodyHeight} {...(fleetBodyOnly(state) ? { overflowY: 'hidden' } : { overflow: 'hidden' })}>
        {state.dialog ? <ActionDialog dialog={state.dialog} width={vp.columns} height={bodyHeight} /> : <Body state={state} height={bodyHeight} />}
      </Box>
      <MessageLine message={state.message} />
      {topView(state).kind === 'jobs' ? (
        <PromptBar input={state.input} filter={state.jobsFilter} shown={visibleJobs(state).length} total={state.jobs.byId.size} />
      ) : (
        <PromptBar input={state.input} filter={state.filter} shown={visibleRows(state).length} total={state.fleet.rows.size} />
      )}
      <Footer context={keyContext(state)} role={keyRole(state)} />
    </Box>
  );
}
