// Pure: counts in one-second buckets over a sliding window, for the pipeline's rates (lines/s read
// and shipped over the last 10 s, error lines over the last minute). Memory is fixed by the window,
// not by the traffic: at 50k lines/s a counter is still 60 numbers.
export class RateWindow {
  private readonly buckets: Float64Array;
  /** The second (epoch seconds) each bucket holds, or -1. */
  private readonly seconds: Float64Array;

  constructor(readonly windowSeconds: number) {
    this.buckets = new Float64Array(windowSeconds);
    this.seconds = new Float64Array(windowSeconds).fill(-1);
  }

  add(nowMs: number, n: number): void {
    if (n === 0) return;
    const second = Math.floor(nowMs / 1000);
    const i = second % this.windowSeconds;
    if (this.seconds[i] !== second) {
      this.seconds[i] = second;
      this.buckets[i] = 0;
    }
    this.buckets[i] = (this.buckets[i] ?? 0) + n;
  }

  /** The total over the last `seconds` whole seconds up to and including the current one. */
  sum(nowMs: number, seconds = this.windowSeconds): number {
    const current = Math.floor(nowMs / 1000);
    const oldest = current - Math.min(seconds, this.windowSeconds) + 1;
    let total = 0;
    for (let i = 0; i < this.windowSeconds; i++) {
      const s = this.seconds[i] ?? -1;
      if (s >= oldest && s <= current) total += this.buckets[i] ?? 0;
    }
    return total;
  }

  /**
   * Per second over the last `seconds`, or over the time since `sinceMs` when that is shorter
   * (so a pipeline that started 2 s ago is not reported at a fifth of its speed).
   */
  perSecond(nowMs: number, seconds: number, sinceMs: number): number {
    const span = Math.min(seconds, Math.max(1, Math.ceil((nowMs - sinceMs) / 1000)));
    return this.sum(nowMs, span) / span;
  }
}
