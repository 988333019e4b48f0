// The machinery every topic shares: who is subscribed with which params, one frame text per event
// for all subscribers that get the same frame, and what happens to a client that reads slower than
// we write. Never an unbounded buffer: `coalesce` keeps one backlog per subscription that the topic
// merges into (bounded by what it names, e.g. clusters or jobs) and sends as one catch-up frame once
// the socket drains; `drop` sends nothing while the client is slow and then one counted
// `{"topic","kind":"dropped","count"}` notice.
import type { Identity } from '../../core/api.js';
import type { DroppedFrame } from '../../core/protocol.js';
import type { AuthAction } from '../../core/roles.js';
import type { AuthTarget } from '../auth/authorize.js';
import type { Opened, Topic, TopicFrame, TopicRequest } from './topic.js';
import type { WsSession } from './ws-session.js';

/** Params of a topic that takes none (`fleet`, `jobs`). */
export type NoParams = Record<string, never>;

/** parse() for a topic with one fixed name and no params. */
export function named(topic: string): (name: string) => NoParams | undefined {
  return (name) => (name === topic ? {} : undefined);
}

/** What a topic publishes: every event carries the topic's revision after it. */
export interface TopicEvent {
  rev: number;
}

export interface CoalescePolicy<E, P, B> {
  kind: 'coalesce';
  /** Folds an event a slow client missed into its backlog (latest wins). */
  merge(backlog: B | undefined, event: E, params: P): B;
  /** The one frame that brings a drained client from heldRev (the rev of the last frame it got) to now. */
  catchUp(backlog: B, params: P, heldRev: number): { rev: number; frame: TopicFrame };
}

export interface DropPolicy<E, P, I = never> {
  kind: 'drop';
  /** How many items the event carried for this subscription (e.g. matching log records), for the dropped notice; default 1. */
  count?(event: E, params: P): number;
  /**
   * A bounded buffer per subscription: while the client is slow, up to `limit` items are held and
   * sent as one frame once it drains; only what comes past the limit is dropped and counted (the
   * notice follows the held frame, so the gap is after the last item the client got).
   */
  buffer?: {
    limit: number;
    items(event: E, params: P): I[];
    frame(items: I[], params: P, rev: number): TopicFrame;
  };
}

export interface TopicSpec<E extends TopicEvent, P, B = never> {
  pattern: string;
  /** This topic's params for a topic name (and the subscribe frame's query and after, and who asks: a scoped subscriber's params hold its view), or undefined if the name is not this topic's. */
  parse(name: string, query: string | undefined, after: string | undefined, who: Identity): P | undefined;
  action: AuthAction;
  target?(params: P): AuthTarget;
  /**
   * The snapshot and its rev. A promise (read from storage) must resolve with the rev of the last
   * event it includes: events published while it is read are held, and sent after it if newer.
   */
  snapshot(params: P): { rev: number; frame: TopicFrame } | Promise<{ rev: number; frame: TopicFrame }>;
  /** Starts listening to the topic's source; returns the function that stops it. */
  listen(publish: (event: E) => void): () => void;
  /** Whether an event is for this subscription at all; default yes. */
  concerns?(event: E, params: P): boolean;
  /** Whether the event's frame applies to a client holding heldRev (a patch that needs the previous rev); default yes. */
  inStep?(event: E, heldRev: number): boolean;
  frame(event: E, params: P): TopicFrame;
  /** The event's frame already serialised, for a topic that builds it from parts it serialises once for every key (default: frame, stringified). */
  frameText?(event: E, params: P): string;
  /** Subscriptions with the same key get the same frame for an event, serialized once; default all. */
  shareKey?(params: P): string;
  /** For `drop`, B is the type of the items its buffer holds. */
  slow: CoalescePolicy<E, P, B> | DropPolicy<E, P, B>;
  /** A subscription opened with these params (its snapshot asked) has ended: unsubscribed, replaced by a second subscribe, or its socket closed. */
  released?(params: P): void;
}

/** Events held for a subscription whose snapshot is still being read; past this they are counted as dropped. */
const OPENING_EVENTS = 10_000;

interface Subscription<E, P, B> {
  session: WsSession;
  name: string;
  params: P;
  heldRev: number;
  backlog: B | undefined;
  dropped: number;
  /** The drop buffer's items, and the rev of the last event they came from. */
  held: B[];
  heldUpTo: number;
  /** Events published while an asynchronous snapshot was read; null once it is sent. */
  opening: E[] | null;
}

export class TopicChannel<E extends TopicEvent, P, B = never> implements Topic {
  private readonly subscriptions = new Map<WsSession, Map<string, Subscription<E, P, B>>>();
  private readonly stop: () => void;

  constructor(private readonly spec: TopicSpec<E, P, B>) {
    this.stop = spec.listen((event) => this.publish(event));
  }

  get pattern(): string {
    return this.spec.pattern;
  }

  match(name: string, query: string | undefined, after: string | undefined, who: Identity): TopicRequest | undefined {
    const params = this.spec.parse(name, query, after, who);
    if (params === undefined) return undefined;
    return { action: this.spec.action, target: this.spec.target?.(params) ?? {}, open: (session) => this.open(session, name, params) };
  }

  unsubscribe(session: WsSession, name: string): boolean {
    const mine = this.subscriptions.get(session);
    const sub = mine?.get(name);
    if (!mine || !sub) return false;
    mine.delete(name);
    if (mine.size === 0) this.subscriptions.delete(session);
    this.spec.released?.(sub.params);
    return true;
  }

  flush(session: WsSession): void {
    const mine = this.subscriptions.get(session);
    if (mine) for (const sub of mine.values()) this.drain(sub);
  }

  /** Whether any session holds a subscription: a topic that polls its source can skip the work without one. */
  hasSubscribers(): boolean {
    return this.subscriptions.size > 0;
  }

  forget(session: WsSession): void {
    const mine = this.subscriptions.get(session);
    this.subscriptions.delete(session);
    if (mine) for (const sub of mine.values()) this.spec.released?.(sub.params);
  }

  close(): void {
    this.stop();
    for (const mine of this.subscriptions.values()) for (const sub of mine.values()) this.spec.released?.(sub.params);
    this.subscriptions.clear();
  }

  /** A second subscribe to the same name starts it over: fresh snapshot, nothing held back. */
  private open(session: WsSession, name: string, params: P): Opened | Promise<Opened> {
    const snap = this.spec.snapshot(params);
    let mine = this.subscriptions.get(session);
    if (!mine) {
      mine = new Map();
      this.subscriptions.set(session, mine);
    }
    const replaced = mine.get(name);
    if (replaced) this.spec.released?.(replaced.params);
    const sub: Subscription<E, P, B> = { session, name, params, heldRev: 0, backlog: undefined, dropped: 0, held: [], heldUpTo: 0, opening: null };
    if (!(snap instanceof Promise)) {
      sub.heldRev = snap.rev;
      mine.set(name, sub);
      return { rev: snap.rev, snapshot: snap.frame };
    }
    sub.opening = [];
    mine.set(name, sub);
    const current = () => this.subscriptions.get(session)?.get(name) === sub;
    return snap.then(
      ({ rev, frame }) => {
        sub.heldRev = rev;
        return {
          rev,
          snapshot: frame,
          started: () => {
            const pending = sub.opening ?? [];
            sub.opening = null;
            // replaced by a later subscribe meanwhile: that one has its own snapshot
            if (!current()) return;
            for (const event of pending) if (event.rev > rev) this.deliver(sub, event, () => JSON.stringify(this.spec.frame(event, sub.params)));
          },
        };
      },
      (e: unknown) => {
        if (current()) this.unsubscribe(session, name);
        throw e;
      },
    );
  }

  private publish(event: E): void {
    const texts = new Map<string, string>();
    for (const [session, mine] of this.subscriptions) {
      if (!session.open) {
        this.forget(session);
        continue;
      }
      for (const sub of mine.values()) {
        if (this.spec.concerns && !this.spec.concerns(event, sub.params)) continue;
        this.deliver(sub, event, () => {
          const key = this.spec.shareKey?.(sub.params) ?? '';
          let text = texts.get(key);
          if (text === undefined) {
            text = this.spec.frameText ? this.spec.frameText(event, sub.params) : JSON.stringify(this.spec.frame(event, sub.params));
            texts.set(key, text);
          }
          return text;
        });
      }
    }
  }

  private deliver(sub: Subscription<E, P, B>, event: E, text: () => string): void {
    const { session } = sub;
    const slow = this.spec.slow;
    if (sub.opening) {
      if (sub.opening.length < OPENING_EVENTS) sub.opening.push(event);
      else if (slow.kind === 'drop') sub.dropped += slow.count?.(event, sub.params) ?? 1;
      return;
    }
    if (session.slow) return this.hold(sub, event);
    if (slow.kind === 'coalesce' && (sub.backlog !== undefined || (this.spec.inStep && !this.spec.inStep(event, sub.heldRev)))) {
      this.hold(sub, event);
      return this.drain(sub);
    }
    // A drop notice goes before the frames that follow the gap.
    if (slow.kind === 'drop') this.drain(sub);
    session.sendText(text());
    sub.heldRev = event.rev;
  }

  private hold(sub: Subscription<E, P, B>, event: E): void {
    const slow = this.spec.slow;
    if (slow.kind === 'coalesce') {
      sub.backlog = slow.merge(sub.backlog, event, sub.params);
      return;
    }
    // Once something was dropped, newer items are dropped too: the client gets what it holds, one gap, then live frames.
    if (slow.buffer && sub.dropped === 0) {
      const items = slow.buffer.items(event, sub.params);
      const room = Math.max(0, slow.buffer.limit - sub.held.length);
      for (const item of items.slice(0, room)) sub.held.push(item);
      sub.heldUpTo = event.rev;
      sub.dropped += Math.max(0, items.length - room);
      return;
    }
    sub.dropped += slow.count?.(event, sub.params) ?? 1;
  }

  private drain(sub: Subscription<E, P, B>): void {
    const { session } = sub;
    if (!session.open || session.slow) return;
    const slow = this.spec.slow;
    if (slow.kind === 'coalesce') {
      if (sub.backlog === undefined) return;
      const { rev, frame } = slow.catchUp(sub.backlog, sub.params, sub.heldRev);
      sub.backlog = undefined;
      sub.heldRev = rev;
      session.sendText(JSON.stringify(frame));
      return;
    }
    if (slow.buffer && sub.held.length > 0) {
      const frame = slow.buffer.frame(sub.held, sub.params, sub.heldUpTo);
      sub.held = [];
      sub.heldRev = sub.heldUpTo;
      session.sendText(JSON.stringify(frame));
    }
    if (sub.dropped > 0) {
      const notice: DroppedFrame = { topic: sub.name, kind: 'dropped', count: sub.dropped };
      sub.dropped = 0;
      session.send(notice);
    }
  }
}
