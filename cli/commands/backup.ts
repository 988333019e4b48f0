// `flotilla backup [list]` (admin, through the daemon) and `flotilla restore --config F [--backup ID]`
// (offline, on the host that will run the restored daemon). docs/TRUST.md explains the trust root.
import type { Command } from 'commander';
import type { ControlPlaneBackupInfo } from '../../core/api.js';
import { formatAge } from '../../core/duration.js';
import { loadDaemonConfig } from '../../config/daemon.js';
import type { ClientFlags } from '../client-config.js';
import { clientFor, type Io } from '../io.js';
import { renderJson, renderTable, truncate } from '../table.js';
import { daemonConfigFrom, daemonConfigOptions, type DaemonFlags } from './daemon.js';

/** 1536 → "1.5 KiB". Pure. */
export function formatBytes(n: number | null): string {
  if (n === null) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i] as string}`;
}

export function backupTable(items: readonly ControlPlaneBackupInfo[], now = Date.now()): string {
  return renderTable(
    ['ID', 'AGE', 'TRIGGER', 'SIZE', 'STORED', 'CLUSTERS', 'JOBS', 'STATE'],
    items.map((b) => [
      b.id,
      b.createdAt ? formatAge(now - Date.parse(b.createdAt)) : '-',
      b.trigger ?? '-',
      formatBytes(b.sizeBytes),
      formatBytes(b.storedBytes),
      b.clusters === null ? '-' : String(b.clusters),
      b.jobs === null ? '-' : String(b.jobs),
      b.state === 'ok' ? 'ok' : `${b.state}: ${truncate(b.problem ?? '', 60)}`,
    ]),
  );
}

function describe(b: ControlPlaneBackupInfo): string {
  return `${b.id} (taken ${b.createdAt ?? '?'}, ${b.clusters ?? '?'} clusters, ${b.jobs ?? '?'} jobs, ${b.tokens ?? '?'} tokens, ${formatBytes(b.sizeBytes)})`;
}

export function registerBackup(program: Command, io: Io): void {
  const list = async (json: boolean | undefined, cmd: Command) => {
    const items = await clientFor(cmd.optsWithGlobals<ClientFlags>(), io).listBackups();
    io.out(json ? renderJson(items) : backupTable(items));
  };
  const backup = program
    .command('backup')
    .description('back up the control plane (its registry) to the store now (admin); `backup list` shows the backups')
    .option('--list', 'list the backups in the store instead')
    .option('--json', 'print the backup (or the list) as JSON')
    .action(async (opts: { list?: boolean; json?: boolean }, cmd: Command) => {
      if (opts.list) return list(opts.json, cmd);
      const b = await clientFor(cmd.optsWithGlobals<ClientFlags>(), io).createBackup();
      if (opts.json) {
        io.out(renderJson(b));
        return;
      }
      io.out(`${b.id}\n`);
      io.err(`backup ${describe(b)} written to the store as controlplane/backups/${b.id}/\nnext: on a new host, \`flotilla restore --config daemon.yaml --backup ${b.id}\` rebuilds the daemon from it\n`);
    });
  backup
    .command('list')
    .alias('ls')
    .description('list the control-plane backups in the store, newest first')
    .option('--json', 'print the ControlPlaneBackupInfo array as JSON')
    .action(async (_opts: unknown, cmd: Command) => list(cmd.optsWithGlobals<{ json?: boolean }>().json, cmd));
}

interface RestoreFlags extends DaemonFlags {
  backup?: string;
  list?: boolean;
  json?: boolean;
}

export function registerRestore(program: Command, io: Io): void {
  const cmd = program.command('restore').description("rebuild a daemon's data directory from a control-plane backup in the store (the newest unless --backup)");
  daemonConfigOptions(cmd, ['config', 'data', 'store'])
    .option('--backup <id>', 'the backup to restore (default the newest verified one)')
    .option('--list', 'list the backups in the store, verified against the config signing key, and restore nothing')
    .option('--json', 'print the restore report (or the list) as JSON')
    .action(async (opts: RestoreFlags) => {
      const { file, overrides } = daemonConfigFrom(opts, io);
      const config = loadDaemonConfig(file, overrides, io.env);
      const { listRestorable, restoreControlPlane } = await import('../../daemon/backup/restore.js');
      if (opts.list) {
        const items = await listRestorable(config);
        io.out(opts.json ? renderJson(items) : backupTable(items));
        return;
      }
      const report = await restoreControlPlane({ config, configFile: file, ...(opts.backup ? { backupId: opts.backup } : {}) });
      for (const r of report.refused) io.err(`not counted ${r.key}: ${r.reason}: ${r.message}\n`);
      if (report.refusedCount > report.refused.length) io.err(`… and ${report.refusedCount - report.refused.length} more store objects not counted\n`);
      if (opts.json) {
        io.out(renderJson(report));
      } else {
        io.out(`restored backup ${describe(report.backup)} into ${report.dataDir}\n`);
        io.out(
          renderTable(
            ['CLUSTER', 'SEQ IN BACKUP', 'SEQ RECEIVED', 'NEXT SEQ', 'ADOPTED', 'DISPATCHED'],
            report.clusters.map((c) => [c.cluster, String(c.lastSeqBefore), String(c.received), String(c.lastSeq + 1), String(c.adopted), String(c.dispatched)]),
          ),
        );
      }
      for (const c of report.clusters) {
        for (const x of c.conflicts) io.err(`warning: ${c.cluster} seq ${x.seq}: the store's job ${x.storeId} is not the backup's ${x.registryId}; left as it was\n`);
      }
      io.err(`the restore is audit record ${report.auditSeq} (controlplane.restore) and the audit chain verifies\nnext: \`flotilla daemon --config ${file}\`; agents carry on without registering again\n`);
    });
}
