// The live root: reads the store, feeds keypresses through the keymap into it.
import { useInput } from 'ink';
import { useCallback, useMemo, useSyncExternalStore } from 'react';
import { actionsForInput } from '../input.js';
import type { ChartSetting } from '../render/chart-mode.js';
import type { Store } from '../state/store.js';
import { App } from './App.js';
import { ChartContext } from './metrics/chart-context.js';
import { makeTheme, ThemeContext } from './theme.js';

const DETECTED_BRAILLE: ChartSetting = { mode: 'braille', forced: false };

export function Console(props: { store: Store; color: boolean; charts?: ChartSetting }) {
  const { store } = props;
  const state = useSyncExternalStore(store.subscribe, store.getState);
  const onInput = useCallback(
    (input: string, key: Parameters<Parameters<typeof useInput>[0]>[1]) => {
      for (const action of actionsForInput(store.getState(), input, key)) store.dispatch(action);
    },
    [store],
  );
  useInput(onInput);
  const theme = useMemo(() => makeTheme(props.color), [props.color]);
  return (
    <ThemeContext.Provider value={theme}>
      <ChartContext.Provider value={props.charts ?? DETECTED_BRAILLE}>
        <App state={state} />
      </ChartContext.Provider>
    </ThemeContext.Provider>
  );
}
