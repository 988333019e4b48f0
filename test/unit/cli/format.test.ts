import { describe, expect, it } from 'vitest';
import { clusterTable, infoText, tokenTable, type InfoReport } from '../../../cli/format.js';
import { renderJson, renderTable, truncate } from '../../../cli/table.js';
import type { ClusterRow } from '../../../core/fleet.js';

const row = (over: Partial<ClusterRow>): ClusterRow => ({
  name: 'prod-eu',
  labels: { env: 'prod', team: 'payments' },
  registration: 'registered',
  health: 'healthy',
  reasons: [],
  reportedAt: '2025-01-01T00:00:00.000Z',
  dataAgeSeconds: 4,
  intervalSeconds: 10,
  kubernetesVersion: 'v1.31.4',
  agentVersion: '0.1.0',
  nodes: { ready: 5, total: 5 },
  pods: { running: 40, total: 42 },
  restarts: 0,
  errorLinesPerMinute: null,
  expiresAt: null,
  ...over,
});

describe('tables', () => {
  it('aligns columns and trims trailing space', () => {
    expect(renderTable(['A', 'LONG'], [['xyz', '1'], ['q', '']])).toBe('A    LONG\nxyz  1\nq\n');
  });

  it('renders the cluster listing with health, data age and labels', () => {
    const text = clusterTable([
      row({}),
      row({ name: 'dev-1', labels: {}, registration: 'pending', health: 'unknown', reportedAt: null, dataAgeSeconds: null, kubernetesVersion: null, nodes: { ready: 0, total: 0 }, pods: { running: 0, total: 0 } }),
      row({ name: 'stg', health: 'critical', reasons: ['2 of 5 nodes not ready'], dataAgeSeconds: 3700 }),
    ]);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+HEALTH\s+REASONS\s+K8S\s+NODES\s+PODS\s+AGE\s+LABELS$/);
    expect(lines[1]).toMatch(/^prod-eu\s+healthy\s+-\s+v1\.31\.4\s+5\/5\s+40\/42\s+4s\s+env=prod,team=payments$/);
    expect(lines[2]).toMatch(/^dev-1\s+unknown \(pending\)\s+-\s+-\s+0\/0\s+0\/0\s+-\s+-$/);
    expect(lines[3]).toMatch(/^stg\s+critical\s+2 of 5 nodes not ready\s+.*1h\s/);
    // every column starts at the same offset on each line
    const col = (l: string | undefined): number => (l ?? '').indexOf('v1.31.4') >= 0 ? (l ?? '').indexOf('v1.31.4') : -1;
    expect(col(lines[1])).toBe(col(lines[3]));
    expect(lines[0]!.indexOf('K8S')).toBe(col(lines[1]));
  });

  it('renders tokens without secrets and marks revoked ones', () => {
    const text = tokenTable([
      { id: 't1', name: 'admin', role: 'admin', scope: null, createdAt: '2025-01-01T00:00:00.000Z', expiresAt: null, lastUsedAt: null, revokedAt: null },
      { id: 't2', name: 'ci', role: 'viewer', scope: 'team=payments', createdAt: '2025-01-01T00:00:00.000Z', expiresAt: '2025-02-01T00:00:00.000Z', lastUsedAt: null, revokedAt: '2025-01-02T00:00:00.000Z' },
    ]);
    expect(text).toMatch(/^ID\s+NAME\s+ROLE\s+SCOPE\s+CREATED\s+EXPIRES\s+LAST USED\s+STATE\n/);
    expect(text).toMatch(/t1\s+admin\s+admin\s+\*\s+2025-01-01T00:00:00Z\s+-\s+-\s+active/);
    expect(text).toMatch(/t2\s+ci\s+viewer\s+team=payments\s+.*revoked 2025-01-02T00:00:00Z/);
  });

  it('renders JSON with a trailing newline and truncates long text', () => {
    expect(renderJson([{ a: 1 }])).toBe('[\n  {\n    "a": 1\n  }\n]\n');
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
  });

  it('renders info with every path and the server state', () => {
    const report: InfoReport = {
      version: '0.1.0',
      paths: { configDir: '/c', dataDir: '/d', stateDir: '/s', clientConfig: '/c/config.yaml', tuiLog: '/s/tui.log', daemonConfig: '/d/daemon.yaml' },
      server: { url: 'http://127.0.0.1:7420', source: 'default', reachable: false, version: null, error: 'cannot reach the daemon' },
      daemon: null,
      daemonError: null,
    };
    const text = infoText(report);
    for (const want of ['version:', '/c', '/d', '/s', '/c/config.yaml', '/s/tui.log', '/d/daemon.yaml', 'http://127.0.0.1:7420 (from default)', 'no: cannot reach the daemon']) {
      expect(text).toContain(want);
    }
  });
});
