// Colour lives only here. With NO_COLOR every colour is undefined, so views never branch on it.
import { createContext, useContext } from 'react';
import type { Health } from '../../core/fleet.js';
import type { JobState } from '../../core/jobs.js';
import type { LogLevel } from '../../core/logs/record.js';
import { clusterHue } from '../render/log-line.js';

export interface Theme {
  color: boolean;
  health(h: Health): string | undefined;
  jobState(s: JobState): string | undefined;
  level(l: LogLevel): string | undefined;
  /** A cluster's own colour, the same for a name every time. */
  cluster(name: string): string | undefined;
  /** The colour of the i-th series a chart overlays (the i-th cluster of the metrics view). */
  series(i: number): string | undefined;
  accent: string | undefined;
  error: string | undefined;
  warning: string | undefined;
  muted: string | undefined;
}

const HEALTH_COLORS: Record<Health, string> = {
  healthy: 'green',
  degraded: 'yellow',
  critical: 'red',
  unreachable: 'magenta',
  unknown: 'gray',
};

const JOB_STATE_COLORS: Record<JobState, string> = {
  pending: 'gray',
  dispatched: 'blue',
  running: 'cyan',
  succeeded: 'green',
  failed: 'red',
  expired: 'yellow',
  rejected: 'magenta',
  cancelled: 'gray',
};

const LEVEL_COLORS: Record<LogLevel, string | undefined> = {
  trace: 'gray',
  debug: 'gray',
  info: 'green',
  warn: 'yellow',
  error: 'red',
  fatal: 'redBright',
  unknown: undefined,
};

// Overlaid chart series: the first is the accent; red stays for errors and gray for the axes.
const SERIES_COLORS = ['cyan', 'magenta', 'yellow', 'green', 'blue', 'white'] as const;

// Red is kept for errors and gray for what is muted, so no cluster looks like either.
const CLUSTER_COLORS = ['cyan', 'magenta', 'blue', 'green', 'yellow', 'cyanBright', 'magentaBright', 'blueBright', 'greenBright'] as const;

export function makeTheme(color: boolean): Theme {
  return {
    color,
    health: (h) => (color ? HEALTH_COLORS[h] : undefined),
    jobState: (s) => (color ? JOB_STATE_COLORS[s] : undefined),
    level: (l) => (color ? LEVEL_COLORS[l] : undefined),
    cluster: (name) => (color ? CLUSTER_COLORS[clusterHue(name, CLUSTER_COLORS.length)] : undefined),
    series: (i) => (color ? SERIES_COLORS[i % SERIES_COLORS.length] : undefined),
    accent: color ? 'cyan' : undefined,
    error: color ? 'red' : undefined,
    warning: color ? 'yellow' : undefined,
    muted: color ? 'gray' : undefined,
  };
}

/** NO_COLOR with any non-empty value turns colour off (https://no-color.org). */
export function colorEnabled(env: NodeJS.ProcessEnv): boolean {
  return !env.NO_COLOR;
}

export const ThemeContext = createContext<Theme>(makeTheme(true));

export function useTheme(): Theme {
  return useContext(ThemeContext);
}
