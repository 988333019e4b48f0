// `flotilla tui` (and bare `flotilla`): the console.
import type { Command } from 'commander';
import { requireToken, resolveClient, type ClientFlags } from '../client-config.js';
import { pathsOf, type Io } from '../io.js';

export function registerTui(program: Command, io: Io): void {
  program
    .command('tui', { isDefault: true })
    .description('open the console (the default command)')
    .action(async (_opts: unknown, cmd: Command) => {
      const resolved = resolveClient(cmd.optsWithGlobals<ClientFlags>(), io.env);
      const token = requireToken(resolved);
      const { runTui } = await import('../../tui/main.js');
      await runTui({ server: resolved.server, token, logFile: pathsOf(io).tuiLog });
    });
}
