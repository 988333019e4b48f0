// Runs promtool (Debian's /usr/bin/promtool unless $PROMTOOL) on files the tests write, for the
// generated Prometheus configs, rules and dashboards (test/integration/metrics/).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PROMTOOL = process.env.PROMTOOL ?? '/usr/bin/promtool';

export interface ToolResult {
  status: number | null;
  output: string;
}

export function promtool(args: string[], cwd?: string): ToolResult {
  const r = spawnSync(PROMTOOL, args, { encoding: 'utf8', timeout: 60_000, ...(cwd ? { cwd } : {}) });
  return { status: r.status, output: `${r.stdout}${r.stderr}${r.error ? String(r.error) : ''}` };
}

let kubeSd: boolean | undefined;

/**
 * Whether this promtool knows kubernetes_sd_configs. Debian builds Prometheus without Kubernetes
 * service discovery, so its promtool refuses the key as unknown; upstream builds have it.
 */
export function promtoolHasKubernetesSd(): boolean {
  if (kubeSd !== undefined) return kubeSd;
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-promtool-'));
  try {
    const file = join(dir, 'probe.yml');
    writeFileSync(file, 'scrape_configs:\n  - job_name: probe\n    kubernetes_sd_configs:\n      - role: node\n');
    kubeSd = promtool(['check', 'config', '--syntax-only', file]).status === 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return kubeSd;
}
