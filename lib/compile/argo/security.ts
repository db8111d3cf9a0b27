import { ArgoPodUser } from './options';
import { EXECUTOR_RESOURCES } from './resources';

/**
 * Every step pod passes the Pod Security Standards 'restricted' profile: a non-root numeric user,
 * seccomp RuntimeDefault, and in every container no privilege escalation, all capabilities
 * dropped and a read-only root filesystem (the step writes to /tmp and /mlops/work, emptyDirs).
 */
export function podSecurityContext(user: ArgoPodUser | undefined): { [key: string]: unknown } {
  return {
    runAsNonRoot: true,
    runAsUser: user?.runAsUser ?? 1000,
    runAsGroup: user?.runAsGroup ?? 1000,
    fsGroup: user?.fsGroup ?? 1000,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export function containerSecurityContext(): { [key: string]: unknown } {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/**
 * Argo adds an `init` and a `wait` container (the emissary executor) to every step pod and takes
 * their security context and resources from the controller's configuration. The workflow-level
 * podSpecPatch sets them here too, so the pods are 'restricted' under any controller.
 */
export function executorPodSpecPatch(): string {
  const executor = { securityContext: containerSecurityContext(), resources: EXECUTOR_RESOURCES };
  return JSON.stringify({
    initContainers: [{ name: 'init', ...executor }],
    containers: [{ name: 'wait', ...executor }],
  });
}
