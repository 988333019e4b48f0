// `flotilla pipeline [--json]`: the log pipeline per cluster (GET /api/v1/pipeline; docs/LOGS.md,
// "The pipeline").
import type { Command } from 'commander';
import type { ClientFlags } from '../client-config.js';
import { clientFor, type Io } from '../io.js';
import { pipelineText } from '../pipeline-format.js';
import { renderJson } from '../table.js';

export function registerPipeline(program: Command, io: Io): void {
  program
    .command('pipeline')
    .description('the log pipeline per cluster: transport, backlog, lag, dead letters, drops, and its health')
    .option('--json', 'print the PipelineSnapshot as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const snapshot = await clientFor(cmd.optsWithGlobals<ClientFlags>(), io).pipeline();
      io.out(opts.json ? renderJson(snapshot) : pipelineText(snapshot));
    });
}
