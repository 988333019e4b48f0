// A method of the WebSocket `call` op (DESIGN.md §3.8). The hub authorizes the call against the
// method's action before it runs; the method answers with the same result as its REST twin.
import type { Identity } from '../../core/api.js';
import type { AuthAction } from '../../core/roles.js';

export interface WsMethod {
  name: string;
  action: AuthAction;
  run(who: Identity, params: Record<string, unknown>): Promise<unknown>;
}
