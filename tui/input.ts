// Turns a keypress into a reducer action by looking it up in the keymap for the current context.
// Pure, so key handling is tested without a terminal.
import { keyName, lookupKey, type KeyFlags } from './keymap.js';
import { keyContext, keyRole, reduce, type Action, type AppState } from './state/app.js';

export function actionForKey(state: AppState, input: string, key: KeyFlags): Action | null {
  const context = keyContext(state);
  const name = keyName(input, key);
  if (name === null) return null;
  const binding = lookupKey(name, context, keyRole(state));
  if (binding) return { type: 'key', action: binding.action };
  if ((context === 'filter' || context === 'command' || context === 'dialog') && !key.ctrl && input.length > 0) return { type: 'input/text', text: input };
  return null;
}

/** Control characters that can arrive inside a chunk of typed text, as the key flag they stand for. */
const CONTROL_KEYS: Record<string, keyof KeyFlags> = { '\r': 'return', '\n': 'return', '\t': 'tab', '\x7f': 'backspace', '\b': 'backspace' };

/**
 * Ink hands over everything that arrived in one read as one input: fast typing or a paste gives
 * "/prod" in a single event. Plain text of several characters is taken one key at a time, each
 * against the state the keys before it produced ("/" opens the filter, then "prod" is typed into it).
 */
export function actionsForInput(state: AppState, input: string, key: KeyFlags): Action[] {
  const chars = Array.from(input);
  const plainText = chars.length > 1 && !key.ctrl && !key.meta && !key.escape && !key.return && !key.tab;
  if (!plainText) {
    const action = actionForKey(state, input, key);
    return action ? [action] : [];
  }
  const actions: Action[] = [];
  let current = state;
  for (const ch of chars) {
    const named = CONTROL_KEYS[ch];
    if (named === undefined && ch < ' ') continue; // other control characters mean nothing here
    const action = named ? actionForKey(current, '', { ...key, [named]: true }) : actionForKey(current, ch, key);
    if (!action) continue;
    actions.push(action);
    current = reduce(current, action);
  }
  return actions;
}
