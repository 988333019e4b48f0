// `flotilla init`: a new control plane in a data dir; the admin token is shown here and never again.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { intIn } from '../options.js';
import { pathsOf, type Io } from '../io.js';
import { renderJson } from '../table.js';

interface InitOptions {
  data?: string;
  port?: number;
  force?: boolean;
  json?: boolean;
}

export function registerInit(program: Command, io: Io): void {
  program
    .command('init')
    .description('write daemon config and control-plane signing keys, print an admin token once')
    .option('--data <dir>', 'data directory for the control plane (default $XDG_DATA_HOME/flotilla)')
    .option('--port <port>', 'port the daemon will listen on (default 7420; 0 picks a free one)', intIn(0, 65535))
    .option('--force', 'replace an existing config and signing key (every agent must then be added again)')
    .option('--json', 'print {"token","config"} as JSON')
    .action(async (opts: InitOptions) => {
      const { initControlPlane } = await import('../../daemon/init.js');
      const dataDir = opts.data ? resolve(io.cwd, opts.data) : pathsOf(io).dataDir;
      const result = await initControlPlane({ dataDir, force: opts.force === true, ...(opts.port === undefined ? {} : { port: opts.port }) });
      if (opts.json) {
        io.out(renderJson({ token: result.token, config: result.configPath }));
        return;
      }
      io.out(`config: ${result.configPath}\nadmin token: ${result.token}\n`);
      io.err(
        [
          `Control plane initialised in ${dataDir} (signing key ${result.keyid}, admin token id ${result.tokenId}).`,
          'The admin token above is shown only this once: store it now in a password manager or a file only you can read.',
          'Next:',
          `  flotilla daemon --config ${result.configPath}`,
          '  export FLOTILLA_TOKEN=<the admin token above>',
          '  flotilla cluster add NAME            # writes the agent bundle to ./NAME.yaml',
          '',
        ].join('\n'),
      );
    });
}
