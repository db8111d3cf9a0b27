/** What processing and training jobs share: their inputs and the launcher invocation. */
import { ArtifactType, DataSourceKind, ExternalData } from '../../../pipeline/artifacts';
import { isA } from '../../../pipeline/brand';
import { FeatureSnapshot } from '../../../pipeline/feature-snapshot';
import { ContainerStep } from '../../../pipeline/steps/container-step';
import { show } from '../../../pipeline/errors';
import { StepNode } from '../../../pipeline/graph';
import { Step } from '../../../pipeline/step';
import { launchInvocation } from '../../../runtime/launch';
import type { Copy, SageMakerCompilation } from '../compile';
import { ENGINE, EXECUTION_ID } from '../constants';
import { PipelineExpression, StringValue } from '../definition';
import { LIMITS } from '../limits';
import type { MutableRequirements } from '../requirements';
import { ResolvedSource } from '../sources/resolver';

/** A container step's inputs that resolved, in declaration order. */
export type ResolvedInputs = Map<string, ResolvedSource>;

export function resolveInputs(c: SageMakerCompilation, step: ContainerStep): ResolvedInputs {
  const resolved: ResolvedInputs = new Map();
  for (const [name, source] of Object.entries(step.inputs())) {
    const r = c.resolve(step, name, source);
    if (r !== undefined) {
      resolved.set(name, r);
    }
  }
  return resolved;
}

/**
 * Checks how many inputs (processing inputs, training channels) a job needs: one for the code,
 * one per input, and one per item for a collected input.
 */
export function checkInputCount(c: SageMakerCompilation, step: Step, inputs: ResolvedInputs, max: number, what: string): void {
  let count = 0;
  inputs.forEach((r) => {
    count += r.parts.length;
  });
  if (count + 1 <= max) {
    return;
  }
  const collected = [...inputs].filter(([, r]) => r.collected).map(([name, r]) => `input '${name}' takes ${r.parts.length}, one per item of '${r.producer?.name}'`);
  const fix = collected.length > 0
    ? 'read fewer items (fan out over fewer, or merge their outputs in a step of their own first) or fewer inputs'
    : 'merge inputs into fewer directories';
  c.problem(step, `has ${count} inputs${collected.length > 0 ? ` (${collected.join('; ')})` : ''}, but a SageMaker ${what} (one carries the step's code), so at most ${max - 1}; ${fix}`);
}

/** Where a container job finds its directories, and what the launcher does besides the contract. */
export interface JobLayout {
  readonly inputPath: (name: string) => string;
  readonly outputPath: (port: string, type: ArtifactType) => string;
  readonly metricsFile: string;
  /** Print numeric metrics for MetricDefinitions (training jobs). */
  readonly echoMetrics: boolean;
  /** Launcher flags of this job type (e.g. linking a training job's per-item channels). */
  readonly extraArguments: string[];
  /** The longest Environment value this job type takes. */
  readonly maxEnvironmentValue: number;
}

/**
 * The launcher's arguments and the job's Environment (the contract's variables and the user's env,
 * sorted by name) for one copy of a container step, through the one launch contract. Tarball
 * inputs are unpacked by the launcher: in place, or inside each item's directory when collected.
 */
export function launchJob(
  c: SageMakerCompilation,
  node: StepNode,
  step: ContainerStep,
  copy: Copy,
  inputs: ResolvedInputs,
  layout: JobLayout,
): { arguments: string[]; environment: { [name: string]: StringValue } } {
  const unpackItems: string[] = [];
  inputs.forEach((r, name) => {
    if (r.collected && r.parts.some((p) => p.tarball)) {
      unpackItems.push('--unpack-items', name);
    }
  });
  const invocation = launchInvocation<PipelineExpression>(step, {
    engine: ENGINE,
    pipelineName: c.pipeline.name,
    inputPath: (name) => layout.inputPath(name),
    outputPath: layout.outputPath,
    metricsFile: layout.metricsFile,
    // A cached step's arguments must stay the same from run to run, so it does not get the run id.
    runId: node.cache?.isEnabled ? undefined : EXECUTION_ID,
    item: copy.item,
    parameter: (ref) => c.parameterText(ref.name),
    snapshotVersion: (_input, ref) => c.parameterText(ref.name),
    retryInLauncher: node.retry,
    echoMetrics: layout.echoMetrics,
    unpack: (name) => {
      const r = inputs.get(name);
      return r !== undefined && !r.collected && r.parts[0].tarball;
    },
    extraArguments: unpackItems.length === 0 ? layout.extraArguments : [...layout.extraArguments, ...unpackItems],
    trackingUri: c.target.trackingUri,
  });
  const args = invocation.arguments as string[];
  if (args.length > LIMITS.containerArguments) {
    c.problem(step, `needs ${args.length} container arguments (the launcher's options plus the script's ${step.arguments.length} arguments), but SageMaker takes at most ${LIMITS.containerArguments}; pass long lists in a file or a parameter`);
  }
  const tooLong = args.find((a) => a.length > LIMITS.containerArgumentLength);
  if (tooLong !== undefined) {
    c.problem(step, `argument ${show(tooLong.slice(0, 40) + '...')} has ${tooLong.length} characters, but SageMaker takes at most ${LIMITS.containerArgumentLength} per container argument; pass it in a file or split it`);
  }
  const entries = invocation.environment.slice().sort(byName);
  if (entries.length > LIMITS.environmentEntries) {
    c.problem(step, `needs ${entries.length} environment variables (the step contract's plus ${Object.keys(step.params).length} params and ${Object.keys(step.env).length} env entries), but SageMaker takes at most ${LIMITS.environmentEntries}; pass fewer params or env entries`);
  }
  const environment: { [name: string]: StringValue } = {};
  for (const entry of entries) {
    const name = entry[0];
    const value = entry[1];
    if (typeof value === 'string' && value.length > layout.maxEnvironmentValue && !c.isUnresolved(value)) {
      c.problem(step, `environment variable ${name} is ${value.length} characters long, but SageMaker takes at most ${layout.maxEnvironmentValue} for this job type; shorten the value or pass it in a file`);
    }
    environment[name] = value;
  }
  return { arguments: args, environment };
}

function byName(a: [string, unknown], b: [string, unknown]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/** The requirements of a step that runs as a processing or training job. */
export const containerRequirements = (job: 'processingJobs' | 'trainingJobs') => (step: Step, into: MutableRequirements): void => {
  if (!ContainerStep.isContainerStep(step)) {
    return;
  }
  into[job] = true;
  into.codes.add(step.code);
  if (step.image === undefined) {
    into.usesDefaultImage = true;
  } else {
    into.images.add(step.image);
  }
  for (const source of Object.values(step.inputs())) {
    if (source.sourceKind === DataSourceKind.URI && isA(source, ExternalData) && source.scheme === 's3') {
      into.externalS3Uris.add(source.uri);
    }
    if (isA(source, FeatureSnapshot) && source.tableUri?.startsWith('s3://')) {
      into.externalS3Uris.add(source.tableUri); // the table's folder, downloaded whole
    }
  }
};
