// The pipeline view's filter language: words, cluster: globs, health: and transport: terms.
import { describe, expect, it } from 'vitest';
import { matchesPipelineFilter, parsePipelineFilter, pipelineFilterProblems, selectVisiblePipelineRows } from '../../../../tui/state/pipeline.js';
import { PIPELINE } from '../pipeline-helpers.js';

const shown = (filter: string) => selectVisiblePipelineRows(PIPELINE.rows, filter).map((r) => r.cluster);

describe('pipeline filter', () => {
  it('matches words against the cluster name, any case, and keeps the daemon order', () => {
    expect(shown('PROD')).toEqual(['prod-us-1', 'prod-eu-2', 'prod-eu-1']);
    expect(shown('')).toEqual(PIPELINE.rows.map((r) => r.cluster));
  });

  it('narrows by health, transport and cluster glob, every term together', () => {
    expect(shown('health:degraded')).toEqual(['prod-eu-2', 'staging-us-1']);
    expect(shown('transport:rabbitmq')).toEqual(['prod-us-1', 'prod-eu-2']);
    expect(shown('transport:rabbitmq health:critical')).toEqual(['prod-us-1']);
    expect(shown('cluster:prod-eu-*')).toEqual(['prod-eu-2', 'prod-eu-1']);
    expect(shown('transport:off')).toEqual(['dev-1']);
  });

  it('reports a health or transport that can match nothing', () => {
    expect(pipelineFilterProblems('health:sick transport:kafka prod')).toEqual([
      'unknown health "sick" (use critical, degraded, unknown, healthy)',
      'unknown transport "kafka" (use daemon, rabbitmq, off)',
    ]);
    expect(pipelineFilterProblems('health:Critical transport:daemon')).toEqual([]);
  });

  it('treats a term with nothing after the colon as a word', () => {
    expect(parsePipelineFilter('health:')).toEqual([{ kind: 'word', text: 'health:' }]);
    expect(matchesPipelineFilter(parsePipelineFilter('health:'), PIPELINE.rows[0]!)).toBe(false);
  });

  it('returns the same list while neither the snapshot nor the filter changed', () => {
    expect(selectVisiblePipelineRows(PIPELINE.rows, 'prod')).toBe(selectVisiblePipelineRows(PIPELINE.rows, 'prod'));
    expect(selectVisiblePipelineRows(PIPELINE.rows, '')).toBe(PIPELINE.rows);
  });
});
