import { ArtifactType } from '../../../pipeline/artifacts';
import type { StepNode } from '../../../pipeline/graph';
import { StepKind } from '../../../pipeline/step';
import { ContainerStep } from '../../../pipeline/steps/container-step';
import { ValueType } from '../../../pipeline/values';
import { launchInvocation, LaunchTarget } from '../../../runtime/launch';
import * as contract from '../../../pipeline/contract';
import type { AirflowCompilation } from '../compilation';
import { call, py, PyExpr, PyValue } from '../python';
import { plainConfig, runDirValue, tableEntry } from '../sagemaker-table';
import {
  archiveName, CODE_INPUT, hasInstanceStorage, instanceTypeOf, jobNameTemplate, METRICS_OUTPUT, PROCESSING_CODE_DIR, PROCESSING_METRICS_DIR,
  PROCESSING_ROOT, runsKey, s3RunUri, SAGEMAKER_DEFAULT_TRAINING_SECONDS, SAGEMAKER_DEFAULT_VOLUME_GIB,
  SAGEMAKER_MAX_PROCESSING_SECONDS, TRAINING_INPUT_ROOT, TRAINING_METRICS_FILE, TRAINING_MODEL_DIR,
} from '../sagemaker';
import { isTarballSource } from '../sources/sagemaker';
import { AirflowTask, TaskArguments } from './handler';
import { DATA_INTERVAL, parameterTemplate } from './container';

type Config = { [key: string]: PyValue };

/**
 * A script step as a SageMaker processing job, a training step as a training job, started by the
 * amazon provider's SageMakerProcessingOperator / SageMakerTrainingOperator. The config is the
 * CreateProcessingJob / CreateTrainingJob request (templated by Airflow); the job runs the launcher
 * from the code archive with the launch contract of lib/runtime. forEach maps the operator over one
 * config per item (.partial/.expand).
 */
export function sageMakerJob(c: AirflowCompilation, node: StepNode, variable: string, common: TaskArguments): AirflowTask | undefined {
  const step = node.step as ContainerStep;
  const s = c.options.sagemaker!;
  const at = `step '${step.name}'`;
  const training = step.kind === StepKind.TRAINING;
  const codeUri = s.codeUri(step.code);
  const archive = archiveName(codeUri);
  if (archive === undefined) {
    c.problems.push(`${at}: sagemaker.codeUri gave ${JSON.stringify(codeUri)} for its code, which does not end in the archive's file name (e.g. 's3://bucket/assets/<hash>.zip'); SageMaker downloads the archive under that name and the job runs it, so it must be known at synth`);
  }
  const inputs = c.inputPaths(step);
  const timeout = step.timeoutSeconds;
  if (!training && timeout !== undefined && timeout > SAGEMAKER_MAX_PROCESSING_SECONDS) {
    c.problems.push(`${at}: timeoutSeconds ${timeout} is more than a SageMaker processing job may run (${SAGEMAKER_MAX_PROCESSING_SECONDS} s, 9 days); lower it or make the step a training step`);
  }
  if (training) {
    const others = Object.keys(step.outputPorts()).filter((p) => p !== 'model');
    if (others.length > 0) {
      c.problems.push(`${at}: declares output ports ${others.map((p) => `'${p}'`).join(', ')}, but a SageMaker training job writes only its model; write other data in a script step`);
    }
  }
  const instanceType = instanceTypeOf(node, s);
  const volume = node.resources?.diskGiB === undefined ? SAGEMAKER_DEFAULT_VOLUME_GIB : Math.ceil(node.resources.diskGiB);
  const volumeKey = s.kmsKeyArn !== undefined && !hasInstanceStorage(instanceType) ? { VolumeKmsKeyId: s.kmsKeyArn } : {};
  const outputKey = s.kmsKeyArn !== undefined ? { KmsKeyId: s.kmsKeyArn } : {};
  const image = step.image ?? s.defaultImage;
  c.useSageMaker({ job: step.kind === StepKind.TRAINING ? 'training' : 'processing', image });
  const tarballs = new Set(Object.entries(step.inputs()).filter(([, source]) => isTarballSource(source)).map(([name]) => name));
  const metricNames = Object.entries(step.metricTypes());
  const numeric = metricNames.filter(([, type]) => type === ValueType.NUMBER).map(([name]) => name);
  const ports = Object.entries(step.outputPorts());

  const config = (item?: string): Config => {
    const stepDir = (port: string) => item === undefined ? s3RunUri(step.name, port) : s3RunUri(step.name, port, item);
    const inputDir = (name: string) => training ? `${TRAINING_INPUT_ROOT}/${name}` : `${PROCESSING_ROOT}/input/${name}`;
    const target: LaunchTarget<PyExpr> = {
      engine: 'airflow',
      pipelineName: c.pipelineName,
      inputPath: (name) => inputDir(name),
      outputPath: (port: string, _type: ArtifactType) => training ? TRAINING_MODEL_DIR : `${PROCESSING_ROOT}/output/${port}`,
      metricsFile: training ? TRAINING_METRICS_FILE : `${PROCESSING_METRICS_DIR}/${contract.METRICS_FILE_NAME}`,
      runId: '{{ run_id }}',
      item,
      parameter: (ref) => parameterTemplate(ref),
      snapshotVersion: (_input, ref) => parameterTemplate(ref),
      trackingUri: c.options.trackingUri,
      dataInterval: DATA_INTERVAL,
      echoMetrics: training,
      unpack: (name) => tarballs.has(name),
    };
    const launch = launchInvocation(step, target);
    if (item === undefined || item === step.forEach?.[0]) {
      limitProblems(c, step, launch.arguments as string[], launch.environment as [string, string][], training ? 512 : 256);
    }
    const environment = Object.fromEntries(launch.environment.slice().sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) as Config;
    const entrypoint = ['python3', `${training ? `${TRAINING_INPUT_ROOT}/${CODE_INPUT}` : PROCESSING_CODE_DIR}/${archive ?? 'code.zip'}`];
    const name = jobNameTemplate(c.dagId, step.name, item);
    if (training) {
      return {
        TrainingJobName: name,
        RoleArn: s.roleArn,
        AlgorithmSpecification: {
          TrainingImage: image,
          TrainingInputMode: 'File',
          ContainerEntrypoint: entrypoint,
          ContainerArguments: launch.arguments,
          ...(numeric.length > 0 ? { MetricDefinitions: numeric.map((m) => ({ Name: m, Regex: metricRegex(m) })) } : {}),
        },
        InputDataConfig: [channel(CODE_INPUT, codeUri), ...[...inputs].map(([input, uri]) => channel(input, uri))],
        // SageMaker writes <S3OutputPath>/<job name>/output/model.tar.gz (and output.tar.gz).
        OutputDataConfig: { S3OutputPath: new PyExpr(`RUN_DIR + ${JSON.stringify(`/${[step.name, 'model', ...(item === undefined ? [] : [item])].join('/')}`)}`), ...outputKey },
        ResourceConfig: { InstanceType: instanceType, InstanceCount: 1, VolumeSizeInGB: volume, ...volumeKey },
        StoppingCondition: { MaxRuntimeInSeconds: timeout ?? SAGEMAKER_DEFAULT_TRAINING_SECONDS },
        Environment: environment,
      };
    }
    const outputs = ports.map(([port]) => processingOutput(port, stepDir(port), `${PROCESSING_ROOT}/output/${port}`));
    if (metricNames.length > 0) {
      outputs.push(processingOutput(METRICS_OUTPUT, stepDir(METRICS_OUTPUT), PROCESSING_METRICS_DIR));
    }
    return {
      ProcessingJobName: name,
      RoleArn: s.roleArn,
      AppSpecification: { ImageUri: image, ContainerEntrypoint: entrypoint, ContainerArguments: launch.arguments },
      ProcessingInputs: [processingInput(CODE_INPUT, codeUri, PROCESSING_CODE_DIR), ...[...inputs].map(([input, uri]) => processingInput(input, uri, inputDir(input)))],
      ...(outputs.length > 0 ? { ProcessingOutputConfig: { Outputs: outputs, ...outputKey } } : {}),
      ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: instanceType, VolumeSizeInGB: volume, ...volumeKey } },
      ...(timeout !== undefined ? { StoppingCondition: { MaxRuntimeInSeconds: timeout } } : {}),
      Environment: environment,
    };
  };

  const operator = training ? 'SageMakerTrainingOperator' : 'SageMakerProcessingOperator';
  const kwargs: TaskArguments = [
    ...common,
    ['aws_conn_id', new PyExpr('AWS_CONN_ID')],
    ['wait_for_completion', true],
    ['print_log', true],
    // A retry finds the failed attempt's job under the same name: start a new one, suffixed.
    ['action_if_job_exists', 'timestamp'],
  ];
  const items = step.forEach;
  // Built once: config() also checks SageMaker's limits, which add a problem per call.
  const built = items === undefined ? config() : undefined;
  if (built !== undefined) {
    // The step's own values in the JOBS table; processing_config / training_config build the same config at parse time.
    const defaults = { pipelineName: c.pipelineName, runDir: runDirValue(s.bucketName, runsKey(s)), options: s };
    const plain = plainConfig(built, defaults.runDir);
    const entry = plain === undefined ? undefined : tableEntry(step.name, training, plain, defaults);
    if (entry !== undefined) {
      c.addToStepTable(step, entry);
      const args = [...common.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${py(v)}`), '**SAGEMAKER_TASK', `config=${training ? 'training' : 'processing'}_config(${py(step.name)})`];
      return { code: `    ${variable} = ${operator}(${args.join(', ')})`, helpers: [training ? 'sagemaker_training' : 'sagemaker_processing', 'sagemaker_job_name', training ? 'job_table_training' : 'job_table_processing'] };
    }
  }
  const code = items === undefined
    ? call(operator, [...kwargs, ['config', built]], '    ')
    : `${call(`${operator}.partial`, kwargs, '    ')}${call('.expand', [['config', items.map((item) => config(item))]], '    ')}`;
  return { code: `    ${variable} = ${code}`, helpers: [training ? 'sagemaker_training' : 'sagemaker_processing', 'sagemaker_job_name'] };
}

/** SageMaker's limits on ContainerArguments and Environment (CreateProcessingJob, CreateTrainingJob). */
function limitProblems(c: AirflowCompilation, step: ContainerStep, args: string[], environment: [string, string][], maxValue: number): void {
  const at = `step '${step.name}'`;
  if (args.length > 100) {
    c.problems.push(`${at}: needs ${args.length} container arguments (the launcher's options plus the script's ${step.arguments.length}), but SageMaker takes at most 100; pass long lists in a file or a parameter`);
  }
  const long = args.find((a) => a.length > 256);
  if (long !== undefined) {
    c.problems.push(`${at}: argument ${JSON.stringify(long.slice(0, 40) + '...')} has ${long.length} characters, but SageMaker takes at most 256 per container argument; pass it in a file`);
  }
  if (environment.length > 100) {
    c.problems.push(`${at}: needs ${environment.length} environment variables, but a SageMaker job takes at most 100; pass fewer params or env entries`);
  }
  for (const [name, value] of environment) {
    if (value.length > maxValue && !value.includes('{{')) {
      c.problems.push(`${at}: environment variable ${name} is ${value.length} characters long, but this SageMaker job type takes at most ${maxValue}; shorten it or pass it in a file`);
    }
  }
}

function processingInput(name: string, uri: PyValue, localPath: string): Config {
  return { InputName: name, S3Input: { S3Uri: uri, LocalPath: localPath, S3DataType: 'S3Prefix', S3InputMode: 'File' } };
}

function processingOutput(name: string, uri: PyExpr, localPath: string): Config {
  return { OutputName: name, S3Output: { S3Uri: uri, LocalPath: localPath, S3UploadMode: 'EndOfJob' } };
}

/** An S3Prefix training channel, downloaded as files (tuning trials use it too). */
export function channel(name: string, uri: PyValue): Config {
  return {
    ChannelName: name,
    DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: uri, S3DataDistributionType: 'FullyReplicated' } },
    InputMode: 'File',
    CompressionType: 'None',
  };
}

/**
 * The regex SageMaker applies to a training job's log to read metric `name`: the launcher prints
 * "[mlops-metric] name=value" with --echo-metrics (the same line the SageMaker Pipelines compiler reads).
 */
export function metricRegex(name: string): string {
  return `\\[mlops-metric\\] ${name}=([-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?)`;
}
