// How a failed call to RabbitMQ's management HTTP API becomes one FlotillaError: the kind follows the
// status (and for a 400, the broker's reason), the message names the broker and what was asked, and
// the next step says what to check. Pure: the adapter hands in what it saw.
import { FlotillaError } from '../errors.js';

export interface ManagementFailure {
  /** The broker's management URL, without credentials. */
  url: string;
  /** What was asked, e.g. "declare queue flotilla.logs.outbox in vhost /". */
  op: string;
  /** The HTTP status, or undefined when no answer came (refused, reset, timed out). */
  status?: number;
  /** The broker's `reason` (or `error`) field, or the transport error's message. */
  reason: string;
}

/** RabbitMQ answers a redeclaration with other arguments or properties with 400 and this wording. */
const INEQUIVALENT = /inequivalent arg|PRECONDITION_FAILED/i;

/** Node's TLS verification failures: the broker answered with a certificate this process does not trust. */
const UNTRUSTED = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS_CERT|certificate/i;

/** Hides the password of any AMQP URI in a text (a shovel refused for its dest-uri may quote it back). */
export function redactUris(text: string): string {
  return text.replace(/(amqps?:\/\/[^:/@\s"]*:)[^@\s"]*@/g, '$1***@');
}

export function managementError(failure: ManagementFailure): FlotillaError {
  const f = { ...failure, reason: redactUris(failure.reason) };
  const where = `RabbitMQ management API at ${f.url}`;
  const details = { url: f.url, op: f.op, ...(f.status === undefined ? {} : { status: f.status }), reason: f.reason };
  const make = (kind: ConstructorParameters<typeof FlotillaError>[0], message: string, next: string) => new FlotillaError(kind, message, next, { details });
  if (f.status === undefined && UNTRUSTED.test(f.reason)) {
    return make('config', `${where} presented a certificate this host does not trust (${f.op}): ${f.reason}`, "Point caFile (logs.rabbitmq.caFile in daemon.yaml, logs.edge.caFile in the agent bundle) at the PEM CA that signed the broker's certificate.");
  }
  if (f.status === undefined) {
    return make('unavailable', `${where} did not answer (${f.op}): ${f.reason}`, `Check that the broker runs and its management plugin listens at ${f.url} (rabbitmq-plugins enable rabbitmq_management).`);
  }
  const said = `${where} refused to ${f.op}: ${f.status} ${f.reason}`;
  switch (f.status) {
    case 401:
      return make('unauthenticated', said, `Check the management user and password for ${f.url}; the user needs the administrator tag.`);
    case 403:
      return make('forbidden', said, 'Give the management user the administrator tag, or permissions on the vhost.');
    case 404:
      return make('not_found', `${where} has no such object (${f.op}): ${f.reason}`, 'Create the vhost (and the exchange or queue it names) first, or check the name.');
    case 400:
      if (INEQUIVALENT.test(f.reason)) {
        return make('conflict', said, 'It exists with other properties or arguments: drain and delete it, or declare it as it is.');
      }
      return make('usage', said, 'The broker refused the definition; fix the field its reason names.');
    case 503:
      return make('retry', said, 'The broker is starting, stopping or in an alarm; try again shortly.');
    default:
      if (f.status >= 500) return make('unavailable', said, `Read the broker's log; the management API at ${f.url} failed on its side.`);
      return make('usage', said, 'The broker refused the request as sent; fix the field its reason names.');
  }
}
