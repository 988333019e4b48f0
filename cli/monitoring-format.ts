// `flotilla cluster monitoring NAME --show` as text: the settings as the daemon keeps them, the version
// signed from them, and how the newest configure-monitoring job went, with the next step. Pure.
import type { MonitoringView } from '../core/metrics/monitoring.js';

export function monitoringText(v: MonitoringView): string {
  if (!v.settings) {
    return `cluster ${v.cluster}: no monitoring settings\nnext: \`flotilla cluster monitoring ${v.cluster} --edge-target HOST:PORT\` (federate) or \`--mode remote-write --remote-write-url URL\` sets them (docs/METRICS.md)\n`;
  }
  const s = v.settings;
  const out = [`cluster ${v.cluster}: monitoring config version ${v.configVersion ?? '-'} (${s.mode}, ${s.backend}), set ${v.updatedAt ?? '-'}`];
  if (s.federateTarget) out.push(`  edge target      ${s.federateTarget}`);
  if (s.remoteWriteUrl) out.push(`  remote write     ${s.remoteWriteUrl}`);
  if (s.agentTarget) out.push(`  agent target     ${s.agentTarget}`);
  out.push(`  scrape interval  ${s.scrapeInterval}`, `  retention        ${s.retention}`);
  const j = v.lastJob;
  if (!j) {
    out.push('no configure-monitoring job yet');
  } else {
    const detail = j.result?.detail ? `: ${j.result.detail}` : '';
    out.push(`last configure-monitoring: job ${j.id} (seq ${j.seq}) ${j.state}${j.result ? ` at ${j.result.finishedAt}` : ''}${detail}`);
    if (j.state === 'failed' || j.state === 'rejected' || j.state === 'expired') out.push(`next: \`flotilla job show ${j.id}\` says why; set the settings again to sign and send a new version`);
    else if (j.result === null) out.push(`next: \`flotilla job show ${j.id}\` shows when the agent has written the files and the edge Prometheus reloaded them`);
  }
  return `${out.join('\n')}\n`;
}
