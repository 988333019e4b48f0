// `flotilla audit verify|export` (docs/ACCESS.md, "The audit"): re-walk the hash chain, through the
// daemon or straight from a data directory's registry (the daemon stopped, or not trusted), naming
// the first record where it breaks; and write the records as JSON lines for a SIEM, paging through
// the daemon (a fleet-wide admin gets every record, anyone else their own).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Command } from 'commander';
import type { AuditRecord, AuditVerifyResult } from '../../core/api.js';
import { FlotillaError } from '../../core/errors.js';
import { AuditLog } from '../../daemon/registry/audit.js';
import type { ClientFlags } from '../client-config.js';
import { clientFor, type Io } from '../io.js';
import { duration } from '../options.js';
import { renderJson } from '../table.js';

const PAGE = 1000;

/** The chain of a registry file, opened read-only so a running daemon is not disturbed. */
function verifyFile(dataDir: string): AuditVerifyResult {
  const file = join(resolve(dataDir), 'registry.db');
  if (!existsSync(file)) throw new FlotillaError('config', `no registry at ${file}`, 'Pass the daemon\'s data directory (dataDir in daemon.yaml) as --data.');
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return new AuditLog(db).verify();
  } finally {
    db.close();
  }
}

function line(r: AuditRecord): string {
  return `${r.seq}  ${r.at}  ${r.actor.name} (${r.actor.id})  ${r.action}  ${r.target}  ${r.allowed ? 'allowed' : 'denied'}`;
}

export function registerAudit(program: Command, io: Io): void {
  const audit = program.command('audit').description('verify and export the hash-chained audit log');

  audit
    .command('verify')
    .description("re-walk the audit's hash chain; exits 70 naming the first broken record (admin, or --data to read a data directory's registry)")
    .option('--data <dir>', "read the registry of this data directory directly instead of asking the daemon")
    .option('--json', 'print the result as JSON')
    .action(async (opts: { data?: string; json?: boolean }, cmd: Command) => {
      const result = opts.data ? verifyFile(opts.data) : await clientFor(cmd.optsWithGlobals<ClientFlags>(), io).verifyAudit();
      if (opts.json) io.out(renderJson(result));
      if (!result.ok) {
        throw new FlotillaError('internal', `the audit chain breaks at record ${result.brokenAt} (${result.problem}); the ${result.count} records before it verify`, `Someone changed or removed audit records from ${result.brokenAt} on: compare with a control-plane backup (\`flotilla restore --list\`) and find who could write registry.db.`);
      }
      if (!opts.json) io.err(`audit chain verifies: ${result.count} records\n`);
    });

  audit
    .command('export')
    .description('write audit records oldest first, one JSON object a line with --json (a fleet-wide admin gets every record, anyone else their own)')
    .option('--since <duration>', 'only records this recent, e.g. 24h', duration)
    .option('--json', 'JSON lines (for a SIEM) instead of one readable line a record')
    .action(async (opts: { since?: string; json?: boolean }, cmd: Command) => {
      const client = clientFor(cmd.optsWithGlobals<ClientFlags>(), io);
      let after = 0;
      for (;;) {
        const page = await client.auditPage({ after, limit: PAGE, ...(opts.since ? { since: opts.since } : { since: new Date(0).toISOString() }) });
        for (const r of page.items) io.out(opts.json ? `${JSON.stringify(r)}\n` : `${line(r)}\n`);
        if (page.next === null) break;
        after = Number(page.next);
      }
    });
}
