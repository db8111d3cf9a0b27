import { dropUndefined } from '../json';
import { show } from './errors';

/** What a step needs to run. Each engine maps it to its own terms (instance types, pod requests). */
export interface Resources {
  /** vCPUs. */
  readonly cpu?: number;
  /** Memory in GiB. */
  readonly memoryGiB?: number;
  /** Number of GPUs. */
  readonly gpu?: number;
  /** Scratch disk in GiB. */
  readonly diskGiB?: number;
  /**
   * SageMaker only: the instance type to use instead of the smallest one that fits the above,
   * e.g. 'ml.m5.xlarge'.
   */
  readonly sageMakerInstanceType?: string;
}

export function resourceProblems(resources: Resources): string[] {
  const problems: string[] = [];
  const positive = (field: keyof Resources, value: number | undefined) => {
    if (value !== undefined && (!Number.isFinite(value) || value <= 0)) {
      problems.push(`resources.${field} ${show(value)} is invalid (allowed: a number > 0)`);
    }
  };
  positive('cpu', resources.cpu);
  positive('memoryGiB', resources.memoryGiB);
  positive('diskGiB', resources.diskGiB);
  const gpu = resources.gpu;
  if (gpu !== undefined && (!Number.isSafeInteger(gpu) || gpu < 0)) {
    problems.push(`resources.gpu ${show(gpu)} is invalid (allowed: a whole number >= 0)`);
  }
  return problems;
}

/** Step resources layered over pipeline defaults, field by field. */
export function mergeResources(defaults: Resources | undefined, own: Resources | undefined): Resources {
  return { ...(defaults ?? {}), ...dropUndefined(own ?? {}) };
}
