// Kubernetes resource quantities ("3800m", "4", "16318956Ki", "1Gi", "1e9") as plain numbers.
const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** The quantity as a number of base units, or 0 when absent or unreadable (a status report never fails on one odd field). */
export function parseQuantity(q: string | undefined): number {
  if (q === undefined) return 0;
  const m = /^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)$/.exec(q.trim());
  if (!m) return 0;
  const value = Number(m[1]);
  const suffix = m[2] ?? '';
  const mult = BINARY[suffix] ?? DECIMAL[suffix];
  return mult === undefined || !Number.isFinite(value) ? 0 : value * mult;
}

export function cpuMillis(q: string | undefined): number {
  return Math.round(parseQuantity(q) * 1000);
}

export function bytes(q: string | undefined): number {
  return Math.round(parseQuantity(q));
}
