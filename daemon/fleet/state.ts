// The in-memory fleet: one entry per cluster and a revision counter. Every change bumps the revision
// and tells listeners which clusters changed; listeners build rows themselves at send time.
import type { ClusterRow, Health } from '../../core/fleet.js';
import { DEFAULT_LOGS_LAG_SECONDS } from '../health/model.js';
import { healthOf, toRow, type FleetEntry } from './row.js';

export interface FleetChangeEvent {
  rev: number;
  upserted: string[];
  removed: string[];
}

export type FleetListener = (event: FleetChangeEvent) => void;

export class FleetState {
  private readonly entries = new Map<string, FleetEntry>();
  private readonly listeners = new Set<FleetListener>();
  private revision = 0;

  /** logsLagSeconds: the daemon config's logs.health.lagSeconds, for the health model's log rules. */
  constructor(
    readonly unreachableAfterIntervals: number,
    readonly logsLagSeconds: number = DEFAULT_LOGS_LAG_SECONDS,
  ) {}

  get rev(): number {
    return this.revision;
  }

  get size(): number {
    return this.entries.size;
  }

  get(name: string): FleetEntry | undefined {
    return this.entries.get(name);
  }

  values(): IterableIterator<FleetEntry> {
    return this.entries.values();
  }

  /** Replaces entries without notifying; call changed() once for the batch. */
  put(entry: FleetEntry): void {
    this.entries.set(entry.record.name, entry);
  }

  delete(name: string): boolean {
    return this.entries.delete(name);
  }

  changed(upserted: string[], removed: string[] = []): void {
    if (upserted.length === 0 && removed.length === 0) return;
    this.revision += 1;
    const event = { rev: this.revision, upserted, removed };
    for (const l of this.listeners) l(event);
  }

  subscribe(listener: FleetListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  row(name: string, nowMs: number): ClusterRow | undefined {
    const e = this.entries.get(name);
    return e ? toRow(e, nowMs, this.unreachableAfterIntervals) : undefined;
  }

  rows(nowMs: number): ClusterRow[] {
    return [...this.entries.values()].map((e) => toRow(e, nowMs, this.unreachableAfterIntervals)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  healthCounts(nowMs: number): Record<Health, number> {
    const counts: Record<Health, number> = { healthy: 0, degraded: 0, critical: 0, unreachable: 0, unknown: 0 };
    for (const e of this.entries.values()) counts[healthOf(e, nowMs, this.unreachableAfterIntervals).health] += 1;
    return counts;
  }
}
