// The chart glyphs the console was started with (tui/render/chart-mode.ts), handed to the metrics
// view's charts the way the theme hands out colour; tests set it to draw any mode.
import { createContext, useContext } from 'react';
import type { ChartSetting } from '../../render/chart-mode.js';

export const ChartContext = createContext<ChartSetting>({ mode: 'braille', forced: false });

export function useChartSetting(): ChartSetting {
  return useContext(ChartContext);
}
