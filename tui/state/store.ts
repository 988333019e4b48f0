// A minimal external store so the WebSocket client, the clock and the keyboard can all dispatch
// into one reducer, and React reads it with useSyncExternalStore.
import { reduce, type Action, type AppState } from './app.js';

export interface Store {
  getState: (this: void) => AppState;
  dispatch: (this: void, action: Action) => void;
  subscribe: (this: void, listener: () => void) => () => void;
}

export function createStore(initial: AppState): Store {
  let state = initial;
  const listeners = new Set<() => void>();
  return {
    getState: () => state,
    dispatch(action) {
      const next = reduce(state, action);
      if (next === state) return;
      state = next;
      for (const l of [...listeners]) l();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
