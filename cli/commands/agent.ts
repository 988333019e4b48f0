// `flotilla agent`: one cluster's edge agent in the foreground until SIGTERM/SIGINT.
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { loadAgentConfig } from '../../config/agent.js';
import { createLogger } from '../../core/log.js';
import { pathsOf, type Io } from '../io.js';
import { untilSignal } from '../signals.js';

interface AgentOptions {
  config: string;
  data?: string;
  backend?: string;
}

export function registerAgent(program: Command, io: Io): void {
  program
    .command('agent')
    .description('run an edge agent from its bootstrap bundle')
    .requiredOption('--config <bundle>', 'the bundle YAML written by `flotilla cluster add`')
    .option('--data <dir>', 'agent state directory (default $XDG_DATA_HOME/flotilla/agent/<cluster>)')
    .addOption(new Option('--backend <backend>', 'cluster backend').choices(['sim', 'kube']))
    .action(async (opts: AgentOptions) => {
      const flags: Record<string, unknown> = {};
      // flag paths are relative to where the user typed them, not to the bundle file
      if (opts.data) flags['agent.dataDir'] = resolve(io.cwd, opts.data);
      if (opts.backend) flags['agent.backend'] = opts.backend;
      const config = loadAgentConfig(resolve(io.cwd, opts.config), flags, io.env);
      const dataDir = config.agent.dataDir ?? join(pathsOf(io).dataDir, 'agent', config.cluster);
      const logger = createLogger({ name: 'agent', level: config.log.level, file: config.log.file ?? join(dataDir, 'agent.log') });
      const { startAgent } = await import('../../agent/main.js');
      const agent = await startAgent(config, { logger, dataDir });
      io.err(`flotilla agent for cluster ${agent.cluster} running (state in ${dataDir})\n`);
      const signal = await untilSignal();
      logger.info({ signal }, 'stopping on signal');
      await agent.stop();
      io.err('flotilla agent stopped\n');
    });
}
