// `flotilla metrics query` as text: the sparkline's scale and gaps, and a series with no points.
import { describe, expect, it } from 'vitest';
import { metricsText, sparkline } from '../../../cli/metrics-format.js';

describe('metrics text', () => {
  it('draws the values on their own scale, a gap as a space, a flat line at the bottom', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([5, null, 5])).toBe('▁ ▁');
    expect(sparkline([null, null])).toBe('  ');
  });

  it('prints each series\' last, min and max, its sparkline and its points, and says when there are none', () => {
    const text = metricsText({
      cluster: 'a',
      start: '2026-12-03T10:00:00.000Z',
      end: '2026-12-03T10:02:00.000Z',
      stepSeconds: 60,
      source: 'embedded',
      resolution: '1m',
      series: [
        { name: 'nodes_ready', unit: 'count', points: [[Date.parse('2026-12-03T10:00:00Z'), 2, 3], [Date.parse('2026-12-03T10:01:00Z'), null, null], [Date.parse('2026-12-03T10:02:00Z'), 4, 4]] },
        { name: 'failed_jobs', unit: 'count', points: [[Date.parse('2026-12-03T10:00:00Z'), null, null]] },
      ],
    });
    expect(text.split('\n')).toEqual([
      'a  2026-12-03T10:00:00.000Z .. 2026-12-03T10:02:00.000Z  step 60s  (embedded, 1m)',
      '',
      'nodes_ready (count)  last 4  min 2  max 4',
      '  ▁ █',
      'TIME                      VALUE  MAX',
      '2026-12-03T10:00:00.000Z  2      3',
      '2026-12-03T10:02:00.000Z  4      4',
      '',
      'failed_jobs (count)  last -  min -  max -',
      '   ',
      '  no points in this range: the cluster has not reported in it (or the daemon kept none this old)',
      '',
    ]);
  });
});
