import { describe, expect, it } from 'vitest';
import { ConnectionTable, sourceOf } from '../../../../daemon/api/connection-limits.js';

describe('connection sources', () => {
  it('counts IPv4 addresses one by one, IPv4-mapped IPv6 as IPv4, and IPv6 per /64', () => {
    expect(sourceOf('127.0.0.1')).toBe('127.0.0.1');
    expect(sourceOf('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(sourceOf('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
    expect(sourceOf('2001:db8:1:2::7')).toBe('2001:db8:1:2::/64');
    expect(sourceOf('2001:0db8:0001:0002:0:0:0:1')).toBe('2001:db8:1:2::/64');
    expect(sourceOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(sourceOf('::1')).toBe('0:0:0:0::/64');
    expect(sourceOf('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(sourceOf(undefined)).toBe('(unknown)');
  });
});

describe('connection table', () => {
  it('sheds the oldest idle connection of a source at its cap, and refuses when all of them are busy', () => {
    const t = new ConnectionTable<string>({ max: 100, maxPerSource: 3 });
    for (const id of ['a1', 'a2', 'a3']) expect(t.admit(id, 'A')).toEqual({ admit: true });
    expect(t.admit('a4', 'A')).toEqual({ admit: true, shed: 'a1' });
    expect(t.countFrom('A')).toBe(3);
    for (const id of ['a2', 'a3', 'a4']) t.busy(id);
    expect(t.admit('a5', 'A')).toEqual({ admit: false, reason: 'source' });
    expect(t.admit('b1', 'B')).toEqual({ admit: true });
    t.done('a3');
    expect(t.admit('a6', 'A')).toEqual({ admit: true, shed: 'a3' });
  });

  it('at the total cap sheds the oldest idle connection of anyone, so a flood of idle ones never locks out a newcomer', () => {
    const t = new ConnectionTable<string>({ max: 4, maxPerSource: 4 });
    t.admit('w1', 'W');
    t.busy('w1'); // a WebSocket: never shed
    for (const id of ['x1', 'y1', 'x2']) t.admit(id, id[0] as string);
    expect(t.admit('z1', 'Z')).toEqual({ admit: true, shed: 'x1' });
    expect(t.admit('z2', 'Z')).toEqual({ admit: true, shed: 'y1' });
    for (const id of ['x2', 'z1', 'z2']) t.busy(id);
    expect(t.admit('v1', 'V')).toEqual({ admit: false, reason: 'total' });
    expect(t.size).toBe(4);
  });

  it('orders idleness by when a connection last became idle, so a kept-alive client that just finished is shed last', () => {
    const t = new ConnectionTable<string>({ max: 3, maxPerSource: 3 });
    for (const id of ['k', 'h1', 'h2']) t.admit(id, 'A');
    t.busy('k');
    t.done('k'); // idle again, now the newest
    expect(t.admit('n1', 'A')).toEqual({ admit: true, shed: 'h1' });
    expect(t.admit('n2', 'A')).toEqual({ admit: true, shed: 'h2' });
    expect(t.admit('n3', 'A')).toEqual({ admit: true, shed: 'k' });
  });

  it('counts requests in flight (pipelining) and forgets closed connections', () => {
    const t = new ConnectionTable<string>({ max: 2, maxPerSource: 2 });
    t.admit('p', 'A');
    t.busy('p');
    t.busy('p');
    t.done('p');
    t.admit('q', 'A');
    t.busy('q');
    expect(t.admit('r', 'A')).toEqual({ admit: false, reason: 'source' });
    t.done('p');
    expect(t.admit('r', 'A')).toEqual({ admit: true, shed: 'p' });
    t.remove('q');
    t.remove('r');
    t.remove('r');
    t.done('r');
    expect(t.size).toBe(0);
    expect(t.countFrom('A')).toBe(0);
  });

  it('stays within its caps under any sequence of events', () => {
    const t = new ConnectionTable<number>({ max: 50, maxPerSource: 10 });
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const open = new Set<number>();
    for (let id = 0; id < 5000; id += 1) {
      const r = t.admit(id, `s${rand(8)}`);
      if (r.admit) {
        open.add(id);
        if (r.shed !== undefined) open.delete(r.shed);
      }
      const pick = [...open][rand(open.size || 1)];
      if (pick !== undefined) [() => t.busy(pick), () => t.done(pick), () => (t.remove(pick), open.delete(pick))][rand(3)]?.();
      expect(t.size).toBe(open.size);
      expect(t.size).toBeLessThanOrEqual(50);
    }
    for (let s = 0; s < 8; s += 1) expect(t.countFrom(`s${s}`)).toBeLessThanOrEqual(10);
  });
});
