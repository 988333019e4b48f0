import { describe, expect, it } from 'vitest';
import { fit, oneLine } from '../../../../tui/render/text.js';

describe('fit', () => {
  it('truncates with an ellipsis and pads to the width', () => {
    expect(fit('abcdef', 4)).toBe('abc…');
    expect(fit('ab', 4)).toBe('ab  ');
    expect(fit('7', 3, 'right')).toBe('  7');
    expect(fit('abc', 3)).toBe('abc');
  });

  it('collapses the newlines and tabs that would break a one-line cell', () => {
    expect(oneLine('a\nb\r\n\tc')).toBe('a b c');
  });
});
