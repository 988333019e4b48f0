// The pipeline topic polls its source only while someone is subscribed: a snapshot reads every
// cluster's recent drops from the registry.
import { describe, expect, it, vi } from 'vitest';
import { pipelineSnapshot } from '../../../../daemon/logs/pipeline-model.js';
import { pipelineTopic } from '../../../../daemon/logs/pipeline-topic.js';

describe('pipeline topic', () => {
  it('builds no snapshot while nobody is subscribed', () => {
    vi.useFakeTimers();
    try {
      const source = vi.fn((nowMs: number) => pipelineSnapshot([], nowMs));
      const topic = pipelineTopic(source, () => null, 10);
      vi.advanceTimersByTime(100);
      expect(source).not.toHaveBeenCalled();
      expect(topic.hasSubscribers()).toBe(false);
      topic.close();
    } finally {
      vi.useRealTimers();
    }
  });
});
