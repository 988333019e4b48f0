// Kubernetes API failures as FlotillaErrors with a next step. The API answers with a Status object;
// its message says what went wrong, the code says what the operator can do about it.
import { ApiException } from '@kubernetes/client-node';
import { FlotillaError } from '../../core/errors.js';

interface StatusBody {
  message?: string;
  reason?: string;
  details?: { causes?: { message?: string }[] };
}

function statusOf(body: unknown): StatusBody {
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as StatusBody;
    } catch {
      return { message: body };
    }
  }
  return typeof body === 'object' && body !== null ? (body) : {};
}

export function httpCode(e: unknown): number | undefined {
  return e instanceof ApiException ? e.code : undefined;
}

/** `verb` and `resource` name the RBAC permission the call needs (e.g. "patch", "nodes"). */
export function kubeError(e: unknown, verb: string, resource: string, what: string): FlotillaError {
  if (e instanceof FlotillaError) return e;
  if (e instanceof ApiException) {
    const status = statusOf(e.body);
    const causes = (status.details?.causes ?? []).map((c) => c.message).filter((m) => m !== undefined);
    const message = `Kubernetes API refused to ${verb} ${what} (${e.code}${status.reason ? ` ${status.reason}` : ''}): ${status.message ?? e.message}${causes.length > 0 ? ` ${causes.join('; ')}` : ''}`;
    const cause = { cause: e, details: { code: e.code, verb, resource } };
    switch (e.code) {
      case 401:
        return new FlotillaError('unauthenticated', message, 'Check the credentials of the kubeconfig context or the in-cluster service account token the agent uses.', cause);
      case 403:
        return new FlotillaError('forbidden', message, `Grant the agent's identity the RBAC verb "${verb}" on resource "${resource}" (a Role or ClusterRole rule bound to it), then submit the job again.`, cause);
      case 404:
        return new FlotillaError('not_found', message, `Check that ${what} exists in this cluster (kubectl get), then submit the job again with the right name.`, cause);
      case 409:
        return new FlotillaError('conflict', message, 'Another writer changed the object at the same time; submit the job again.', cause);
      case 429:
        return new FlotillaError('retry', message, 'The API server or a PodDisruptionBudget asked to wait; submit the job again later.', cause);
      case 400:
      case 415:
      case 422:
        return new FlotillaError('usage', message, 'Fix the object or parameters the message names, then submit the job again.', cause);
      default:
        return new FlotillaError('unavailable', message, 'The Kubernetes API server failed; check its health, then submit the job again.', cause);
    }
  }
  const message = e instanceof Error ? e.message : String(e);
  return new FlotillaError('unavailable', `cannot reach the Kubernetes API to ${verb} ${what}: ${message}`, 'Check the kube.kubeconfig / kube.context (or in-cluster) settings and that the API server is reachable from the agent.', { cause: e });
}
