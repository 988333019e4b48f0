// One way to say what is wrong with a value that failed its zod schema: where the first problem is
// and what it is, e.g. "params.replicas: Too big: expected number to be <=1000". Pure; every part
// that validates untrusted input words its refusals with it.

export interface SchemaIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** Longest text returned: a message can quote untrusted input (an unknown key, say). */
export const MAX_ISSUE_TEXT = 400;

/** The dotted key path of an issue; `root` names the value itself when the problem is at its top. */
export function issuePath(path: readonly PropertyKey[], root = '(top level)'): string {
  return path.length > 0 ? path.map(String).join('.') : root;
}

/** "key.path: message" for the first issue of a failed parse (zod's `error`). */
export function firstIssue(error: { readonly issues: readonly SchemaIssue[] }, root = '(top level)'): string {
  const issue = error.issues[0];
  const text = issue ? `${issuePath(issue.path, root)}: ${issue.message}` : `${root}: does not match the schema`;
  return text.length > MAX_ISSUE_TEXT ? `${text.slice(0, MAX_ISSUE_TEXT - 1)}…` : text;
}
