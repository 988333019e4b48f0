// The root view: a pure function of AppState. Everything it needs to know about the terminal
// (size, colour) arrives in props, so tests render it at any size. The body is the help, the dialog
// or the component of the view on top of the stack (views/components.tsx).
import { Box } from 'ink';
import { keyContext, keyRole, promptFilter, topView, viewContext, type AppState } from '../state/app.js';
import { bodyLines, isTooSmall, rootHeight } from '../state/layout.js';
import { selectSummary } from '../state/select.js';
import { staleBannerText } from '../render/summary.js';
import { ActionDialog } from './ActionDialog.js';
import { VIEW_COMPONENTS, type ViewComponent } from './components.js';
import { Footer } from './Footer.js';
import { Header } from './Header.js';
import { HelpOverlay } from './HelpOverlay.js';
import { MessageLine } from './MessageLine.js';
import { PromptBar } from './PromptBar.js';
import { StaleBanner } from './StaleBanner.js';
import { TooSmall } from './TooSmall.js';

function topComponent(state: AppState): { view: ViewComponent<unknown>; slice: unknown } {
  const kind = topView(state);
  // The map is typed per kind; looked up by the top kind, the component and the slice belong together.
  return { view: VIEW_COMPONENTS[kind] as ViewComponent<unknown>, slice: state.view[kind] };
}

export function App(props: { state: AppState }) {
  const { state } = props;
  const vp = state.viewport;
  if (isTooSmall(vp)) return <TooSmall columns={vp.columns} rows={vp.rows} />;
  const height = rootHeight(vp);
  const summary = selectSummary(state.fleet);
  const banner = staleBannerText(state.conn, state.now, state.fleet.rev !== null);
  const bodyHeight = bodyLines(vp, state.conn);
  const { view, slice } = topComponent(state);
  const overlay = state.dialog !== null || state.help;
  const clip = !overlay && view.clip === 'vertical' ? { overflowY: 'hidden' as const } : { overflow: 'hidden' as const };
  let body;
  if (state.dialog) body = <ActionDialog dialog={state.dialog} width={vp.columns} height={bodyHeight} />;
  else if (state.help) body = <HelpOverlay width={vp.columns} height={bodyHeight} role={keyRole(state)} scroll={state.helpScroll} />;
  else body = <view.Component slice={slice} ctx={viewContext(state)} height={bodyHeight} />;
  return (
    <Box flexDirection="column" width={vp.columns} height={height}>
      <Header summary={summary} conn={state.conn} now={state.now} sort={state.view.fleet.sort} />
      {banner !== null && <StaleBanner text={banner} />}
      <Box flexDirection="column" height={bodyHeight} {...clip}>
        {body}
      </Box>
      <MessageLine message={state.message} />
      <PromptBar input={state.input} filter={promptFilter(state)} />
      <Footer context={keyContext(state)} role={keyRole(state)} />
    </Box>
  );
}
