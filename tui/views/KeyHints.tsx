// Key hints as one styled run of text ("enter open  / filter …"): the footer, the jobs title and
// the cluster sections all show them the same way, from the keymap table.
import { Text } from 'ink';
import { useTheme } from './theme.js';

export function KeyHints(props: { hints: readonly { keys: string; description: string }[]; leading?: boolean; boldKeys?: boolean }) {
  const theme = useTheme();
  return (
    <>
      {props.hints.map((h, i) => (
        <Text key={h.keys} bold={false}>
          {i > 0 || props.leading ? '  ' : ''}
          <Text bold={props.boldKeys ?? false} color={theme.accent}>
            {h.keys}
          </Text>{' '}
          <Text color={theme.muted}>{h.description}</Text>
        </Text>
      ))}
    </>
  );
}
