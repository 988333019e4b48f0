// The filter bar ("/text") and the command bar (":text"); shows the kept filter when not typing.
import { Text } from 'ink';
import type { InputState } from '../state/app.js';
import { useTheme } from './theme.js';

export function PromptBar(props: { input: InputState | null; filter: string; shown: number; total: number }) {
  const theme = useTheme();
  if (props.input) {
    return (
      <Text wrap="truncate">
        <Text bold color={theme.accent}>
          {props.input.mode === 'filter' ? '/' : ':'}
        </Text>
        {props.input.text}
        <Text inverse> </Text>
        {props.input.mode === 'filter' && <Text color={theme.muted}>{`  ${props.shown} of ${props.total}`}</Text>}
      </Text>
    );
  }
  if (props.filter.length > 0) {
    return (
      <Text wrap="truncate" color={theme.muted}>
        /{props.filter}
        {`  ${props.shown} of ${props.total} · esc clears`}
      </Text>
    );
  }
  return <Text> </Text>;
}
