import { Text } from 'ink';
import type { Role } from '../../core/roles.js';
import { hintsFor, type KeyContext } from '../keymap.js';
import { useTheme } from './theme.js';

export function Footer(props: { context: KeyContext; role: Role }) {
  const theme = useTheme();
  const hints = hintsFor(props.context, props.role);
  return (
    <Text wrap="truncate">
      {hints.map((h, i) => (
        <Text key={h.keys}>
          {i > 0 ? '  ' : ''}
          <Text bold color={theme.accent}>
            {h.keys}
          </Text>{' '}
          <Text color={theme.muted}>{h.description}</Text>
        </Text>
      ))}
    </Text>
  );
}
