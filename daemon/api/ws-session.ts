// One WebSocket client: who it is, its socket, and whether it reads slower than we write. What it
// is subscribed to lives with each topic (topic-channel.ts).
import type { WebSocket } from 'ws';
import type { Identity } from '../../core/api.js';
import type { ErrorBody } from '../../core/errors.js';
import { WS_LIMITS, type ReplyFrame, type ServerFrame } from '../../core/protocol.js';

export class WsSession {
  badFrames = 0;
  alive = true;

  constructor(
    readonly ws: WebSocket,
    readonly identity: Identity,
    private readonly slowBytes = WS_LIMITS.slowClientBytes,
  ) {}

  get open(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  /** Over the buffered threshold: topics hold back or drop what they would send (their slow-client policy). */
  get slow(): boolean {
    return this.ws.bufferedAmount > this.slowBytes;
  }

  send(frame: ServerFrame): void {
    this.sendText(JSON.stringify(frame));
  }

  sendText(text: string): void {
    if (this.open) this.ws.send(text);
  }

  reply(id: number, result: unknown): void {
    this.send({ id, result } satisfies ReplyFrame);
  }

  replyError(id: number, error: ErrorBody): void {
    this.send({ id, error } satisfies ReplyFrame);
  }
}
