// A small seeded generator (mulberry32) so a simulated cluster replays exactly from its seed. Not for
// anything secret.

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max], both included. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
  /** Lower-case letters and digits, like the random suffix of a Kubernetes pod name. */
  token(length: number): string;
}

const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export function createRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new RangeError('pick from an empty list');
      return items[int(0, items.length - 1)] as T;
    },
    chance: (p) => p > 0 && next() < p,
    token(length) {
      let out = '';
      for (let i = 0; i < length; i += 1) out += ALPHABET[int(0, ALPHABET.length - 1)] as string;
      return out;
    },
  };
}

/** A stable seed from a name (FNV-1a), so an unseeded sim of one cluster looks the same on every start. */
export function seedFromName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i += 1) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
