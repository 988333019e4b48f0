// Sends the calls the reducer queued (job.submit, job.cancel), each exactly once, and dispatches the
// daemon's answer back into the store. The only place where a keypress turns into a request.
import type { CallOutcome } from './state/calls.js';
import type { Store } from './state/store.js';

export interface CallSender {
  call(method: string, params: Record<string, unknown>): Promise<CallOutcome>;
}

export function runQueuedCalls(store: Store, sender: CallSender): () => void {
  // Keys only grow, and dispatching call/sent re-enters drain through the subscription: the highest
  // key taken is what keeps the outer loop from sending what the inner one already sent.
  let taken = 0;
  const drain = (): void => {
    for (const queued of store.getState().calls) {
      if (queued.key <= taken) continue;
      taken = queued.key;
      store.dispatch({ type: 'call/sent', key: queued.key });
      const { params: _params, ...call } = queued;
      void sender.call(queued.method, queued.params).then((outcome) => store.dispatch({ type: 'call/done', call, outcome }));
    }
  };
  drain();
  return store.subscribe(drain);
}
