// The commander program: global client options, every command, usage errors routed to exit 64.
import { Command } from 'commander';
import { VERSION } from '../core/version.js';
import { registerAgent } from './commands/agent.js';
import { registerBackup, registerRestore } from './commands/backup.js';
import { registerCluster } from './commands/cluster.js';
import { registerDaemon } from './commands/daemon.js';
import { registerDemo } from './commands/demo.js';
import { registerInfo } from './commands/info.js';
import { registerInit } from './commands/init.js';
import { registerJob } from './commands/job.js';
import { registerLogs } from './commands/logs.js';
import { registerMetrics } from './commands/metrics.js';
import { registerPipeline } from './commands/pipeline.js';
import { registerStore } from './commands/store.js';
import { registerToken } from './commands/token.js';
import { registerBinding } from './commands/binding.js';
import { registerLogin } from './commands/login.js';
import { registerTui } from './commands/tui.js';
import { argvAsksJson, outcomeOf } from './exit.js';
import type { Io } from './io.js';
import { renderJson } from './table.js';
import { registerAudit } from './commands/audit.js';

export function buildProgram(io: Io): Command {
  const program = new Command('flotilla')
    .description('Multi-cluster Kubernetes operations console for the terminal')
    .version(VERSION, '-V, --version', 'print the version')
    .option('--server <url>', 'daemon URL (default $FLOTILLA_SERVER, the client config, or http://127.0.0.1:7420)')
    .option('--token <token>', 'API token (default $FLOTILLA_TOKEN or the client config)')
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (t) => io.out(t), writeErr: (t) => io.err(t) });
  registerTui(program, io);
  registerDemo(program, io);
  registerInit(program, io);
  registerDaemon(program, io);
  registerAgent(program, io);
  registerCluster(program, io);
  registerJob(program, io);
  registerLogs(program, io);
  registerPipeline(program, io);
  registerMetrics(program, io);
  registerToken(program, io);
  registerBinding(program, io);
  registerLogin(program, io);
  registerAudit(program, io);
  registerInfo(program, io);
  registerStore(program, io);
  registerBackup(program, io);
  registerRestore(program, io);
  return program;
}

/**
 * Runs one invocation and returns its exit status; all output goes through io. A failed --json
 * command also prints {"error": {code, message, next}} on stdout, so scripts parse one JSON document
 * either way — unless the command already printed its JSON answer before failing.
 */
export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  let printed = false;
  let json: boolean | undefined;
  const program = buildProgram({
    ...io,
    out: (t) => {
      printed = true;
      io.out(t);
    },
  });
  program.hook('preAction', (_root, action) => void (json = action.opts<{ json?: boolean }>().json === true));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    const outcome = outcomeOf(e);
    if (outcome.stderr) io.err(outcome.stderr);
    if (outcome.error && !printed && (json ?? argvAsksJson(argv))) io.out(renderJson({ error: outcome.error }));
    return outcome.code;
  }
}
