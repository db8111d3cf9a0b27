import { dropUndefined } from '../json';
import { show } from './errors';
import { MODEL_RULES, NumberRule, numberProblems } from './rules';

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

/**
 * Problems of a resources object by the model's rules (MODEL_RULES), each starting with `prefix`
 * and the field, e.g. "resources.cpu" for a step or "defaultResources.cpu" for a default.
 */
export function resourceProblems(resources: Resources, prefix = 'resources'): string[] {
  if (typeof resources !== 'object' || resources === null) {
    return [`${prefix} ${show(resources)} is not a resources object; give e.g. { cpu: 1, memoryGiB: 2 }`];
  }
  const field = (rule: NumberRule, name: keyof Resources) => numberProblems(rule, resources[name], `${prefix}.${name}`);
  const problems = [
    ...field(MODEL_RULES.cpu, 'cpu'),
    ...field(MODEL_RULES.memoryGiB, 'memoryGiB'),
    ...field(MODEL_RULES.diskGiB, 'diskGiB'),
    ...field(MODEL_RULES.gpu, 'gpu'),
  ];
  const type = resources.sageMakerInstanceType;
  if (type !== undefined && (typeof type !== 'string' || type.trim() === '')) {
    problems.push(`${prefix}.sageMakerInstanceType ${show(type)} is not an instance type name; give e.g. 'ml.m5.xlarge' or omit it`);
  }
  return problems;
}

/** Step resources layered over pipeline defaults, field by field. */
export function mergeResources(defaults: Resources | undefined, own: Resources | undefined): Resources {
  return { ...(defaults ?? {}), ...dropUndefined(own ?? {}) };
}
