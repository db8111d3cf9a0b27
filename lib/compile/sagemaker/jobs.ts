/**
 * Pieces that processing and training jobs share: instance type and volume, encryption, caching
 * and retries. Each checks SageMaker's limits and reports a problem naming the step.
 */
import { ContainerStep } from '../../pipeline/steps/container-step';
import { show } from '../../pipeline/errors';
import { StepNode } from '../../pipeline/graph';
import { CachePolicy, RetryPolicy } from '../../pipeline/policies';
import { Step } from '../../pipeline/step';
import type { SageMakerCompilation } from './compile';
import { CacheConfigDefinition, RetryPolicyDefinition } from './definition';
import { closestNames, instanceSpec, JobKind, largestOffered, shortfall, smallestInstanceFor, validInstanceTypes } from './instance-types';
import { DEFAULTS, LIMITS } from './limits';
import { SKLEARN_REPOSITORY } from './sklearn-image';

/** Retried by SageMaker itself; a script's own non-zero exit is retried by the launcher. */
const SERVICE_FAULTS: RetryPolicyDefinition['ExceptionType'] = ['Step.SERVICE_FAULT', 'Step.THROTTLING'];
const JOB_FAULTS: RetryPolicyDefinition['ExceptionType'] = ['SageMaker.JOB_INTERNAL_ERROR', 'SageMaker.CAPACITY_ERROR', 'SageMaker.RESOURCE_LIMIT'];

/** An instance type for a job, and whether its volume can take a KMS key. */
export interface InstanceChoice {
  readonly name: string;
  readonly volumeKey: boolean;
}

export function instanceType(c: SageMakerCompilation, step: ContainerStep, node: StepNode, kind: JobKind): InstanceChoice {
  const choice = chooseInstance(c, step, node, kind);
  const gpus = instanceSpec(choice.name)?.gpu ?? node.resources?.gpu ?? 0;
  const image = step.image ?? c.target.defaultImage;
  if (gpus > 0 && image.includes(`/${SKLEARN_REPOSITORY}:`)) {
    const whose = step.image === undefined ? 'the default image, ' : '';
    c.problem(step, `runs on ${choice.name} with ${gpus} GPU${gpus > 1 ? 's' : ''}, but its image is ${whose}SageMaker's scikit-learn container, which is CPU-only (SageMaker publishes no GPU scikit-learn image); set the step's image (or Orchestrator.sageMaker({ defaultImage })) to a GPU image, e.g. the region's SageMaker PyTorch GPU training image, or drop the GPU`);
  }
  return choice;
}

function chooseInstance(c: SageMakerCompilation, step: ContainerStep, node: StepNode, kind: JobKind): InstanceChoice {
  const resources = node.resources ?? {};
  const explicit = resources.sageMakerInstanceType;
  const jobType = kind === JobKind.PROCESSING ? 'processing' : 'training';
  if (explicit !== undefined) {
    const spec = instanceSpec(explicit);
    if (spec) {
      const short = shortfall(spec, resources);
      if (short) {
        c.problem(step, `resources ask for ${short} but sageMakerInstanceType is ${show(explicit)}; choose a larger instance type or lower the resources`);
      }
      return { name: explicit, volumeKey: !spec.instanceStorage };
    }
    const valid = validInstanceTypes(kind);
    if (!valid.has(explicit)) {
      const otherKind = kind === JobKind.PROCESSING ? JobKind.TRAINING : JobKind.PROCESSING;
      const elsewhere = validInstanceTypes(otherKind).has(explicit) ? ` (SageMaker has it for ${otherKind} jobs only)` : '';
      c.problem(step, `sageMakerInstanceType ${show(explicit)} is not a SageMaker ${jobType} instance type${elsewhere}; closest valid: ${closestNames(explicit, valid).join(', ')}`);
    }
    // Outside the table we cannot tell whether it has instance storage: leave the volume key out.
    return { name: explicit, volumeKey: false };
  }
  const spec = smallestInstanceFor(resources);
  if (!spec) {
    const max = largestOffered();
    c.problem(step, `no SageMaker instance type fits resources ${JSON.stringify(pick(resources))} (the largest offered here: ${max.vcpu} vCPUs, ${max.memoryGiB} GiB, ${max.gpu} GPUs, not all on one type); lower the resources or set resources.sageMakerInstanceType`);
    return { name: 'ml.m5.large', volumeKey: true };
  }
  return { name: spec.name, volumeKey: !spec.instanceStorage };
}

export function volumeGiB(c: SageMakerCompilation, step: ContainerStep, node: StepNode, max: number | undefined): number {
  const disk = node.resources?.diskGiB;
  const size = disk === undefined ? DEFAULTS.volumeGiB : Math.ceil(disk);
  if (max !== undefined && size > max) {
    c.problem(step, `resources.diskGiB ${disk} is more than a SageMaker processing volume holds (${max} GiB); lower it`);
  }
  return size;
}

export function kmsKey(c: SageMakerCompilation): { KmsKeyId?: string } {
  return c.target.kmsKeyArn !== undefined ? { KmsKeyId: c.target.kmsKeyArn } : {};
}

export function volumeKey(c: SageMakerCompilation, instance: InstanceChoice): { VolumeKmsKeyId?: string } {
  return instance.volumeKey && c.target.kmsKeyArn !== undefined ? { VolumeKmsKeyId: c.target.kmsKeyArn } : {};
}

export function cacheConfig(c: SageMakerCompilation, cache: CachePolicy | undefined): { CacheConfig?: CacheConfigDefinition } {
  if (!cache?.isEnabled) {
    return {};
  }
  const hours = cache.expireAfterHours;
  return { CacheConfig: c.once(cache, () => ({ Enabled: true, ...(hours !== undefined ? { ExpireAfter: isoDuration(hours) } : {}) })) };
}

/**
 * SageMaker retries its own faults (service errors, throttling, capacity, internal job errors);
 * the launcher retries the script. Both follow the model's policy.
 */
export function retryPolicies(c: SageMakerCompilation, step: Step, retry: RetryPolicy | undefined): { RetryPolicies?: RetryPolicyDefinition[] } {
  if (!retry || retry.maxRetries === 0) {
    return {};
  }
  if (retry.maxRetries > LIMITS.maxRetryAttempts) {
    c.problem(step, `retry maxRetries ${retry.maxRetries} is more than SageMaker allows (RetryPolicy MaxAttempts 1 to ${LIMITS.maxRetryAttempts}); use RetryPolicy.of({ maxRetries: ${LIMITS.maxRetryAttempts} }) or fewer`);
  }
  return {
    RetryPolicies: c.once(retry, () => {
      const policy = { IntervalSeconds: Math.ceil(retry.intervalSeconds), BackoffRate: retry.backoffRate, MaxAttempts: Math.min(retry.maxRetries, LIMITS.maxRetryAttempts) };
      return [{ ExceptionType: SERVICE_FAULTS, ...policy }, { ExceptionType: JOB_FAULTS, ...policy }];
    }),
  };
}

/** Hours as an ISO 8601 duration in whole hours or minutes (SageMaker's smallest cache unit). */
export function isoDuration(hours: number): string {
  if (Number.isInteger(hours)) {
    return `PT${hours}H`;
  }
  return `PT${Math.ceil(hours * 60)}M`;
}

function pick(resources: { cpu?: number; memoryGiB?: number; gpu?: number }): object {
  return Object.fromEntries(Object.entries({ cpu: resources.cpu, memoryGiB: resources.memoryGiB, gpu: resources.gpu }).filter(([, v]) => v !== undefined));
}
