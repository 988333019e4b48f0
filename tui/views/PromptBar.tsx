// The filter bar ("/text") and the command bar (":text"); shows the kept filter when not typing.
import { Text } from 'ink';
import type { InputState } from '../state/app.js';
import { useTheme } from './theme.js';

export function PromptBar(props: { input: InputState | null; filter: { text: string; shown: number; total: number; hint: string } | null }) {
  const theme = useTheme();
  const { filter } = props;
  if (props.input) {
    return (
      <Text wrap="truncate">
        <Text bold color={theme.accent}>
          {props.input.mode === 'filter' ? '/' : ':'}
        </Text>
        {props.input.text}
        <Text inverse> </Text>
        {props.input.mode === 'filter' && filter && <Text color={theme.muted}>{`  ${filter.shown} of ${filter.total}`}</Text>}
      </Text>
    );
  }
  if (filter && filter.text.length > 0) {
    return (
      <Text wrap="truncate" color={theme.muted}>
        /{filter.text}
        {`  ${filter.shown} of ${filter.total} · ${filter.hint}`}
      </Text>
    );
  }
  return <Text> </Text>;
}
