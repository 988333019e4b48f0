// `flotilla tui` (and bare `flotilla`): the console.
import type { Command } from 'commander';
import { FlotillaError } from '../../core/errors.js';
import { NO_TOKEN_NEXT, resolveClient, type ClientFlags } from '../client-config.js';
import { pathsOf, type Io } from '../io.js';
import { sessionSource } from '../session-bearer.js';

export function registerTui(program: Command, io: Io): void {
  program
    .command('tui', { isDefault: true })
    .description('open the console (the default command)')
    .action(async (_opts: unknown, cmd: Command) => {
      const resolved = resolveClient(cmd.optsWithGlobals<ClientFlags>(), io.env);
      // An API token as given; else the sign-in of `flotilla login`, whose refreshed tokens the console moves to as they come.
      const token = resolved.token ?? (await sessionSource(io.env, resolved.server));
      if (!token) throw new FlotillaError('unauthenticated', `no API token for ${resolved.server}, and not signed in to it`, NO_TOKEN_NEXT);
      const { runTui } = await import('../../tui/main.js');
      await runTui({ server: resolved.server, token, logFile: pathsOf(io).tuiLog });
    });
}
