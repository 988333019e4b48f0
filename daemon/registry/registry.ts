// The registry: one SQLite database and the repositories over it.
import { AuditLog } from './audit.js';
import { BindingRepo } from './bindings.js';
import { ClusterRepo } from './clusters.js';
import { openRegistry, type Db } from './db.js';
import { JobRepo } from './jobs.js';
import { LogDropRepo } from './log-drops.js';
import { MonitoringRepo } from './monitoring.js';
import { RejectionRepo } from './rejections.js';
import { TokenRepo } from './tokens.js';

export class Registry {
  readonly clusters: ClusterRepo;
  readonly tokens: TokenRepo;
  readonly bindings: BindingRepo;
  readonly audit: AuditLog;
  readonly rejections: RejectionRepo;
  readonly jobs: JobRepo;
  readonly logDrops: LogDropRepo;
  readonly monitoring: MonitoringRepo;

  constructor(readonly db: Db) {
    this.clusters = new ClusterRepo(db);
    this.tokens = new TokenRepo(db);
    this.bindings = new BindingRepo(db);
    this.audit = new AuditLog(db);
    this.rejections = new RejectionRepo(db);
    this.jobs = new JobRepo(db);
    this.logDrops = new LogDropRepo(db);
    this.monitoring = new MonitoringRepo(db);
  }

  static open(file: string): Registry {
    return new Registry(openRegistry(file));
  }

  /** Runs fn in one transaction (nested calls become savepoints). */
  tx<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
