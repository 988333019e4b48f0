import { Text } from 'ink';
import { useTheme } from './theme.js';

export function StaleBanner(props: { text: string }) {
  const theme = useTheme();
  return (
    <Text wrap="truncate" bold color={theme.warning}>
      {props.text}
    </Text>
  );
}
