// Pure: counts in one-second buckets over a sliding window, for the pipeline's rates (lines/s read
// and shipped over the last 10 s, error lines over the last minute). Memory is fixed by the window,
// not by the traffic: at 50k lines/s a counter is still a few dozen numbers.
export class RateWindow {
  private readonly size: number;
  private readonly buckets: Float64Array;
  /** The second (epoch seconds) each bucket holds, or -1. */
  private readonly seconds: Float64Array;

  constructor(readonly windowSeconds: number) {
    // Two spare buckets: the current, partial second and the one a young window reaches back into.
    this.size = windowSeconds + 2;
    this.buckets = new Float64Array(this.size);
    this.seconds = new Float64Array(this.size).fill(-1);
  }

  add(nowMs: number, n: number): void {
    if (n === 0) return;
    const second = Math.floor(nowMs / 1000);
    const i = second % this.size;
    if (this.seconds[i] !== second) {
      this.seconds[i] = second;
      this.buckets[i] = 0;
    }
    this.buckets[i] = (this.buckets[i] ?? 0) + n;
  }

  private range(fromSecond: number, toSecond: number): number {
    let total = 0;
    for (let i = 0; i < this.size; i++) {
      const s = this.seconds[i] ?? -1;
      if (s >= fromSecond && s <= toSecond) total += this.buckets[i] ?? 0;
    }
    return total;
  }

  /** The total over the current second and the `seconds - 1` before it. */
  sum(nowMs: number, seconds = this.windowSeconds): number {
    const current = Math.floor(nowMs / 1000);
    return this.range(current - Math.min(seconds, this.windowSeconds) + 1, current);
  }

  /**
   * Per second over the last `seconds` complete seconds; while the window is younger than that
   * (counting from `sinceMs`), everything so far over the time so far, so a pipeline that started
   * 2 s ago is not reported at a fifth of its speed.
   */
  perSecond(nowMs: number, seconds: number, sinceMs: number): number {
    const span = Math.min(seconds, this.windowSeconds);
    const current = Math.floor(nowMs / 1000);
    const elapsedMs = nowMs - sinceMs;
    if (elapsedMs >= (span + 1) * 1000) return this.range(current - span, current - 1) / span;
    return this.range(Math.floor(sinceMs / 1000), current) / Math.max(1, elapsedMs / 1000);
  }
}
