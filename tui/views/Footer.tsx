import { Text } from 'ink';
import type { Role } from '../../core/roles.js';
import { hintsFor, type KeyContext } from '../keymap.js';
import { KeyHints } from './KeyHints.js';

export function Footer(props: { context: KeyContext; role: Role }) {
  const hints = hintsFor(props.context, props.role);
  return (
    <Text wrap="truncate">
      <KeyHints hints={hints} boldKeys />
    </Text>
  );
}
