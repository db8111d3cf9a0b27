import { k8s } from 'cdk8s-plus-27';

/**
 * The settings that make a pod pass the Pod Security Standards 'restricted' profile, for the pods
 * the constructs create directly (the controller, jobs): non-root numeric user, seccomp
 * RuntimeDefault, no privilege escalation, all capabilities dropped, read-only root filesystem.
 */
export function restrictedPodSecurityContext(user: number): k8s.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: user,
    runAsGroup: user,
    fsGroup: user,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export function restrictedContainerSecurityContext(): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Requests equal to limits, as Kubernetes quantities. */
export function guaranteed(cpu: string, memory: string): k8s.ResourceRequirements {
  return {
    requests: { cpu: k8s.Quantity.fromString(cpu), memory: k8s.Quantity.fromString(memory) },
    limits: { cpu: k8s.Quantity.fromString(cpu), memory: k8s.Quantity.fromString(memory) },
  };
}

export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'cdk-mlops' };
