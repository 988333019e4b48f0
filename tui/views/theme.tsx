// Colour lives only here. With NO_COLOR every colour is undefined, so views never branch on it.
import { createContext, useContext } from 'react';
import type { Health } from '../../core/fleet.js';
import type { JobState } from '../../core/jobs.js';

export interface Theme {
  color: boolean;
  health(h: Health): string | undefined;
  jobState(s: JobState): string | undefined;
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

export function makeTheme(color: boolean): Theme {
  return {
    color,
    health: (h) => (color ? HEALTH_COLORS[h] : undefined),
    jobState: (s) => (color ? JOB_STATE_COLORS[s] : undefined),
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
