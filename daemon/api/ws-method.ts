// A method of the WebSocket `call` op (DESIGN.md §3.8). The hub authorizes the call against the
// method's action before it runs; the method answers with the same result as its REST twin.
import type { Identity } from '../../core/api.js';
import type { AuthAction } from '../../core/roles.js';
import type { AuthTarget } from '../auth/authorize.js';

export interface WsMethod {
  name: string;
  action: AuthAction;
  /** The clusters the call reaches, for authorize (default: the action as such); may throw a usage error. */
  target?(params: Record<string, unknown>): AuthTarget;
  run(who: Identity, params: Record<string, unknown>): Promise<unknown>;
}
