import { describe, expect, it } from 'vitest';
import { keepInView } from '../../../../tui/state/layout.js';

describe('keepInView', () => {
  it('keeps the cursor inside the list and the page around it', () => {
    expect(keepInView(5, 0, 100, 10)).toEqual({ cursor: 5, scroll: 0 });
    expect(keepInView(15, 0, 100, 10)).toEqual({ cursor: 15, scroll: 6 });
    expect(keepInView(3, 20, 100, 10)).toEqual({ cursor: 3, scroll: 3 });
    expect(keepInView(500, 0, 100, 10)).toEqual({ cursor: 99, scroll: 90 });
    expect(keepInView(-4, 7, 100, 10)).toEqual({ cursor: 0, scroll: 0 });
  });

  it('never scrolls past the end, and rests at the top of a short or empty list', () => {
    expect(keepInView(4, 50, 8, 10)).toEqual({ cursor: 4, scroll: 0 });
    expect(keepInView(0, 3, 0, 10)).toEqual({ cursor: 0, scroll: 0 });
  });
});
