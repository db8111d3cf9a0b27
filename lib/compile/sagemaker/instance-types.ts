import type { ProcessingInstanceType, TrainingInstanceType } from '@aws-sdk/client-sagemaker';
import { Resources } from '../../pipeline/resources';
import { PROCESSING_INSTANCE_TYPES, TRAINING_INSTANCE_TYPES } from './sdk-instance-types';

/** Which SageMaker job runs a step: the two have different lists of instance types. */
export enum JobKind {
  PROCESSING = 'processing',
  TRAINING = 'training',
}

export interface InstanceSpec {
  readonly name: ProcessingInstanceType & TrainingInstanceType;
  readonly vcpu: number;
  readonly memoryGiB: number;
  readonly gpu: number;
  /**
   * Types with local NVMe instance storage encrypt it in hardware and reject a volume KMS key
   * (VolumeKmsKeyId), so the compiler leaves the key out for them.
   */
  readonly instanceStorage: boolean;
}

function family(prefix: string, instanceStorage: boolean, sizes: [string, number, number, number?][]): InstanceSpec[] {
  return sizes.map(([size, vcpu, memoryGiB, gpu]) => ({
    name: `ml.${prefix}.${size}` as InstanceSpec['name'],
    vcpu,
    memoryGiB,
    gpu: gpu ?? 0,
    instanceStorage,
  }));
}

/**
 * The instance types `resources` are mapped to, from the published EC2 specifications. All of
 * them run both processing and training jobs (a test checks both SDK enums). Families are listed
 * cheapest first for the same size, which breaks ties in `smallestInstanceFor`.
 */
export const INSTANCE_TABLE: InstanceSpec[] = [
  ...family('t3', false, [['medium', 2, 4], ['large', 2, 8], ['xlarge', 4, 16], ['2xlarge', 8, 32]]),
  ...family('c5', false, [['xlarge', 4, 8], ['2xlarge', 8, 16], ['4xlarge', 16, 32], ['9xlarge', 36, 72], ['18xlarge', 72, 144]]),
  ...family('m5', false, [['large', 2, 8], ['xlarge', 4, 16], ['2xlarge', 8, 32], ['4xlarge', 16, 64], ['12xlarge', 48, 192], ['24xlarge', 96, 384]]),
  ...family('r5', false, [['large', 2, 16], ['xlarge', 4, 32], ['2xlarge', 8, 64], ['4xlarge', 16, 128], ['8xlarge', 32, 256], ['12xlarge', 48, 384], ['16xlarge', 64, 512], ['24xlarge', 96, 768]]),
  ...family('g4dn', true, [['xlarge', 4, 16, 1], ['2xlarge', 8, 32, 1], ['4xlarge', 16, 64, 1], ['8xlarge', 32, 128, 1], ['12xlarge', 48, 192, 4], ['16xlarge', 64, 256, 1]]),
  ...family('g5', true, [['xlarge', 4, 16, 1], ['2xlarge', 8, 32, 1], ['4xlarge', 16, 64, 1], ['8xlarge', 32, 128, 1], ['12xlarge', 48, 192, 4], ['16xlarge', 64, 256, 1], ['24xlarge', 96, 384, 4], ['48xlarge', 192, 768, 8]]),
  ...family('p3', false, [['2xlarge', 8, 61, 1], ['8xlarge', 32, 244, 4], ['16xlarge', 64, 488, 8]]),
];

const BY_NAME = new Map<string, InstanceSpec>(INSTANCE_TABLE.map((s) => [s.name, s]));

/** The order "smallest" means: fewest GPUs, then fewest vCPUs, then least memory, then table order. */
const BY_SIZE = INSTANCE_TABLE.map((spec, position) => ({ spec, position })).sort(
  (a, b) => a.spec.gpu - b.spec.gpu || a.spec.vcpu - b.spec.vcpu || a.spec.memoryGiB - b.spec.memoryGiB || a.position - b.position,
).map((x) => x.spec);

export function instanceSpec(name: string): InstanceSpec | undefined {
  return BY_NAME.get(name);
}

function fits(spec: InstanceSpec, r: Resources): boolean {
  return spec.vcpu >= (r.cpu ?? 0) && spec.memoryGiB >= (r.memoryGiB ?? 0) && spec.gpu >= (r.gpu ?? 0);
}

/** The smallest table entry with at least the requested vCPUs, memory and GPUs, if any. */
export function smallestInstanceFor(resources: Resources): InstanceSpec | undefined {
  return BY_SIZE.find((spec) => fits(spec, resources));
}

/** The part of `resources` that `spec` cannot give, in words, or undefined when it fits. */
export function shortfall(spec: InstanceSpec, r: Resources): string | undefined {
  const short: string[] = [];
  if (spec.vcpu < (r.cpu ?? 0)) {
    short.push(`${r.cpu} vCPUs (it has ${spec.vcpu})`);
  }
  if (spec.memoryGiB < (r.memoryGiB ?? 0)) {
    short.push(`${r.memoryGiB} GiB of memory (it has ${spec.memoryGiB})`);
  }
  if (spec.gpu < (r.gpu ?? 0)) {
    short.push(`${r.gpu} GPUs (it has ${spec.gpu})`);
  }
  return short.length ? short.join(', ') : undefined;
}

/** The largest the table offers, for messages. */
export function largestOffered(): { vcpu: number; memoryGiB: number; gpu: number } {
  return {
    vcpu: Math.max(...INSTANCE_TABLE.map((s) => s.vcpu)),
    memoryGiB: Math.max(...INSTANCE_TABLE.map((s) => s.memoryGiB)),
    gpu: Math.max(...INSTANCE_TABLE.map((s) => s.gpu)),
  };
}

const VALID: { [kind in JobKind]: Set<string> } = {
  [JobKind.PROCESSING]: new Set(PROCESSING_INSTANCE_TYPES),
  [JobKind.TRAINING]: new Set(TRAINING_INSTANCE_TYPES),
};

/** Every instance type SageMaker accepts for a job kind. */
export function validInstanceTypes(kind: JobKind): Set<string> {
  return VALID[kind];
}

/** The `count` names closest to `name` by edit distance (ties in alphabetical order). */
export function closestNames(name: string, candidates: Iterable<string>, count = 3): string[] {
  return [...candidates]
    .map((c) => ({ c, d: editDistance(name.toLowerCase(), c.toLowerCase()) }))
    .sort((a, b) => a.d - b.d || a.c.localeCompare(b.c))
    .slice(0, count)
    .map((x) => x.c);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
