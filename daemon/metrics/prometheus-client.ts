// The central Prometheus's HTTP API as the metric panes use it: query_range for the series, an instant
// query for the edges' `up`; a timeout; every failure one FlotillaError (unavailable) that says what
// was asked and why it failed.
import { FlotillaError } from '../../core/errors.js';

export interface PromSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface PrometheusQuery {
  readonly url: string;
  queryRange(expr: string, startS: number, endS: number, stepS: number): Promise<PromSeries[]>;
  query(expr: string, timeS: number): Promise<PromSample[]>;
}

type Answer = { status?: string; error?: string; data?: { resultType?: string; result?: unknown } };

export function prometheusClient(o: { url: string; timeoutMs: number }): PrometheusQuery {
  const base = o.url.replace(/\/+$/, '');
  // Not which query: the panes ask several at once, and the first to fail is a matter of timing.
  const fail = (why: string) => new FlotillaError('unavailable', `the central Prometheus at ${base} did not answer: ${why}`, `Check that Prometheus runs at ${base} (metrics.prometheus.url in daemon.yaml); the panes show the daemon's own series meanwhile.`);
  async function ask<T>(path: string, params: URLSearchParams, resultType: string): Promise<T[]> {
    let res: Response;
    try {
      res = await fetch(`${base}/api/v1/${path}`, { method: 'POST', body: params, signal: AbortSignal.timeout(o.timeoutMs) });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      throw fail(err.name === 'TimeoutError' ? `timed out after ${o.timeoutMs} ms` : (err.cause?.code ?? err.message));
    }
    let body: Answer;
    try {
      body = (await res.json()) as Answer;
    } catch {
      throw fail(`${res.status} with a body that is not JSON`);
    }
    if (body.status !== 'success' || body.data?.resultType !== resultType || !Array.isArray(body.data.result)) throw fail(`${res.status} ${body.error ?? `an answer that is not a ${resultType}`}`);
    return body.data.result as T[];
  }
  return {
    url: base,
    queryRange: (expr, startS, endS, stepS) => ask<PromSeries>('query_range', new URLSearchParams({ query: expr, start: String(startS), end: String(endS), step: String(stepS) }), 'matrix'),
    query: (expr, timeS) => ask<PromSample>('query', new URLSearchParams({ query: expr, time: String(timeS) }), 'vector'),
  };
}
