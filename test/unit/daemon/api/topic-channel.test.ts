/* eslint-disable @typescript-eslint/no-unsafe-return -- frames are checked by assertions, not by types */
import { describe, expect, it } from 'vitest';
import { fakeSession, openNow, setSlow } from './fake-session.js';
import { countersTopic, Feed, linesTopic, type CountersEvent, type LinesEvent } from '../../../fixtures/topics.js';
import type { Topic } from '../../../../daemon/api/topic.js';
import type { WsSession } from '../../../../daemon/api/ws-session.js';
import { FLEET_ADMIN } from '../../../harness/identities.js';

function subscribe(topic: Topic, session: WsSession, name: string, query?: string) {
  const request = topic.match(name, query, undefined, FLEET_ADMIN);
  if (!request) throw new Error(`${name} not matched`);
  const { snapshot } = openNow(request, session);
  session.sendText(JSON.stringify(snapshot));
}

const lines = (feed: Feed<LinesEvent>, ...text: string[]) => feed.emit((rev) => ({ rev, lines: text }));
const counters = (feed: Feed<CountersEvent>, values: Record<string, number>) => feed.emit((rev) => ({ rev, values }));

describe('topic channel', () => {
  it('matches only its own names and carries the action a subscriber needs', () => {
    const topic = linesTopic(new Feed<LinesEvent>(), { action: 'audit.read' });
    expect(topic.match('fleet', undefined, undefined, FLEET_ADMIN)).toBeUndefined();
    expect(topic.match('lines', undefined, undefined, FLEET_ADMIN)).toMatchObject({ action: 'audit.read', target: {} });
    expect(() => topic.match('lines', '(', undefined, FLEET_ADMIN)).toThrow(/not a valid pattern/);
  });

  it('sends a keeping-up client every frame in order, each built once per share key', () => {
    const feed = new Feed<LinesEvent>();
    const built = { frames: 0 };
    const topic = linesTopic(feed, { built });
    const all = [fakeSession(), fakeSession(), fakeSession()];
    for (const { session } of all) subscribe(topic, session, 'lines');
    const errors = fakeSession();
    subscribe(topic, errors.session, 'lines', 'error');
    lines(feed, 'ok 1', 'error 1');
    lines(feed, 'ok 2');
    // two events for the unfiltered key, one for the `error` key (the second event does not concern it)
    expect(built.frames).toBe(3);
    for (const { sock } of all) expect(sock.sent.map((f) => [f.kind, f.rev, f.lines])).toEqual([['snapshot', 0, undefined], ['lines', 1, ['ok 1', 'error 1']], ['lines', 2, ['ok 2']]]);
    expect(errors.sock.sent.map((f) => [f.kind, f.lines])).toEqual([['snapshot', undefined], ['lines', ['error 1']]]);
  });

  it('drop: sends nothing while slow, then one dropped notice counting what the subscription missed, before the next frame', () => {
    const feed = new Feed<LinesEvent>();
    const topic = linesTopic(feed);
    const { sock, session } = fakeSession();
    subscribe(topic, session, 'lines', 'error');
    setSlow(sock, true);
    lines(feed, 'error a', 'ok', 'error b');
    lines(feed, 'ok only');
    lines(feed, 'error c');
    expect(sock.sent).toHaveLength(1);
    topic.flush(session);
    expect(sock.sent).toHaveLength(1);
    setSlow(sock, false);
    lines(feed, 'error d');
    expect(sock.sent.slice(1)).toEqual([{ topic: 'lines', kind: 'dropped', count: 3 }, { topic: 'lines', kind: 'lines', rev: 4, lines: ['error d'] }]);
  });

  it('drop: a drained client gets the notice on flush without waiting for the next event, once', () => {
    const feed = new Feed<LinesEvent>();
    const topic = linesTopic(feed);
    const { sock, session } = fakeSession();
    subscribe(topic, session, 'lines');
    setSlow(sock, true);
    lines(feed, 'a', 'b');
    setSlow(sock, false);
    topic.flush(session);
    topic.flush(session);
    expect(sock.sent.slice(1)).toEqual([{ topic: 'lines', kind: 'dropped', count: 2 }]);
  });

  it('coalesce: a slow client gets one catch-up frame from the rev it holds, latest values winning, and then chains on', () => {
    const feed = new Feed<CountersEvent>();
    const topic = countersTopic(feed);
    const { sock, session } = fakeSession();
    subscribe(topic, session, 'counters');
    counters(feed, { a: 1 });
    setSlow(sock, true);
    counters(feed, { a: 2, b: 1 });
    counters(feed, { a: 3 });
    expect(sock.sent).toHaveLength(2);
    setSlow(sock, false);
    topic.flush(session);
    counters(feed, { c: 1 });
    expect(sock.sent.slice(1)).toEqual([
      { topic: 'counters', kind: 'patch', rev: 1, fromRev: 0, values: { a: 1 } },
      { topic: 'counters', kind: 'patch', rev: 3, fromRev: 1, values: { a: 3, b: 1 } },
      { topic: 'counters', kind: 'patch', rev: 4, fromRev: 3, values: { c: 1 } },
    ]);
  });

  it('coalesce: the first event after draining goes out inside the catch-up frame, not after it', () => {
    const feed = new Feed<CountersEvent>();
    const topic = countersTopic(feed);
    const { sock, session } = fakeSession();
    subscribe(topic, session, 'counters');
    setSlow(sock, true);
    counters(feed, { a: 1 });
    setSlow(sock, false);
    counters(feed, { b: 2 });
    expect(sock.sent.slice(1)).toEqual([{ topic: 'counters', kind: 'patch', rev: 2, fromRev: 0, values: { a: 1, b: 2 } }]);
  });

  it('coalesce: an event that does not follow the rev a client holds becomes a catch-up from that rev', () => {
    const feed = new Feed<CountersEvent>();
    const topic = countersTopic(feed);
    const { sock, session } = fakeSession();
    subscribe(topic, session, 'counters');
    feed.rev += 1; // a change the topic never published
    counters(feed, { a: 1 });
    expect(sock.sent.slice(1)).toEqual([{ topic: 'counters', kind: 'patch', rev: 2, fromRev: 0, values: { a: 1 } }]);
  });

  it('a second subscribe starts over, and unsubscribe, forget and a closed socket stop delivery', () => {
    const feed = new Feed<CountersEvent>();
    const topic = countersTopic(feed);
    const one = fakeSession();
    subscribe(topic, one.session, 'counters');
    setSlow(one.sock, true);
    counters(feed, { a: 1 });
    setSlow(one.sock, false);
    subscribe(topic, one.session, 'counters');
    topic.flush(one.session);
    expect(one.sock.sent.map((f) => [f.kind, f.rev])).toEqual([['snapshot', 0], ['snapshot', 1]]);
    expect(topic.unsubscribe(one.session, 'counters')).toBe(true);
    expect(topic.unsubscribe(one.session, 'counters')).toBe(false);
    const two = fakeSession();
    const three = fakeSession();
    subscribe(topic, two.session, 'counters');
    subscribe(topic, three.session, 'counters');
    topic.forget(two.session);
    three.sock.readyState = 3;
    counters(feed, { b: 1 });
    // a socket found closed is let go: open again, it gets nothing more
    three.sock.readyState = 1;
    counters(feed, { b: 2 });
    expect(one.sock.sent).toHaveLength(2);
    expect(two.sock.sent).toHaveLength(1);
    expect(three.sock.sent).toHaveLength(1);
    expect(feed.listening).toBe(1);
    topic.close();
    expect(feed.listening).toBe(0);
  });
});
