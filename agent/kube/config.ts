// Where the agent's Kubernetes credentials come from: a kubeconfig file with an explicit context, or
// the pod's in-cluster service account. The context is never guessed from current-context, so an
// operator's kubectl switching clusters cannot move the agent.
import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { FlotillaError } from '../../core/errors.js';

export interface KubeSettings {
  kubeconfig?: string;
  context?: string;
  inCluster: boolean;
}

export function loadKubeConfig(s: KubeSettings): KubeConfig {
  const kc = new KubeConfig();
  if (s.inCluster) {
    kc.loadFromCluster();
    if (!kc.getCurrentCluster()?.server || kc.getCurrentCluster()?.server === 'https://undefined:undefined') {
      throw new FlotillaError('config', 'kube.inCluster is set but KUBERNETES_SERVICE_HOST/PORT are not in the environment', 'Run the agent in a pod, or set kube.inCluster: false with kube.kubeconfig and kube.context.');
    }
    return kc;
  }
  if (s.context === undefined) {
    throw new FlotillaError('config', 'kube.context is not set', 'Set kube.context in the agent bundle to the kubeconfig context of this cluster (kubectl config get-contexts), or kube.inCluster: true.');
  }
  const file = s.kubeconfig ?? process.env.KUBECONFIG?.split(':')[0];
  if (file === undefined || !existsSync(file)) {
    throw new FlotillaError('config', `kubeconfig ${file ?? '(none)'} does not exist`, 'Set kube.kubeconfig in the agent bundle to a readable kubeconfig file.');
  }
  try {
    kc.loadFromFile(file);
  } catch (e) {
    throw new FlotillaError('config', `kubeconfig ${file} cannot be read: ${(e as Error).message}`, 'Fix the kubeconfig file (kubectl config view --kubeconfig FILE shows the problem).', { cause: e });
  }
  if (!kc.getContextObject(s.context)) {
    throw new FlotillaError('config', `kubeconfig ${file} has no context "${s.context}"`, `Pick one of: ${kc.getContexts().map((c) => c.name).join(', ') || '(none)'} for kube.context.`);
  }
  kc.setCurrentContext(s.context);
  return kc;
}
