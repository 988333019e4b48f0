/* eslint-disable @typescript-eslint/no-explicit-any -- frames are checked by assertions, not by types */
// A WsSession over a socket that records what is sent and whose buffered amount a test sets, so a
// slow client is a value, not a race.
import type { WebSocket } from 'ws';
import type { Identity } from '../../../../core/api.js';
import type { Role } from '../../../../core/roles.js';
import type { Opened, TopicRequest } from '../../../../daemon/api/topic.js';
import { WsSession } from '../../../../daemon/api/ws-session.js';

export class FakeSocket {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  sent: any[] = [];
  send(text: string): void {
    this.sent.push(JSON.parse(text));
  }
}

export const SLOW_BYTES = 1000;

export function identity(role: Role = 'viewer', subject = 'tok_1'): Identity {
  return { provider: 'token', subject, name: `${role}-user`, role };
}

export function fakeSession(role: Role = 'viewer'): { sock: FakeSocket; session: WsSession } {
  const sock = new FakeSocket();
  return { sock, session: new WsSession(sock as unknown as WebSocket, identity(role), SLOW_BYTES) };
}

/** Makes the session slow (over the threshold) or drained. */
export function setSlow(sock: FakeSocket, slow: boolean): void {
  sock.bufferedAmount = slow ? SLOW_BYTES + 1 : 0;
}

/** Opens a subscription of a topic whose snapshot is synchronous (every topic but `logs`). */
export function openNow(request: TopicRequest, session: WsSession): Opened {
  const opened = request.open(session);
  if (opened instanceof Promise) throw new Error('expected a synchronous snapshot');
  return opened;
}
