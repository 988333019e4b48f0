// `flotilla info`: version, every resolved path, the server and what it says about itself.
import { readSession } from '../login/session-store.js';
import { sessionBearer } from '../session-bearer.js';
import type { Command } from 'commander';
import { VERSION } from '../../core/version.js';
import { resolveClient, type ClientFlags } from '../client-config.js';
import { FlotillaClient } from '../client.js';
import { infoText, type InfoReport } from '../format.js';
import { pathsOf, type Io } from '../io.js';
import { renderJson } from '../table.js';
import { caTransport } from '../transport.js';
import { defaultDaemonConfig } from './daemon.js';

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function registerInfo(program: Command, io: Io): void {
  program
    .command('info')
    .description('show version, resolved paths, the server and whether it answers')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const resolved = resolveClient(cmd.optsWithGlobals<ClientFlags>(), io.env);
      const session = resolved.token ? undefined : await readSession(io.env, resolved.server).catch(() => undefined);
      const client = new FlotillaClient({ server: resolved.server, token: resolved.token ?? (session ? sessionBearer(io.env, resolved.server) : null), timeoutMs: 5000, ...(resolved.caFile ? { transport: caTransport(resolved.caFile) } : {}) });
      const report: InfoReport = {
        version: VERSION,
        paths: { ...pathsOf(io), daemonConfig: defaultDaemonConfig(io) },
        server: { url: resolved.server, source: resolved.serverSource, reachable: false, version: null, error: null },
        daemon: null,
        daemonError: null,
      };
      try {
        const h = await client.healthz();
        report.server.reachable = true;
        report.server.version = h.version;
      } catch (e) {
        report.server.error = messageOf(e);
      }
      if (report.server.reachable) {
        if (resolved.token || session) {
          try {
            report.daemon = await client.info();
          } catch (e) {
            report.daemonError = messageOf(e);
          }
        } else {
          report.daemonError = 'no token: sign in with `flotilla login`, or pass --token or set FLOTILLA_TOKEN, to see the daemon details';
        }
      }
      io.out(opts.json ? renderJson(report) : infoText(report));
    });
}
