// Faults a test injects into the Elasticsearch test server, each counted so the test can wait for and
// check them. Fractions are dealt deterministically (an accumulator, not a random draw): 0.2 is every
// fifth request, so a test never depends on luck.
//
// - bulk429: a fraction of `_bulk` requests answered 429 es_rejected_execution_exception, nothing
//   applied; the ids of their documents are kept (bulk429Ids) so a test can check each was indexed later.
// - item429: a fraction of bulk items answered 429 (the rest of the request is applied); throttle:
//   the items matching a predicate answered 429 for as long as it is set.
// - reject: records matching a predicate answered with an item-level 400 document_parsing_exception.
// - resets: a fraction of matching requests have their connection reset (TCP RST), either before the
//   request is applied or after (applied, then no answer: the case a client cannot tell from the first).

export interface BulkItemView {
  index: string;
  id: string | undefined;
  source: Record<string, unknown>;
}

export interface ResetRule {
  fraction: number;
  when: 'before' | 'after';
  /** Which requests may be reset (default: every `_bulk`). */
  match?: (method: string, path: string) => boolean;
}

class Dealer {
  private acc = 0;

  constructor(public fraction = 0) {}

  /** True for `fraction` of the calls, evenly spread. */
  deal(): boolean {
    if (this.fraction <= 0) return false;
    this.acc += this.fraction;
    if (this.acc >= 1 - 1e-9) {
      this.acc -= 1;
      return true;
    }
    return false;
  }
}

export class Faults {
  private readonly bulk429Dealer = new Dealer();
  private readonly item429Dealer = new Dealer();
  private readonly resetDealer = new Dealer();
  private resetRule: ResetRule | null = null;
  private resetBudget = 0;
  reject: ((item: BulkItemView) => boolean) | null = null;
  throttle: ((item: BulkItemView) => boolean) | null = null;
  readonly counts = { bulk429: 0, item429: 0, rejected: 0, resets: 0, bulkRequests: 0 };

  set bulk429(fraction: number) {
    this.bulk429Dealer.fraction = fraction;
  }

  set item429(fraction: number) {
    this.item429Dealer.fraction = fraction;
  }

  /** Resets a fraction of matching requests from now on (fraction 0 stops). */
  resets(rule: ResetRule | null): void {
    this.resetRule = rule;
    this.resetDealer.fraction = rule?.fraction ?? 0;
    this.resetBudget = Number.POSITIVE_INFINITY;
  }

  /** Resets exactly the next n matching requests. */
  resetNext(n: number, when: 'before' | 'after', match?: ResetRule['match']): void {
    this.resetRule = { fraction: 1, when, ...(match ? { match } : {}) };
    this.resetDealer.fraction = 1;
    this.resetBudget = n;
  }

  clear(): void {
    this.bulk429 = 0;
    this.item429 = 0;
    this.reject = null;
    this.throttle = null;
    this.resets(null);
  }

  /** Whether to reset this request, and when. */
  resetFor(method: string, path: string): 'before' | 'after' | null {
    const r = this.resetRule;
    if (!r || this.resetBudget <= 0) return null;
    const matches = r.match ? r.match(method, path) : path.endsWith('/_bulk');
    if (!matches || !this.resetDealer.deal()) return null;
    this.resetBudget--;
    this.counts.resets++;
    return r.when;
  }

  /** The ids of every document in a bulk request answered 429 whole, once each. */
  readonly bulk429Ids = new Set<string>();

  bulkRefused(ids?: () => string[]): boolean {
    this.counts.bulkRequests++;
    if (!this.bulk429Dealer.deal()) return false;
    this.counts.bulk429++;
    for (const id of ids?.() ?? []) this.bulk429Ids.add(id);
    return true;
  }

  itemRefused(item: BulkItemView): boolean {
    if (!this.throttle?.(item) && !this.item429Dealer.deal()) return false;
    this.counts.item429++;
    return true;
  }

  itemRejected(item: BulkItemView): boolean {
    if (!this.reject?.(item)) return false;
    this.counts.rejected++;
    return true;
  }
}
