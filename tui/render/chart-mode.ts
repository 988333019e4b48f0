// Which glyphs the console's charts are drawn in. Braille dots need a UTF-8 terminal and a font that
// has them: a locale that is not UTF-8 gets ASCII, the Linux console (whose fonts have block
// elements but no braille) blocks. FLOTILLA_CHARTS=braille|block|ascii forces one. Pure: the
// environment is passed in.
import { FlotillaError } from '../../core/errors.js';
import { CHART_MODES, type ChartMode } from './line-chart.js';

export interface ChartSetting {
  mode: ChartMode;
  /** Set with FLOTILLA_CHARTS rather than guessed from the terminal. */
  forced: boolean;
}

export const CHARTS_ENV = 'FLOTILLA_CHARTS';

/** The locale that decides the character set, as POSIX reads it: LC_ALL, else LC_CTYPE, else LANG. */
function ctypeLocale(env: Readonly<Record<string, string | undefined>>): string {
  for (const name of ['LC_ALL', 'LC_CTYPE', 'LANG']) {
    const v = env[name];
    if (v !== undefined && v !== '') return v;
  }
  return '';
}

export function isUtf8Locale(env: Readonly<Record<string, string | undefined>>): boolean {
  return /utf-?8/i.test(ctypeLocale(env));
}

/** The chart glyphs for this environment; a FLOTILLA_CHARTS that names no mode is a config error saying which do. */
export function chartSetting(env: Readonly<Record<string, string | undefined>>): ChartSetting {
  const forced = env[CHARTS_ENV];
  if (forced !== undefined && forced !== '') {
    const mode = forced.toLowerCase();
    if (!(CHART_MODES as readonly string[]).includes(mode)) {
      throw new FlotillaError('config', `${CHARTS_ENV}="${forced.slice(0, 40)}" is not a chart style`, `Set ${CHARTS_ENV} to ${CHART_MODES.join(', ')}, or unset it to detect one from the locale.`);
    }
    return { mode: mode as ChartMode, forced: true };
  }
  if (!isUtf8Locale(env)) return { mode: 'ascii', forced: false };
  if (env.TERM === 'linux') return { mode: 'block', forced: false };
  return { mode: 'braille', forced: false };
}

/**
 * The mode a chart is drawn in. Overlaid series tell themselves apart by colour, or without colour
 * by ASCII's one glyph a series, so a detected mode gives way to ASCII then; a forced one stays.
 */
export function effectiveChartMode(setting: ChartSetting, color: boolean, seriesCount: number): ChartMode {
  if (!color && seriesCount > 1 && !setting.forced) return 'ascii';
  return setting.mode;
}
