import { Resources } from '../../pipeline/resources';
import { ArgoGpuOptions, ArgoToleration } from './options';

export const DEFAULT_GPU_RESOURCE = 'nvidia.com/gpu';

/** Step resources when neither the step, the pipeline nor the engine options say. */
export const FALLBACK_RESOURCES: Resources = { cpu: 0.5, memoryGiB: 1 };

/** Fail and register-model steps: they print or copy a few files. */
export const UTILITY_RESOURCES = { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '100m', memory: '256Mi' } };

/** Argo's init and wait containers (emissary executor) in every step pod. */
export const EXECUTOR_RESOURCES = { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } };

/** CPUs as a Kubernetes quantity: whole cores as '2', fractions in millicores ('500m'). */
export function cpuQuantity(cpu: number): string {
  const milli = Math.max(1, Math.round(cpu * 1000));
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

/** GiB as a Kubernetes quantity: whole GiB as '4Gi', else MiB ('1536Mi'). */
export function gibQuantity(gib: number): string {
  const mib = Math.max(1, Math.round(gib * 1024));
  return mib % 1024 === 0 ? `${mib / 1024}Gi` : `${mib}Mi`;
}

export interface ContainerResources {
  readonly requests: { [name: string]: string };
  readonly limits: { [name: string]: string };
}

/**
 * Requests equal limits (Guaranteed QoS for CPU and memory): a step gets what it asked for and
 * cannot starve its neighbours. GPUs are limits only, as Kubernetes requires for extended resources.
 */
export function containerResources(resources: Resources, gpu: ArgoGpuOptions | undefined): ContainerResources {
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
    limits[gpu?.resourceName ?? DEFAULT_GPU_RESOURCE] = String(resources.gpu);
  }
  return { requests, limits };
}

export interface GpuPlacement {
  readonly nodeSelector?: { [label: string]: string };
  readonly tolerations?: ArgoToleration[];
}

/** Where a GPU step runs, or a problem when placement is required but not configured. */
export function gpuPlacement(gpu: ArgoGpuOptions | undefined): GpuPlacement {
  const nodeSelector = gpu?.nodeSelector && Object.keys(gpu.nodeSelector).length > 0 ? { ...gpu.nodeSelector } : undefined;
  const tolerations = gpu?.tolerations && gpu.tolerations.length > 0 ? gpu.tolerations.map((t) => dropUndefined({ ...t })) : undefined;
  return dropUndefined({ nodeSelector, tolerations });
}

export function gpuPlacementProblem(stepName: string, gpus: number, gpu: ArgoGpuOptions | undefined): string | undefined {
  const placement = gpuPlacement(gpu);
  if (gpu?.requireNodeSelection && !placement.nodeSelector && !placement.tolerations) {
    return `step '${stepName}': resources.gpu ${gpus} needs GPU node selection on Argo Workflows, which this engine requires (gpu.requireNodeSelection) but none is configured; set gpu.nodeSelector (e.g. { 'nvidia.com/gpu.present': 'true' }) and/or gpu.tolerations for your GPU nodes' taints`;
  }
  return undefined;
}

export function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
