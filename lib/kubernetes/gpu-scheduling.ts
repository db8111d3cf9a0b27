import { show } from '../pipeline/errors';
import { GpuScheduling, Toleration } from './gpu-options';
import { isLabelValue, isQualifiedName } from './labels';

export * from './gpu-options';

export const DEFAULT_GPU_RESOURCE = 'nvidia.com/gpu';

/** Where a GPU step goes: the resource it requests, its node selector and its tolerations. */
export interface GpuPlacement {
  readonly resourceName: string;
  readonly nodeSelector?: { [label: string]: string };
  readonly tolerations: Toleration[];
}

export function gpuPlacement(gpu: GpuScheduling | undefined): GpuPlacement {
  const resourceName = gpu?.resourceName ?? DEFAULT_GPU_RESOURCE;
  const nodeSelector = gpu?.nodeSelector && Object.keys(gpu.nodeSelector).length > 0 ? { ...gpu.nodeSelector } : undefined;
  const tolerations = (gpu?.tolerations ?? [{ key: resourceName, operator: 'Exists', effect: 'NoSchedule' }]).map((t) => ({
    ...t,
    operator: t.operator ?? (t.value ? 'Equal' : 'Exists'),
  }));
  return nodeSelector ? { resourceName, nodeSelector, tolerations } : { resourceName, tolerations };
}

/** The problem of a GPU step when node selection is required but no node selector is set. */
export function gpuSelectionProblem(stepName: string, gpus: number, gpu: GpuScheduling | undefined, engine: string): string | undefined {
  if (gpus > 0 && gpu?.requireNodeSelection && Object.keys(gpu.nodeSelector ?? {}).length === 0) {
    return `step '${stepName}': requests ${gpus} GPU${gpus === 1 ? '' : 's'}, and the ${engine} options require GPU node selection (gpu.requireNodeSelection) but set no gpu.nodeSelector; set gpu.nodeSelector to the labels of your GPU nodes, e.g. { 'nvidia.com/gpu.present': 'true' }`;
  }
  return undefined;
}

const OPERATORS = ['Exists', 'Equal'];
const EFFECTS = ['', 'NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/** Problems with GPU scheduling options, each starting with `what` (e.g. "Argo option gpu"). */
export function gpuSchedulingProblems(what: string, gpu: GpuScheduling | undefined): string[] {
  if (!gpu) {
    return [];
  }
  const problems: string[] = [];
  const resource = gpu.resourceName;
  if (resource !== undefined && (typeof resource !== 'string' || !resource.includes('/') || !isQualifiedName(resource))) {
    problems.push(`${what}.resourceName ${show(resource)} is not an extended resource name (allowed: <domain>/<name>, e.g. 'nvidia.com/gpu' or 'amd.com/gpu')`);
  }
  for (const [label, value] of Object.entries(gpu.nodeSelector ?? {})) {
    if (!isQualifiedName(label) || !isLabelValue(value)) {
      problems.push(`${what}.nodeSelector entry ${show(label)}: ${show(value)} is not a valid Kubernetes label selector (keys: [prefix/]name, values: up to 63 letters, digits, '-', '_' or '.')`);
    }
  }
  (gpu.tolerations ?? []).forEach((t, i) => {
    const at = `${what}.tolerations[${i}]`;
    if (t.operator !== undefined && !OPERATORS.includes(t.operator)) {
      problems.push(`${at}.operator ${show(t.operator)} is invalid (allowed: ${OPERATORS.join(', ')})`);
    }
    if (t.effect !== undefined && !EFFECTS.includes(t.effect)) {
      problems.push(`${at}.effect ${show(t.effect)} is invalid (allowed: NoSchedule, PreferNoSchedule, NoExecute, or empty for all)`);
    }
    if (t.operator === 'Exists' && t.value) {
      problems.push(`${at} has operator Exists and a value; Exists matches any value, so remove the value or use Equal`);
    }
    if (t.key !== undefined && t.key !== '' && !isQualifiedName(t.key)) {
      problems.push(`${at}.key ${show(t.key)} is not a valid taint key`);
    }
    if (t.tolerationSeconds !== undefined && !Number.isSafeInteger(t.tolerationSeconds)) {
      problems.push(`${at}.tolerationSeconds ${show(t.tolerationSeconds)} is not a whole number`);
    }
  });
  return problems;
}
