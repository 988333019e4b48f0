// The fleet filter language: plain words match the name or any label value; `health:`, `name:`
// (glob) and `label:k=v` / `k=v` narrow further. Every token must match.
import type { ClusterRow } from '../../core/fleet.js';
import { HEALTH_STATES } from '../../core/fleet.js';
import { globToRegExp } from './glob.js';

export type FilterToken =
  | { kind: 'word'; text: string }
  /** Kept as typed so an unknown state can be reported instead of silently matching nothing. */
  | { kind: 'health'; health: string }
  | { kind: 'name'; pattern: RegExp; glob: string }
  | { kind: 'label'; key: string; value: string };

export interface ParsedFilter {
  text: string;
  tokens: FilterToken[];
}

function parseToken(raw: string): FilterToken {
  const lower = raw.toLowerCase();
  if (lower.startsWith('health:') && raw.length > 7) return { kind: 'health', health: lower.slice(7) };
  if (lower.startsWith('name:') && raw.length > 5) return { kind: 'name', pattern: globToRegExp(raw.slice(5)), glob: raw.slice(5) };
  const labelText = lower.startsWith('label:') ? raw.slice(6) : raw;
  const eq = labelText.indexOf('=');
  if (eq > 0 && eq < labelText.length - 1) {
    return { kind: 'label', key: labelText.slice(0, eq), value: labelText.slice(eq + 1).toLowerCase() };
  }
  return { kind: 'word', text: lower };
}

export function parseFilter(text: string): ParsedFilter {
  const tokens = text.split(/\s+/).filter((t) => t.length > 0).map(parseToken);
  return { text, tokens };
}

function tokenMatches(token: FilterToken, row: ClusterRow): boolean {
  switch (token.kind) {
    case 'word':
      if (row.name.toLowerCase().includes(token.text)) return true;
      return Object.values(row.labels).some((v) => v.toLowerCase().includes(token.text));
    case 'health':
      return row.health === token.health;
    case 'name':
      return token.pattern.test(row.name);
    case 'label': {
      const value = row.labels[token.key];
      return value !== undefined && value.toLowerCase() === token.value;
    }
  }
}

export function matchesFilter(filter: ParsedFilter, row: ClusterRow): boolean {
  return filter.tokens.every((t) => tokenMatches(t, row));
}

/** A health token naming no known state is almost certainly a typo worth telling the user about. */
export function filterProblems(filter: ParsedFilter): string[] {
  return filter.tokens
    .filter((t): t is Extract<FilterToken, { kind: 'health' }> => t.kind === 'health')
    .filter((t) => !(HEALTH_STATES as readonly string[]).includes(t.health))
    .map((t) => `unknown health "${t.health}" (use ${HEALTH_STATES.join(', ')})`);
}
