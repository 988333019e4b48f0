// The console's filter globs (`name:prod-*`, `cluster:eu-?`): `*` any run, `?` one character, the
// rest literal, case-insensitive, anchored at both ends. Pure.
export function globToRegExp(glob: string): RegExp {
  const body = [...glob].map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, 'i');
}
