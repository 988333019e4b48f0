// A WebSocket topic as the hub sees it (DESIGN.md §3.8). Topics are plug-ins: each is one module
// (most build on TopicChannel in topic-channel.ts) registered with one line in ws-registry.ts.
import type { Identity } from '../../core/api.js';
import type { AuthAction } from '../../core/roles.js';
import type { AuthTarget } from '../auth/authorize.js';
import type { WsSession } from './ws-session.js';

/** Every frame a topic sends names the topic (as subscribed) and its kind; the rest is the topic's own (core/protocol.ts). */
export interface TopicFrame {
  topic: string;
  kind: string;
}

/** What a subscription opened with: the rev for the subscribe answer and the snapshot sent after it. */
export interface Opened {
  rev: number;
  snapshot: TopicFrame;
  /** For a snapshot read asynchronously: called once the answer and the snapshot are sent, to send what was published meanwhile. */
  started?(): void;
}

/** A subscribe request this topic serves, not yet authorized. */
export interface TopicRequest {
  /** What the subscriber must be allowed (asked of authorize before open). */
  action: AuthAction;
  target: AuthTarget;
  /** Registers the session; a topic whose snapshot is read from storage (`logs`) answers with a promise. */
  open(session: WsSession): Opened | Promise<Opened>;
}

export interface Topic {
  /** The names it serves, for error messages: `fleet`, `cluster:<name>`. */
  readonly pattern: string;
  /** The request for this topic name (and the subscribe frame's query and after), or undefined if it is not this topic's. Throws a usage error for a bad query. */
  match(name: string, query: string | undefined, after: string | undefined, who: Identity): TopicRequest | undefined;
  /** Returns false if the session held no such subscription. */
  unsubscribe(session: WsSession, name: string): boolean;
  /** Sends the session what its slow-client policy held back, if its socket has drained. */
  flush(session: WsSession): void;
  /** The session is gone. */
  forget(session: WsSession): void;
  close(): void;
}
