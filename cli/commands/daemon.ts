// `flotilla daemon`: the control plane in the foreground until SIGTERM/SIGINT (systemd-friendly).
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { loadDaemonConfig } from '../../config/daemon.js';
import { createLogger } from '../../core/log.js';
import { pathsOf, type Io } from '../io.js';
import { untilSignal } from '../signals.js';

export function defaultDaemonConfig(io: Io): string {
  return io.env.FLOTILLA_CONFIG || join(pathsOf(io).dataDir, 'daemon.yaml');
}

export function registerDaemon(program: Command, io: Io): void {
  program
    .command('daemon')
    .description('run the control plane in the foreground')
    .option('--config <file>', 'daemon config (default $FLOTILLA_CONFIG or $XDG_DATA_HOME/flotilla/daemon.yaml)')
    .action(async (opts: { config?: string }) => {
      const file = opts.config ? resolve(io.cwd, opts.config) : defaultDaemonConfig(io);
      const config = loadDaemonConfig(file, {}, io.env);
      const logger = createLogger({ name: 'daemon', level: config.log.level, file: config.log.file ?? join(config.dataDir, 'daemon.log') });
      const { startDaemon } = await import('../../daemon/main.js');
      const daemon = await startDaemon(config, { logger });
      io.err(`flotilla daemon listening on ${daemon.url}\n`);
      const signal = await untilSignal();
      logger.info({ signal }, 'stopping on signal');
      await daemon.stop();
      io.err('flotilla daemon stopped\n');
    });
}
