// The confirmation dialog: what will happen, the value being typed, and for a destructive job the word
// that must be typed back. Keys reach it through the keymap's `dialog` context.
import { Box, Text } from 'ink';
import { blastRows } from '../render/blast-rows.js';
import { confirmationWord, type DialogState } from '../state/action-dialog.js';
import { useTheme } from './theme.js';

export function ActionDialog(props: { dialog: DialogState; width: number; height: number }) {
  const theme = useTheme();
  const { dialog } = props;
  const { spec } = dialog;
  const word = confirmationWord(spec);
  const width = Math.min(props.width, 100);
  const where = spec.target.kind === 'fleet' ? `${spec.target.clusters.length} clusters matching ${spec.target.selector}` : spec.target.cluster;
  let prompt: string;
  let typed: string | null;
  if (dialog.step === 'field' && spec.field) {
    prompt = `${spec.field.label}: `;
    typed = dialog.fieldText;
  } else if (word !== null) {
    prompt = spec.target.kind === 'cluster' ? `Destructive. Type the cluster name (${word}) to confirm: ` : `Destructive. Type the number of clusters (${word}) to confirm: `;
    typed = dialog.typed;
  } else {
    prompt = 'Press enter to submit, esc to leave.';
    typed = null;
  }
  // Border, title, target, blast header, prompt and a line kept for an error; the rest lists clusters.
  const inner = width - 4;
  const textLines = spec.lines.reduce((n, line) => n + Math.max(1, Math.ceil(line.length / Math.max(1, inner))), 0);
  const blast = spec.blast ? blastRows(spec.blast, props.height - 6 - textLines, inner) : null;
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={word !== null ? theme.error : theme.accent} width={width} paddingX={1}>
      <Text bold wrap="truncate">
        {spec.title.charAt(0).toUpperCase() + spec.title.slice(1)}
      </Text>
      <Text wrap="truncate" color={theme.muted}>
        {`target: ${where}`}
      </Text>
      {spec.lines.map((line, i) => (
        <Text key={i} wrap="wrap">
          {line}
        </Text>
      ))}
      {blast !== null && (
        <Text bold wrap="truncate">
          Blast radius (from each cluster's latest status):
        </Text>
      )}
      {blast?.map((row, i) => (
        <Text key={`b${i}`} wrap="truncate" color={row.warning ? theme.warning : undefined}>
          {row.text}
        </Text>
      ))}
      {blast === null && spec.target.kind === 'fleet' && (
        <Text wrap="truncate" color={theme.muted}>
          {spec.target.clusters.slice(0, 8).join(', ')}
          {spec.target.clusters.length > 8 ? ` +${spec.target.clusters.length - 8} more` : ''}
        </Text>
      )}
      <Text wrap="truncate">
        <Text bold color={word !== null ? theme.error : theme.accent}>
          {prompt}
        </Text>
        {typed !== null && (
          <>
            {typed}
            <Text inverse> </Text>
          </>
        )}
      </Text>
      {dialog.error !== null && (
        <Text wrap="truncate" color={theme.error}>
          {dialog.error}
        </Text>
      )}
    </Box>
  );
}
