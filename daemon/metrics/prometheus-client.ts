// The central Prometheus's HTTP API as the metric panes use it: query_range, with a timeout, every
// failure one FlotillaError (unavailable) that says what was asked and why it failed.
import { FlotillaError } from '../../core/errors.js';

export interface PromSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

export interface PrometheusQuery {
  readonly url: string;
  queryRange(expr: string, startS: number, endS: number, stepS: number): Promise<PromSeries[]>;
}

export function prometheusClient(o: { url: string; timeoutMs: number }): PrometheusQuery {
  const base = o.url.replace(/\/+$/, '');
  const fail = (why: string) => new FlotillaError('unavailable', `the central Prometheus at ${base} did not answer a range query: ${why}`, `Check that Prometheus runs at ${base} (metrics.prometheus.url in daemon.yaml); the panes show the daemon's own series meanwhile.`);
  return {
    url: base,
    async queryRange(expr, startS, endS, stepS) {
      const params = new URLSearchParams({ query: expr, start: String(startS), end: String(endS), step: String(stepS) });
      let res: Response;
      try {
        res = await fetch(`${base}/api/v1/query_range`, { method: 'POST', body: params, signal: AbortSignal.timeout(o.timeoutMs) });
      } catch (e) {
        const err = e as Error & { cause?: { code?: string } };
        throw fail(err.name === 'TimeoutError' ? `timed out after ${o.timeoutMs} ms` : (err.cause?.code ?? err.message));
      }
      let body: { status?: string; error?: string; data?: { resultType?: string; result?: PromSeries[] } };
      try {
        body = (await res.json()) as typeof body;
      } catch {
        throw fail(`${res.status} with a body that is not JSON`);
      }
      if (body.status !== 'success' || body.data?.resultType !== 'matrix' || !Array.isArray(body.data.result)) throw fail(`${res.status} ${body.error ?? 'an answer that is not a matrix'}`);
      return body.data.result;
    },
  };
}
