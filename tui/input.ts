// Turns a keypress into a reducer action by looking it up in the keymap for the current context.
// Pure, so key handling is tested without a terminal.
import { keyName, lookupKey, type KeyFlags } from './keymap.js';
import { keyContext, type Action, type AppState } from './state/app.js';

export function actionForKey(state: AppState, input: string, key: KeyFlags): Action | null {
  const context = keyContext(state);
  const name = keyName(input, key);
  if (name === null) return null;
  const binding = lookupKey(name, context);
  if (binding) return { type: 'key', action: binding.action };
  if ((context === 'filter' || context === 'command') && !key.ctrl && input.length > 0) return { type: 'input/text', text: input };
  return null;
}
