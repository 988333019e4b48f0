// The alternate screen and its guaranteed restoration. Every way out of the process — quit, signal,
// crash, plain exit — must give the user their shell back with a visible cursor.

export const ENTER_ALT_SCREEN = '\x1b[?1049h\x1b[H\x1b[?25l';
export const LEAVE_ALT_SCREEN = '\x1b[?25h\x1b[?1049l';

export const EXIT_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
export type ExitSignal = (typeof EXIT_SIGNALS)[number];

/** The part of `process` the screen guard listens on; tests pass an EventEmitter. */
export interface ProcessEvents {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
}

export interface ScreenGuard {
  /** Leaves the alternate screen; safe to call any number of times. */
  restore(): void;
  /** Restores and stops listening on the process. */
  dispose(): void;
}

export function enterScreen(opts: {
  stdout: { write(chunk: string): unknown };
  proc: ProcessEvents;
  onSignal: (signal: ExitSignal) => void;
  onFatal: (error: unknown) => void;
}): ScreenGuard {
  let restored = false;
  const restore = (): void => {
    if (restored) return;
    restored = true;
    opts.stdout.write(LEAVE_ALT_SCREEN);
  };
  const signalHandlers = EXIT_SIGNALS.map((signal) => {
    // No restore here: the owner unmounts Ink first and then disposes, so Ink's last frame lands in
    // the alternate screen and not on the user's shell. The exit hook still covers a hard exit.
    const handler = (): void => opts.onSignal(signal);
    return [signal, handler] as [string, () => void];
  });
  const onCrash = (error: unknown): void => {
    restore();
    opts.onFatal(error);
  };
  const listeners: readonly (readonly [string, (...args: unknown[]) => void])[] = [
    ...signalHandlers,
    ['uncaughtException', onCrash],
    ['unhandledRejection', onCrash],
    ['exit', restore],
  ];
  for (const [event, fn] of listeners) opts.proc.on(event, fn);
  opts.stdout.write(ENTER_ALT_SCREEN);
  return {
    restore,
    dispose() {
      restore();
      for (const [event, fn] of listeners) opts.proc.off(event, fn);
    },
  };
}
