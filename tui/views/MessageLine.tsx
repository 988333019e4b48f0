import { Text } from 'ink';
import { useTheme } from './theme.js';

export function MessageLine(props: { message: { text: string; level: 'info' | 'error' } | null }) {
  const theme = useTheme();
  if (!props.message) return <Text> </Text>;
  return (
    <Text wrap="truncate" color={props.message.level === 'error' ? theme.error : theme.accent}>
      {props.message.text}
    </Text>
  );
}
