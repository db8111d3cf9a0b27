import { cpuQuantity, gibQuantity, gpuPlacement, GpuScheduling } from '../../kubernetes';
import { Resources } from '../../pipeline/resources';

/** Step resources when neither the step, the pipeline nor the engine options say. */
export const FALLBACK_RESOURCES: Resources = { cpu: 0.5, memoryGiB: 1 };

/** Fail and register-model steps: they print or copy a few files. */
export const UTILITY_RESOURCES = { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '100m', memory: '256Mi' } };

/** Argo's init and wait containers (emissary executor) in every step pod. */
export const EXECUTOR_RESOURCES = { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } };

export interface ContainerResources {
  readonly requests: { [name: string]: string };
  readonly limits: { [name: string]: string };
}

/**
 * Requests equal limits (Guaranteed QoS for CPU and memory): a step gets what it asked for and
 * cannot starve its neighbours. GPUs are limits only, as Kubernetes requires for extended resources.
 */
export function containerResources(resources: Resources, gpu: GpuScheduling | undefined): ContainerResources {
  const requests: { [name: string]: string } = {};
  const limits: { [name: string]: string } = {};
  const set = (name: string, value: string) => {
    requests[name] = value;
    limits[name] = value;
  };
  set('cpu', cpuQuantity(resources.cpu ?? FALLBACK_RESOURCES.cpu!));
  set('memory', gibQuantity(resources.memoryGiB ?? FALLBACK_RESOURCES.memoryGiB!));
  if (resources.diskGiB !== undefined) {
    set('ephemeral-storage', gibQuantity(resources.diskGiB));
  }
  if (resources.gpu !== undefined && resources.gpu > 0) {
    limits[gpuPlacement(gpu).resourceName] = String(resources.gpu);
  }
  return { requests, limits };
}
