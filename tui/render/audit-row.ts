// The audit view's rows as text: time, actor, action, target, result in columns that fit the width,
// and the selected record's detail and hashes. Pure.
import type { AuditRecord } from '../../core/api.js';
import { fit, oneLine } from './text.js';

const TIME = 19;
const RESULT = 7;

/** Actor and action columns: wider from 100 columns, so at 80 the target keeps room. */
function widths(width: number): { actor: number; action: number } {
  return width >= 100 ? { actor: 24, action: 20 } : { actor: 14, action: 15 };
}

export function auditHeader(width: number): string {
  const w = widths(width);
  return fit(`${fit('TIME (UTC)', TIME)} ${fit('ACTOR', w.actor)} ${fit('ACTION', w.action)} ${fit('RESULT', RESULT)} TARGET`, width);
}

export function auditLine(r: AuditRecord, width: number): string {
  const w = widths(width);
  const time = r.at.replace('T', ' ').slice(0, TIME);
  return fit(oneLine(`${fit(time, TIME)} ${fit(r.actor.name, w.actor)} ${fit(r.action, w.action)} ${fit(r.allowed ? 'allowed' : 'denied', RESULT)} ${r.target}`), width);
}

/** Up to `lines` lines: who (name and id) and the record's seq, its detail as key=value, and the hash chain. */
export function auditDetail(r: AuditRecord, lines: number, width: number): string[] {
  const detail = Object.entries(r.detail)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  const out = [`#${r.seq} ${r.actor.name} (${r.actor.id}) ${r.action} ${r.target}: ${r.allowed ? 'allowed' : 'denied'}`, detail === '' ? 'no detail' : detail, `hash ${r.hash.slice(0, 16)}… prev ${r.prevHash.slice(0, 16)}…`];
  return out.slice(0, lines).map((l) => fit(oneLine(l), width));
}
