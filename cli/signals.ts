// Foreground commands (daemon, agent, demo --no-tui) run until SIGTERM or SIGINT, then stop cleanly.

/** Resolves with the first SIGTERM/SIGINT; the handlers stay installed so a second signal does not kill a clean stop midway. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let first: NodeJS.Signals | null = null;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (first !== null) {
        process.stderr.write(`received ${signal} again while stopping; still waiting for a clean stop\n`);
        return;
      }
      first = signal;
      resolve(signal);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
