// Keeps the central Prometheus's file_sd file current (daemon config metrics.federation.fileSdPath;
// docs/METRICS.md "Delivering the edge config: configure-monitoring"): one target per federated
// cluster of the registry, labelled `cluster` (core/metrics/monitoring.ts federationFileSd), written
// atomically (temp file and rename, so Prometheus never reads half of it) at start and whenever a
// cluster is added or removed or its monitoring settings change, and only when the content changed.
// Prometheus re-reads the file by itself: no reload is needed. A failed write is logged and tried again.
import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../../core/atomic-file.js';
import type { Logger } from '../../core/log.js';
import { federationFileSd, type MonitoringSettings } from '../../core/metrics/monitoring.js';

export interface FileSdDeps {
  path: string;
  /** Where the edge of a cluster without monitoring settings is ({cluster} for its name); absent: such clusters are not listed. */
  edgePattern?: string;
  /** The registry's clusters and their settings (null: none set), read at each write. */
  clusters(): { name: string; monitoring: MonitoringSettings | null }[];
  log: Logger;
  /** Before a failed write is tried again. */
  retryMs?: number;
  write?: (path: string, content: string) => Promise<void>;
}

export class FederationFileSd {
  private last: string | undefined;
  private dirty = false;
  private running: Promise<void> | undefined;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;
  private failing = false;

  constructor(private readonly deps: FileSdDeps) {}

  /** Adopts the file already there (so an unchanged fleet writes nothing), then writes what the registry says. */
  async start(): Promise<void> {
    try {
      this.last = await readFile(this.deps.path, 'utf8');
    } catch {
      this.last = undefined;
    }
    this.refresh();
    await this.settled();
  }

  /** Something changed: write the file again if its content differs. Never throws. */
  refresh(): void {
    if (this.stopped) return;
    this.dirty = true;
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
  }

  /** Resolves once every change asked for so far is written (or failed and is waiting for its retry). */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    while (this.dirty && !this.stopped) {
      this.dirty = false;
      let content: string;
      try {
        content = federationFileSd(this.deps.clusters(), this.deps.edgePattern);
      } catch (e) {
        this.deps.log.error({ err: (e as Error).message, path: this.deps.path }, 'cannot build the central file_sd file; it is left as it was');
        continue;
      }
      if (content === this.last) continue;
      try {
        await mkdir(dirname(this.deps.path), { recursive: true });
        await (this.deps.write ?? ((p, c) => writeFileAtomic(p, c, 0o644)))(this.deps.path, content);
        this.last = content;
        if (this.failing) this.deps.log.info({ path: this.deps.path }, 'central file_sd file written again');
        this.failing = false;
        this.deps.log.info({ path: this.deps.path, targets: (JSON.parse(content) as unknown[]).length }, 'central file_sd file updated');
      } catch (e) {
        if (!this.failing) this.deps.log.error({ err: (e as Error).message, path: this.deps.path }, 'cannot write the central file_sd file (metrics.federation.fileSdPath); retrying');
        this.failing = true;
        if (!this.retry && !this.stopped) {
          this.retry = setTimeout(() => {
            this.retry = undefined;
            this.refresh();
          }, this.deps.retryMs ?? 5000);
          this.retry.unref();
        }
        return;
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    await this.settled();
  }
}
