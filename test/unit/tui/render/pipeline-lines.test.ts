import { describe, expect, it } from 'vitest';
import { offFigures } from '../../../../agent/logs/figures.js';
import type { PipelineFigures } from '../../../../core/status.js';
import { pipelineLines } from '../../../../tui/render/pipeline-lines.js';
import { DETAIL } from '../helpers.js';

const shipping: PipelineFigures = { ...offFigures(), transport: 'daemon', linesReadPerSecond: 12_345, linesShippedPerSecond: 812.4, bytesBehind: 1536, oldestUnshippedSeconds: 125, sources: 3 };

describe('pipeline lines', () => {
  it('shows how logs ship, and that nothing was dropped', () => {
    expect(pipelineLines(shipping)).toEqual({ summary: 'Logs  daemon  read 12k/s  shipped 812/s  behind 1.5 KiB  oldest 2m 5s', detail: '3 sources, nothing dropped', tone: 'ok' });
  });

  it('lists drops, refusals and the last error, the error last and in the error tone', () => {
    const l = pipelineLines(DETAIL.pipeline);
    expect(l.summary).toBe('Logs  daemon  read 813/s  shipped 790/s  behind 5.0 MiB  oldest 4s');
    expect(l.detail).toBe('dropped 3 lines (2.0 KiB) · 1 source refused · last error: cannot reach the daemon at https://flotilla:7420: ECONNREFUSED');
    expect(l.tone).toBe('error');
  });

  it('names the first refused source when there is no error', () => {
    const l = pipelineLines({ ...shipping, refusedSources: { count: 2400, listed: [{ path: '/var/log/pods/a/b/0.log', reason: 'over logs.maxFiles (2000)' }] } });
    expect(l.detail).toBe('2400 sources refused (/var/log/pods/a/b/0.log: over logs.maxFiles (2000))');
    expect(l.tone).toBe('warning');
  });

  it('says logs are off, or that there is no report yet', () => {
    expect(pipelineLines(offFigures()).summary).toBe('Logs  off');
    expect(pipelineLines(null)).toMatchObject({ summary: 'Logs  no report yet', tone: 'muted' });
  });

  it('shows what an agent older than log shipping reports', () => {
    expect(pipelineLines({ queueDepth: 12, oldestUnshippedSeconds: 3, dropped: 0 })).toEqual({ summary: 'Logs  pipeline  queued 12  oldest 3s', detail: 'nothing dropped', tone: 'ok' });
  });
});
