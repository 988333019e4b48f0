import { Text } from 'ink';
import { MIN_COLUMNS, MIN_ROWS } from '../state/layout.js';

export function TooSmall(props: { columns: number; rows: number }) {
  return (
    <Text wrap="wrap">
      terminal too small ({props.columns}×{props.rows}); needs at least {MIN_COLUMNS}×{MIN_ROWS}
    </Text>
  );
}
