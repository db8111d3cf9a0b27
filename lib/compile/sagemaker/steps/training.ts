import type { TrainingInstanceType } from '@aws-sdk/client-sagemaker';
import { ArtifactType, isMetricsPort } from '../../../pipeline/artifacts';
import { ContainerStep } from '../../../pipeline/steps/container-step';
import { StepNode } from '../../../pipeline/graph';
import { Step } from '../../../pipeline/step';
import { MODEL_PORT } from '../../../pipeline/steps/training-step';
import { ValueType } from '../../../pipeline/values';
import type { Copy, SageMakerCompilation } from '../compile';
import { CODE_INPUT, TRAINING_COLLECTED_ROOT, TRAINING_INPUT_ROOT, TRAINING_METRICS_FILE, TRAINING_MODEL_DIR } from '../constants';
import { ExpressionOrScalar, StringValue, TrainingStepDefinition } from '../definition';
import { JobKind } from '../instance-types';
import { cacheConfig, instanceType, kmsKey, retryPolicies, volumeGiB, volumeKey } from '../jobs';
import { DEFAULTS, LIMITS } from '../limits';
import { ResolvedSource, SourcePart } from '../sources/resolver';
import { checkInputCount, containerRequirements, launchJob, resolveInputs } from './container';
import { SageMakerStepHandler } from './handler';

type TrainingChannel = NonNullable<TrainingStepDefinition['Arguments']['InputDataConfig']>[number];

/** SageMaker's rule for channel names. */
const CHANNEL_NAME = /^[A-Za-z0-9.\-_]{1,64}$/;
const CHANNEL_LIMIT = `training job takes at most ${LIMITS.trainingChannels} channels`;

/**
 * Training steps: a Training step per copy (forEach: `<step>-<item>`), the launcher run from the
 * code channel. The model is the job's ModelArtifacts (model.tar.gz), its numeric metrics are
 * echoed to the log for MetricDefinitions, and its metrics file goes into output.tar.gz.
 */
export const TRAINING_STEP: SageMakerStepHandler = {
  steps(c: SageMakerCompilation, node: StepNode): TrainingStepDefinition[] {
    const step = node.step as ContainerStep;
    const inputs = resolveInputs(c, step);
    checkInputCount(c, step, inputs, LIMITS.trainingChannels, CHANNEL_LIMIT);
    const others = Object.keys(step.outputPorts()).filter((port) => port !== MODEL_PORT);
    if (others.length > 0) {
      c.problem(step, `declares output ports ${others.map((p) => `'${p}'`).join(', ')}, but a SageMaker training job writes only its model; write other data in a script step`);
    }
    const metrics = Object.entries(step.metricTypes()).filter(([, type]) => type === ValueType.NUMBER).map(([name]) => name);
    if (metrics.length > LIMITS.trainingMetrics) {
      c.problem(step, `declares ${metrics.length} metrics, but a SageMaker training job reports at most ${LIMITS.trainingMetrics}; keep the ones conditions read`);
    }
    const code = c.once(step.code, () => c.target.codeLocation(step.code));
    const channels: TrainingChannel[] = [c.once(code.s3Uri, () => channel(CODE_INPUT, code.s3Uri), 'training-code')];
    // Channels cannot nest: a collected input takes a channel per item, which the launcher links
    // into one directory named by the items.
    const links: string[] = [];
    for (const [name, resolved] of inputs) {
      if (!resolved.collected) {
        channels.push(channel(name, resolved.parts[0].uri));
        continue;
      }
      collectedChannels(c, step, name, resolved, channels, links);
    }
    const instance = instanceType(c, step, node, JobKind.TRAINING);
    const volume = volumeGiB(c, step, node, undefined);
    const resources = c.once(`resources:${instance.name}:${volume}:${instance.volumeKey}`, () => (
      { InstanceType: instance.name as TrainingInstanceType, InstanceCount: 1, VolumeSizeInGB: volume, ...volumeKey(c, instance) }));
    const image = c.image(step, step.image ?? c.target.defaultImage);
    const entrypoint = c.once(code.fileName, () => ['python3', `${TRAINING_INPUT_ROOT}/${CODE_INPUT}/${code.fileName}`], 'training-entrypoint');
    const metricDefinitions = metrics.length > 0 ? { MetricDefinitions: metrics.map((m) => ({ Name: m, Regex: metricRegex(m) })) } : {};

    return c.copiesOf(step).map((copy) => {
      const launch = launchJob(c, node, step, copy, inputs, {
        inputPath: (name) => (inputs.get(name)?.collected ? `${TRAINING_COLLECTED_ROOT}/${name}` : `${TRAINING_INPUT_ROOT}/${name}`),
        outputPath: () => TRAINING_MODEL_DIR,
        metricsFile: TRAINING_METRICS_FILE,
        echoMetrics: true,
        extraArguments: links,
        maxEnvironmentValue: LIMITS.trainingEnvironmentValue,
      });
      return {
        Name: copy.name,
        Type: 'Training',
        ...c.common(step),
        Arguments: {
          AlgorithmSpecification: {
            TrainingImage: image,
            TrainingInputMode: 'File',
            ContainerEntrypoint: entrypoint,
            ContainerArguments: launch.arguments,
            ...metricDefinitions,
          },
          RoleArn: c.target.roleArn,
          InputDataConfig: channels,
          OutputDataConfig: { S3OutputPath: outputPath(c, copy), ...kmsKey(c) },
          ResourceConfig: resources,
          StoppingCondition: { MaxRuntimeInSeconds: step.timeoutSeconds ?? DEFAULTS.trainingRuntimeSeconds },
          Environment: launch.environment,
        },
        ...cacheConfig(c, node.cache),
        ...retryPolicies(c, step, node.retry),
      };
    });
  },

  output(c: SageMakerCompilation, _producer: Step, copy: Copy, port: string, type: ArtifactType): Omit<SourcePart, 'item'> | undefined {
    if (port === MODEL_PORT && type === ArtifactType.MODEL) {
      return { uri: { Get: `Steps.${copy.name}.ModelArtifacts.S3ModelArtifacts` }, tarball: true };
    }
    if (isMetricsPort(port, type)) {
      // The metrics file is in /opt/ml/output/data, which SageMaker uploads as output.tar.gz next to the model.
      return {
        uri: { 'Std:Join': { On: '/', Values: [outputPath(c, copy), { Get: `Steps.${copy.name}.TrainingJobName` }, 'output', 'output.tar.gz'] } },
        tarball: true,
      };
    }
    return undefined;
  },

  metric(_c: SageMakerCompilation, producer: Step, name: string): ExpressionOrScalar {
    return { Get: `Steps.${producer.name}.FinalMetricDataList['${name}'].Value` };
  },

  requirements: containerRequirements('trainingJobs'),
};

/**
 * A collected input of a training job (or tuning trial): channels cannot nest, so it takes a
 * channel per item, which the launcher links into one directory named by the items.
 */
export function collectedChannels(c: SageMakerCompilation, step: Step, name: string, resolved: ResolvedSource, channels: TrainingChannel[], links: string[]): void {
  for (const part of resolved.parts) {
    const channelName = `${name}-${part.item}`;
    if (!CHANNEL_NAME.test(channelName)) {
      c.problem(step, `input '${name}' reads item '${part.item}' of '${resolved.producer?.name}' through the training channel '${channelName}', which is invalid (allowed: letters, digits, '.', '-' and '_', 1 to 64 chars); use a shorter input name or shorter items`);
    }
    channels.push(channel(channelName, part.uri));
    links.push('--collect-item', `${name}/${part.item}=${TRAINING_INPUT_ROOT}/${channelName}`);
  }
}

/** An S3Prefix channel of a training job, downloaded as files (tuning trials use it too). */
export function channel(name: string, s3Uri: StringValue): TrainingChannel {
  return {
    ChannelName: name,
    DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: s3Uri, S3DataDistributionType: 'FullyReplicated' } },
    InputMode: 'File',
    CompressionType: 'None',
  };
}

function outputPath(c: SageMakerCompilation, copy: Copy): string {
  return `s3://${c.target.bucketName}/${c.target.prefix}/${copy.name}`;
}

/** The regex SageMaker applies to a training job's log to read metric `name` ("[mlops-metric] name=value"). */
export function metricRegex(name: string): string {
  return `\\[mlops-metric\\] ${name}=([-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?)`;
}
