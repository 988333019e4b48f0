// Link state as the user sees it. `lostAt` survives across reconnect attempts so the banner can say
// how old the data on screen is, not how long the latest attempt has been running.
import type { Grant } from '../../core/access.js';
import type { Role } from '../../core/roles.js';

/** Who the daemon's hello said we are: the role shown, and the grants that give a role per cluster (absent: the role everywhere). */
export interface ConsoleIdentity {
  name: string;
  role: Role;
  grants?: readonly Grant[];
}

export type ConnectionState =
  | { status: 'connecting'; since: number; attempt: number; lastError: string | null; lostAt: number | null }
  | { status: 'open'; since: number; identity: ConsoleIdentity }
  | { status: 'reconnecting'; since: number; attempt: number; lastError: string; lostAt: number; retryAt: number };

export type ConnectionAction =
  | { type: 'conn/connecting'; at: number; attempt: number }
  | { type: 'conn/open'; at: number; identity: ConsoleIdentity }
  | { type: 'conn/lost'; at: number; attempt: number; error: string; retryInMs: number };

export function initialConnection(now: number): ConnectionState {
  return { status: 'connecting', since: now, attempt: 1, lastError: null, lostAt: null };
}

function lostAtOf(state: ConnectionState, at: number): number | null {
  if (state.status === 'open') return at;
  return state.lostAt;
}

export function reduceConnection(state: ConnectionState, action: ConnectionAction): ConnectionState {
  switch (action.type) {
    case 'conn/connecting':
      return {
        status: 'connecting',
        since: action.at,
        attempt: action.attempt,
        lastError: state.status === 'open' ? null : state.lastError,
        lostAt: lostAtOf(state, action.at),
      };
    case 'conn/open':
      return { status: 'open', since: action.at, identity: action.identity };
    case 'conn/lost':
      return {
        status: 'reconnecting',
        since: action.at,
        attempt: action.attempt,
        lastError: action.error,
        lostAt: lostAtOf(state, action.at) ?? action.at,
        retryAt: action.at + action.retryInMs,
      };
  }
}
