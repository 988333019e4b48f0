// Entry point of `flotilla tui`: wires the terminal, the store, the daemon link and Ink together, and
// guarantees the terminal is restored however the console ends.
import { render } from 'ink';
import { FlotillaError } from '../core/errors.js';
import { createLogger } from '../core/log.js';
import { runQueuedCalls } from './call-runner.js';
import { chartSetting } from './render/chart-mode.js';
import { initialState, wantedTopics } from './state/app.js';
import { createStore } from './state/store.js';
import { enterScreen } from './terminal/screen.js';
import { readSize, watchSize } from './terminal/size.js';
import { Console } from './views/Console.js';
import { colorEnabled } from './views/theme.js';
import { FleetLink } from './ws-client.js';

export { App } from './views/App.js';
export { Console } from './views/Console.js';
export { reduce, initialState } from './state/app.js';
export type { AppState, Action } from './state/app.js';
export { createStore } from './state/store.js';

/** A bearer that is refreshed while the console runs (a `flotilla login` session). */
export interface RefreshingToken {
  token(): Promise<string>;
  watch(onRefresh: (token: string) => void, onError?: (e: FlotillaError) => void): () => void;
}

export async function runTui(opts: { server: string; token: string | RefreshingToken; logFile: string; stdin?: NodeJS.ReadStream; stdout?: NodeJS.WriteStream }): Promise<void> {
  const stdout = opts.stdout ?? process.stdout;
  const stdin = opts.stdin ?? process.stdin;
  if (!stdin.isTTY || !stdout.isTTY) {
    throw new FlotillaError('usage', 'the console needs an interactive terminal', 'run `flotilla tui` in a terminal; for scripts use `flotilla cluster list --json`');
  }
  // A FLOTILLA_CHARTS that names no style is said on the normal screen, before the console starts.
  const charts = chartSetting(process.env);
  const log = createLogger({ name: 'tui', file: opts.logFile });
  const store = createStore(initialState({ now: Date.now(), ...readSize(stdout) }));
  // Built before the screen switch so a bad --server is reported on the normal screen.
  const bearer = opts.token;
  const link = new FleetLink({ server: opts.server, token: typeof bearer === 'string' ? bearer : () => bearer.token(), dispatch: store.dispatch, log });
  // The daemon closes a socket whose ID token expired; the console moves to each refreshed one before that.
  const stopRefresh =
    typeof bearer === 'string'
      ? () => undefined
      : bearer.watch(
          () => {
            log.info('sign-in refreshed; reconnecting with the new token');
            link.reconnectNow();
          },
          (e) => {
            log.warn({ err: e.message }, 'could not refresh the sign-in');
            store.dispatch({ type: 'message', text: `${e.message} — ${e.next}`, level: 'error' });
          },
        );

  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const guard = enterScreen({
    stdout,
    proc: process,
    onSignal: (signal) => {
      log.info({ signal }, 'signal received; closing the console');
      finish();
    },
    onFatal: (error) => {
      log.fatal({ err: error }, 'console crashed');
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`flotilla tui crashed: ${message}\nThis is a bug; please report it with the log file ${opts.logFile}\n`);
      process.exit(70);
    },
  });

  const stopSize = watchSize(stdout, (size) => store.dispatch({ type: 'resize', ...size }));
  const clock = setInterval(() => store.dispatch({ type: 'tick', now: Date.now() }), 1000);
  const unsubscribe = store.subscribe(() => {
    const state = store.getState();
    if (state.quit) finish();
    link.follow(wantedTopics(state));
  });
  const stopCalls = runQueuedCalls(store, link);
  const instance = render(<Console store={store} color={colorEnabled(process.env)} charts={charts} />, {
    stdout,
    stdin,
    exitOnCtrlC: true,
    patchConsole: false,
    // Only the lines that changed go over the wire (SSH). Ink 6.8's incremental writer is off by one
    // line after a frame that ends in a newline, as ours do at rows - 1; patches/ink+6.8.0.patch
    // (applied by patch-package on install) fixes it.
    incrementalRendering: true,
    maxFps: 20,
  });
  void instance.waitUntilExit().then(finish, (error: unknown) => {
    log.error({ err: error }, 'ink exited with an error');
    finish();
  });
  link.start();
  log.info({ server: opts.server, charts }, 'console started');

  try {
    await done;
  } finally {
    clearInterval(clock);
    stopRefresh();
    unsubscribe();
    stopCalls();
    stopSize();
    instance.unmount();
    await link.close();
    guard.dispose();
    log.info('console closed');
  }
}
