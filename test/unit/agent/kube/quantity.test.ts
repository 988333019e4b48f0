// Kubernetes resource quantities as numbers.
import { describe, expect, it } from 'vitest';
import { bytes, cpuMillis, parseQuantity } from '../../../../agent/kube/quantity.js';

describe('parseQuantity', () => {
  it.each([
    ['4', 4],
    ['3800m', 3.8],
    ['250u', 250e-6],
    ['100n', 100e-9],
    ['1.5', 1.5],
    ['2k', 2000],
    ['3M', 3e6],
    ['1G', 1e9],
    ['1T', 1e12],
    ['1P', 1e15],
    ['1E', 1e18],
    ['16318956Ki', 16318956 * 1024],
    ['128Mi', 128 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['2Ti', 2 * 2 ** 40],
    ['1Pi', 2 ** 50],
    ['1Ei', 2 ** 60],
    ['1e9', 1e9],
    ['1.5e3', 1500],
    ['+7', 7],
    [' 64Mi ', 64 * 2 ** 20],
  ])('%s is %d', (q, n) => {
    expect(parseQuantity(q)).toBeCloseTo(n, 12);
  });

  it('reads an absent or unreadable quantity as 0, so one odd field never fails a report', () => {
    for (const q of [undefined, '', 'lots', '1Xi', '1.2.3x', 'Mi', '1 Gi']) expect(parseQuantity(q)).toBe(0);
  });
});

describe('cpuMillis and bytes', () => {
  it('round to whole millicores and bytes', () => {
    expect(cpuMillis('100m')).toBe(100);
    expect(cpuMillis('0.5')).toBe(500);
    expect(cpuMillis('2')).toBe(2000);
    expect(cpuMillis('1500u')).toBe(2);
    expect(cpuMillis(undefined)).toBe(0);
    expect(bytes('1Ki')).toBe(1024);
    expect(bytes('1.5Gi')).toBe(1.5 * 2 ** 30);
    expect(bytes('110')).toBe(110);
    expect(bytes('nonsense')).toBe(0);
  });
});
