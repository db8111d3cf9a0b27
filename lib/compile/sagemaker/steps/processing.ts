import type { ProcessingInstanceType } from '@aws-sdk/client-sagemaker';
import { ArtifactType, isMetricsPort } from '../../../pipeline/artifacts';
import * as contract from '../../../pipeline/contract';
import { ContainerStep } from '../../../pipeline/steps/container-step';
import { StepNode } from '../../../pipeline/graph';
import { Step } from '../../../pipeline/step';
import type { Copy, SageMakerCompilation } from '../compile';
import { CODE_INPUT, EXECUTION_ID, METRICS_OUTPUT, METRICS_PROPERTY_FILE, PROCESSING_ROOT } from '../constants';
import { ExpressionOrScalar, ProcessingStepDefinition, StringValue } from '../definition';
import { JobKind } from '../instance-types';
import { cacheConfig, instanceType, kmsKey, retryPolicies, volumeGiB, volumeKey } from '../jobs';
import { LIMITS } from '../limits';
import { SourcePart } from '../sources/resolver';
import { checkInputCount, containerRequirements, launchJob, ResolvedInputs, resolveInputs } from './container';
import { SageMakerStepHandler } from './handler';

type ProcessingInputs = NonNullable<ProcessingStepDefinition['Arguments']['ProcessingInputs']>;
type ProcessingOutputs = NonNullable<ProcessingStepDefinition['Arguments']['ProcessingOutputConfig']>['Outputs'];
type ProcessingS3Input = NonNullable<ProcessingInputs[number]['S3Input']>;

const CODE_DIR = `${PROCESSING_ROOT}/mlops/code`;
const METRICS_DIR = `${PROCESSING_ROOT}/mlops/metrics`;
const METRICS_FILE = `${METRICS_DIR}/${contract.METRICS_FILE_NAME}`;
const INPUT_LIMIT = `processing job takes at most ${LIMITS.processingInputs}`;
const inputDir = (name: string) => `${PROCESSING_ROOT}/input/${name}`;
const outputDir = (port: string) => `${PROCESSING_ROOT}/output/${port}`;

/**
 * Script steps (and container kinds mapped here): a Processing step per copy, running the launcher
 * from the code archive. Its outputs are ProcessingOutputs under the run's execution id, its
 * metrics a PropertyFile that conditions read with Std:JsonGet.
 */
export const PROCESSING_STEP: SageMakerStepHandler = {
  steps(c: SageMakerCompilation, node: StepNode): ProcessingStepDefinition[] {
    const step = node.step as ContainerStep;
    const inputs = resolveInputs(c, step);
    checkInputCount(c, step, inputs, LIMITS.processingInputs, INPUT_LIMIT);
    const ports = Object.keys(c.portsOf(step));
    const hasMetrics = Object.keys(step.metricTypes()).length > 0;
    if (ports.length + (hasMetrics ? 1 : 0) > LIMITS.processingOutputs) {
      c.problem(step, `has ${ports.length} outputs${hasMetrics ? ' plus its metrics' : ''}, but a SageMaker processing job writes at most ${LIMITS.processingOutputs}; merge outputs into fewer directories`);
    }
    const timeout = step.timeoutSeconds;
    if (timeout !== undefined && timeout > LIMITS.processingRuntimeSeconds) {
      c.problem(step, `timeoutSeconds ${timeout} is more than a SageMaker processing job may run (${LIMITS.processingRuntimeSeconds} s, 9 days); lower it or make the step a training step`);
    }
    const instance = instanceType(c, step, node, JobKind.PROCESSING);
    const volume = volumeGiB(c, step, node, LIMITS.processingVolumeGiB);
    const resources = c.once(`cluster:${instance.name}:${volume}:${instance.volumeKey}`, () => ({
      ClusterConfig: { InstanceCount: 1, InstanceType: instance.name as ProcessingInstanceType, VolumeSizeInGB: volume, ...volumeKey(c, instance) },
    }));
    const code = c.once(step.code, () => c.target.codeLocation(step.code));
    const codeInput = c.once(code.s3Uri, () => ({ InputName: CODE_INPUT, S3Input: s3Input(code.s3Uri, CODE_DIR) }), 'processing-code');
    const processingInputs: ProcessingInputs = [codeInput, ...dataInputs(inputs)];
    if (processingInputs.length > inputs.size + 1) {
      // Only a collected input's '<input>-<item>' names can clash (with the code input or each other).
      const names = processingInputs.map((i) => i.InputName);
      const clash = names.find((name, i) => names.indexOf(name) !== i);
      if (clash !== undefined) {
        c.problem(step, `two of its processing inputs would be named '${clash}' (a collected input's '<input>-<item>'); rename the input or the item`);
      }
    }
    const image = c.image(step, step.image ?? c.target.defaultImage);
    const entrypoint = c.once(code.fileName, () => ['python3', `${CODE_DIR}/${code.fileName}`], 'processing-entrypoint');
    const layout = {
      inputPath: inputDir,
      outputPath: outputDir,
      metricsFile: METRICS_FILE,
      echoMetrics: false,
      extraArguments: [],
      maxEnvironmentValue: LIMITS.processingEnvironmentValue,
    };

    return c.copiesOf(step).map((copy) => {
      const outputs: ProcessingOutputs = ports.map((port) => ({
        OutputName: port,
        S3Output: { S3Uri: outputUri(c, copy.name, port), LocalPath: outputDir(port), S3UploadMode: 'EndOfJob' },
      }));
      if (hasMetrics) {
        outputs.push({ OutputName: METRICS_OUTPUT, S3Output: { S3Uri: outputUri(c, copy.name, METRICS_OUTPUT), LocalPath: METRICS_DIR, S3UploadMode: 'EndOfJob' } });
      }
      const launch = launchJob(c, node, step, copy, inputs, layout);
      return {
        Name: copy.name,
        Type: 'Processing',
        ...c.common(step),
        Arguments: {
          ProcessingInputs: processingInputs,
          ProcessingOutputConfig: { Outputs: outputs, ...kmsKey(c) },
          ProcessingResources: resources,
          ...(timeout !== undefined ? { StoppingCondition: { MaxRuntimeInSeconds: timeout } } : {}),
          AppSpecification: { ImageUri: image, ContainerEntrypoint: entrypoint, ContainerArguments: launch.arguments },
          Environment: launch.environment,
          RoleArn: c.target.roleArn,
        },
        ...(hasMetrics ? { PropertyFiles: c.once(METRICS_OUTPUT, () => [{ PropertyFileName: METRICS_PROPERTY_FILE, OutputName: METRICS_OUTPUT, FilePath: contract.METRICS_FILE_NAME }], 'processing-property-files') } : {}),
        ...cacheConfig(c, node.cache),
        ...retryPolicies(c, step, node.retry),
      };
    });
  },

  output(c: SageMakerCompilation, producer: Step, copy: Copy, port: string, type: ArtifactType): Omit<SourcePart, 'item'> | undefined {
    const output = isMetricsPort(port, type) ? METRICS_OUTPUT : port in c.portsOf(producer) ? port : undefined;
    return output === undefined ? undefined : { uri: { Get: `Steps.${copy.name}.ProcessingOutputConfig.Outputs['${output}'].S3Output.S3Uri` }, tarball: false };
  },

  metric(_c: SageMakerCompilation, producer: Step, name: string): ExpressionOrScalar {
    return { 'Std:JsonGet': { PropertyFile: { Get: `Steps.${producer.name}.PropertyFiles.${METRICS_PROPERTY_FILE}` }, Path: name } };
  },

  requirements: containerRequirements('processingJobs'),
};

/**
 * One ProcessingInput per input, or per item of a collected input: SageMaker downloads each item
 * to `<input dir>/<item>`, so MLOPS_INPUT_<NAME> holds one directory per item.
 */
function dataInputs(inputs: ResolvedInputs): ProcessingInputs {
  const out: ProcessingInputs = [];
  for (const [name, resolved] of inputs) {
    if (resolved.collected) {
      resolved.parts.forEach((part) => out.push({ InputName: `${name}-${part.item}`, S3Input: s3Input(part.uri, `${inputDir(name)}/${part.item}`) }));
    } else {
      out.push({ InputName: name, S3Input: s3Input(resolved.parts[0].uri, inputDir(name)) });
    }
  }
  return out;
}

/**
 * A File-mode download of `s3Uri`. S3DataDistributionType and S3CompressionType are left out: on
 * the one instance a processing job here has, FullyReplicated and ShardedByS3Key download the same
 * objects, and File mode allows no compression other than None.
 */
function s3Input(s3Uri: StringValue, localPath: string): ProcessingS3Input {
  return { S3Uri: s3Uri, LocalPath: localPath, S3DataType: 'S3Prefix', S3InputMode: 'File' };
}

/** Each run writes its outputs under its own execution id, so runs never overwrite each other. */
function outputUri(c: SageMakerCompilation, stepName: string, output: string): StringValue {
  return { 'Std:Join': { On: '/', Values: [`s3://${c.target.bucketName}/${c.target.prefix}`, EXECUTION_ID, `${stepName}/${output}`] } };
}
