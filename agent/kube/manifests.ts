// Server-side apply of a manifest exactly as given, with strict field validation. client-node's
// generic object client serializes a body through its models first, which silently drops every field
// they do not declare (a typo, or a field of a newer Kubernetes), and the API server's default field
// validation (Warn) would drop a field the cluster does not know with a Warning header nobody reads.
// Sent as written with fieldValidation=Strict, such a manifest fails with the API server's 400 naming
// the field, and nothing of it is applied.
import { HttpMethod, KubernetesObjectApi, PatchStrategy, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { KubeObject } from '../actions.js';

export class ManifestApi extends KubernetesObjectApi {
  static forConfig(kc: KubeConfig): ManifestApi {
    const api = kc.makeApiClient(ManifestApi);
    api.setDefaultNamespace(kc);
    return api;
  }

  /** Applies `manifest` as `fieldManager`, forcing ownership of the fields it sets; answers the object as stored. */
  async apply(manifest: KubeObject, fieldManager: string): Promise<KubernetesObject> {
    const ctx = this.configuration.baseServer.makeRequestContext(await this.specUriPath(manifest, 'patch'), HttpMethod.PATCH);
    ctx.setHeaderParam('Accept', 'application/json');
    ctx.setHeaderParam('Content-Type', PatchStrategy.ServerSideApply);
    ctx.setQueryParam('fieldManager', fieldManager);
    ctx.setQueryParam('force', 'true');
    ctx.setQueryParam('fieldValidation', 'Strict');
    // JSON is YAML: the apply content type takes it as it is.
    ctx.setBody(JSON.stringify(manifest));
    return this.requestPromise(ctx);
  }
}
