// How one sink write of several ingest batches (a group commit) is told back to each batch: a record
// counts as stored for the first batch that carried its id, a refused one as rejected, the rest as
// duplicates (already stored, or carried twice). Pure.

export interface BatchShare {
  stored: number;
  duplicates: number;
  rejected: number;
}

function tally(ids: Iterable<string>): Map<string, number> {
  const m = new Map<string, number>();
  for (const id of ids) m.set(id, (m.get(id) ?? 0) + 1);
  return m;
}

function take(m: Map<string, number>, id: string): boolean {
  const n = m.get(id);
  if (!n) return false;
  m.set(id, n - 1);
  return true;
}

export function shareOfEachBatch(batches: readonly { records: readonly { id: string }[] }[], written: { stored: readonly { id: string }[]; rejected?: readonly { id: string }[] }): BatchShare[] {
  const stored = tally(written.stored.map((r) => r.id));
  const rejected = tally((written.rejected ?? []).map((r) => r.id));
  return batches.map((b) => {
    const share = { stored: 0, duplicates: 0, rejected: 0 };
    for (const r of b.records) {
      if (take(stored, r.id)) share.stored++;
      else if (take(rejected, r.id)) share.rejected++;
      else share.duplicates++;
    }
    return share;
  });
}
