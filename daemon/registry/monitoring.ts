// Each cluster's monitoring settings (docs/METRICS.md, "Delivering the edge config:
// configure-monitoring"): what `flotilla cluster monitoring` last set, and the version of the
// monitoring config the daemon signed from it. A row goes with its cluster (ON DELETE CASCADE).
import { MonitoringSettingsSchema, type MonitoringSettings } from '../../core/metrics/monitoring.js';
import type { Db } from './db.js';

export interface MonitoringRecord {
  cluster: string;
  settings: MonitoringSettings;
  configVersion: number;
  updatedAt: string;
}

interface Row {
  cluster: string;
  settings: string;
  config_version: number;
  updated_at: string;
}

/** A stored row that no longer parses (a newer daemon's, or a hand edit) is treated as no settings. */
function fromRow(r: Row): MonitoringRecord | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(r.settings);
  } catch {
    return undefined;
  }
  const parsed = MonitoringSettingsSchema.safeParse(raw);
  return parsed.success ? { cluster: r.cluster, settings: parsed.data, configVersion: r.config_version, updatedAt: r.updated_at } : undefined;
}

export class MonitoringRepo {
  private readonly upsert;
  private readonly one;
  private readonly every;

  constructor(db: Db) {
    this.upsert = db.prepare(
      'INSERT INTO monitoring_settings (cluster, settings, config_version, updated_at) VALUES (@cluster, @settings, @configVersion, @updatedAt) ON CONFLICT(cluster) DO UPDATE SET settings = excluded.settings, config_version = excluded.config_version, updated_at = excluded.updated_at',
    );
    this.one = db.prepare<[string], Row>('SELECT cluster, settings, config_version, updated_at FROM monitoring_settings WHERE cluster = ?');
    this.every = db.prepare<[], Row>('SELECT cluster, settings, config_version, updated_at FROM monitoring_settings ORDER BY cluster');
  }

  set(r: MonitoringRecord): void {
    this.upsert.run({ cluster: r.cluster, settings: JSON.stringify(r.settings), configVersion: r.configVersion, updatedAt: r.updatedAt });
  }

  get(cluster: string): MonitoringRecord | undefined {
    const r = this.one.get(cluster);
    return r ? fromRow(r) : undefined;
  }

  /** Every cluster's settings that parse, by cluster name. */
  all(): MonitoringRecord[] {
    return this.every.all().flatMap((r) => fromRow(r) ?? []);
  }
}
