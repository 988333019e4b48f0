// Which glyphs the charts use: braille in a UTF-8 locale, ASCII outside one, blocks on the Linux
// console, whatever FLOTILLA_CHARTS says when it is set (and a config error when it names no style);
// overlaid series without colour fall back to ASCII's glyphs unless the style was forced.
import { describe, expect, it } from 'vitest';
import { isFlotillaError } from '../../../../core/errors.js';
import { chartSetting, effectiveChartMode, isUtf8Locale } from '../../../../tui/render/chart-mode.js';

describe('chart style', () => {
  it('reads the locale as POSIX does: LC_ALL, then LC_CTYPE, then LANG', () => {
    expect(isUtf8Locale({ LANG: 'en_US.UTF-8' })).toBe(true);
    expect(isUtf8Locale({ LANG: 'C.utf8' })).toBe(true);
    expect(isUtf8Locale({ LC_ALL: 'C', LANG: 'en_US.UTF-8' })).toBe(false);
    expect(isUtf8Locale({ LC_ALL: '', LC_CTYPE: 'de_DE.UTF-8', LANG: 'C' })).toBe(true);
    expect(isUtf8Locale({ LANG: 'en_US.ISO-8859-1' })).toBe(false);
    expect(isUtf8Locale({})).toBe(false);
  });

  it('detects braille in UTF-8, ASCII without it, and blocks on the Linux console', () => {
    expect(chartSetting({ LANG: 'en_US.UTF-8', TERM: 'xterm-256color' })).toEqual({ mode: 'braille', forced: false });
    expect(chartSetting({ LANG: 'C', TERM: 'xterm' })).toEqual({ mode: 'ascii', forced: false });
    expect(chartSetting({})).toEqual({ mode: 'ascii', forced: false });
    expect(chartSetting({ LANG: 'C.UTF-8', TERM: 'linux' })).toEqual({ mode: 'block', forced: false });
  });

  it('takes FLOTILLA_CHARTS over the detection, in any case', () => {
    expect(chartSetting({ FLOTILLA_CHARTS: 'block', LANG: 'C' })).toEqual({ mode: 'block', forced: true });
    expect(chartSetting({ FLOTILLA_CHARTS: 'ASCII', LANG: 'C.UTF-8' })).toEqual({ mode: 'ascii', forced: true });
    expect(chartSetting({ FLOTILLA_CHARTS: 'braille', TERM: 'linux' })).toEqual({ mode: 'braille', forced: true });
    expect(chartSetting({ FLOTILLA_CHARTS: '', LANG: 'C.UTF-8' })).toEqual({ mode: 'braille', forced: false });
  });

  it('refuses a FLOTILLA_CHARTS that names no style, saying which do', () => {
    let error: unknown;
    try {
      chartSetting({ FLOTILLA_CHARTS: 'fancy' });
    } catch (e) {
      error = e;
    }
    expect(isFlotillaError(error) && error.kind).toBe('config');
    expect(String((error as Error).message)).toContain('FLOTILLA_CHARTS="fancy"');
    expect(isFlotillaError(error) && error.next).toContain('braille, block, ascii');
  });

  it('draws overlaid series in ASCII without colour unless a style was forced', () => {
    const detected = { mode: 'braille' as const, forced: false };
    expect(effectiveChartMode(detected, true, 3)).toBe('braille');
    expect(effectiveChartMode(detected, false, 1)).toBe('braille');
    expect(effectiveChartMode(detected, false, 2)).toBe('ascii');
    expect(effectiveChartMode({ mode: 'block', forced: true }, false, 2)).toBe('block');
  });
});
