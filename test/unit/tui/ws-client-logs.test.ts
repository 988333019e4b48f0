// The link and the logs topic: the subscribe carries the view's query, a changed query unsubscribes
// and subscribes again, frames of the replaced subscription are dropped, and a reconnect resumes
// after the last live line taken.
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type WebSocket from 'ws';
import { FleetLink } from '../../../tui/ws-client.js';
import type { Action } from '../../../tui/state/app.js';
import { ROWS } from './helpers.js';
import { startDaemon, TOKEN, waitFor } from './fake-daemon.js';
import { logRecord } from './logs-helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('logs topic on the link', () => {
  it('subscribes with the query, resubscribes on a new one, drops frames of the old, and resumes after the last line', async () => {
    const sockets: WebSocket[] = [];
    const d = await startDaemon({
      onSubscribe: (ws, topic, frame) => {
        if (topic === 'fleet') return ws.send(JSON.stringify({ topic: 'fleet', kind: 'snapshot', rev: 1, data: ROWS.slice(0, 1) }));
        sockets.push(ws);
        // A line of the previous subscription still on its way arrives before this one's answer.
        ws.send(JSON.stringify({ topic: 'logs', kind: 'lines', rev: 9, lines: [logRecord(99)] }));
        ws.send(JSON.stringify({ id: frame.id, result: { subscribed: 'logs', rev: 1 } }));
        ws.send(JSON.stringify({ topic: 'logs', kind: 'snapshot', rev: 1, data: [logRecord(1), { bad: true }], more: false }));
        ws.send(JSON.stringify({ topic: 'logs', kind: 'lines', rev: 2, lines: [logRecord(2)] }));
      },
    });
    cleanups.push(() => d.stop());
    const actions: Action[] = [];
    const client = new FleetLink({ server: d.url, token: TOKEN, dispatch: (a) => actions.push(a), log: pino({ level: 'silent' }), backoff: { initialMs: 10, maxMs: 40, authRetryMs: 40 } });
    cleanups.push(() => client.close());
    client.start();
    client.follow([{ topic: 'logs', query: 'level:error' }]);
    await waitFor('lines', () => actions.some((a) => a.type === 'logs/lines'));
    const logs = () => actions.filter((a) => a.type.startsWith('logs/'));
    expect(logs()).toEqual([
      { type: 'logs/snapshot', query: 'level:error', lines: [logRecord(1)], more: false, resumed: false, rejected: 1 },
      { type: 'logs/lines', query: 'level:error', lines: [logRecord(2)], rejected: 0 },
    ]);
    client.follow([{ topic: 'logs', query: 'level:warn' }]);
    await waitFor('resubscribed', () => d.frames.filter((f) => f.topic === 'logs').length === 3);
    expect(d.frames.filter((f) => f.topic === 'logs').map((f) => `${f.op}:${f.query ?? ''}`)).toEqual(['subscribe:level:error', 'unsubscribe:', 'subscribe:level:warn']);
    await waitFor('new query lines', () => logs().filter((a) => a.type === 'logs/lines').length === 2);
    expect(logs().every((a) => a.type !== 'logs/lines' || a.lines[0]?.id !== logRecord(99).id)).toBe(true);
    sockets.at(-1)?.terminate();
    await waitFor('resumed', () => d.frames.filter((f) => f.op === 'subscribe' && f.topic === 'logs').length === 3);
    expect(d.frames.filter((f) => f.op === 'subscribe' && f.topic === 'logs').at(-1)).toMatchObject({ query: 'level:warn', after: logRecord(2).cursor });
  });
});
