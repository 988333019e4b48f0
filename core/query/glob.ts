// Anchored `*` globs for the live matcher, without regular expressions: the pattern is split at its
// stars; the first piece must start the text, the last must end it, and each middle piece is found
// leftmost after the previous one. Leftmost is always right for `*`-only globs, so there is no
// backtracking and the cost is one scan per piece, whatever the pattern (`*a*a*a*b` included).

export type StringMatcher = (text: string) => boolean;

export function compileGlob(pattern: string): StringMatcher {
  const pieces = pattern.split('*');
  if (pieces.length === 1) return (text) => text === pattern;
  const first = pieces[0] as string;
  const last = pieces[pieces.length - 1] as string;
  const middle = pieces.slice(1, -1).filter((p) => p.length > 0);
  const fixed = first.length + last.length;
  return (text) => {
    if (text.length < fixed || !text.startsWith(first) || !text.endsWith(last)) return false;
    let at = first.length;
    const end = text.length - last.length;
    for (const piece of middle) {
      const found = text.indexOf(piece, at);
      if (found < 0 || found + piece.length > end) return false;
      at = found + piece.length;
    }
    return true;
  };
}
