/**
 * 'sagemaker' executor: each processing / training job's own values as one JOBS entry, and the
 * helpers of the DAG file that build the operator's config from it at parse time. The scheduler
 * parses the file every 30 s; building 1,000 configs from a JSON table costs a few ms, compiling
 * them written out as literals costs ten times a hand-written DAG. `tableEntry` keeps a step in
 * the table only when `configFrom` (the helpers' twin) gives back the step's config exactly;
 * otherwise the config stays written out.
 */
import * as contract from '../../pipeline/contract';
import { AirflowSageMakerOptions } from './options';
import { PyExpr, PyValue } from './python';
import {
  hasInstanceStorage, PROCESSING_CODE_DIR, PROCESSING_METRICS_DIR, PROCESSING_ROOT, SAGEMAKER_DEFAULT_INSTANCE_TYPE,
  SAGEMAKER_DEFAULT_TRAINING_SECONDS, SAGEMAKER_DEFAULT_VOLUME_GIB, TRAINING_INPUT_ROOT, TRAINING_METRICS_FILE, TRAINING_MODEL_DIR,
} from './sagemaker';
import { metricRegex } from './steps/sagemaker-job';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Entry = { [key: string]: Json };

/** What the helpers read besides the entry: the DAG file's constants. */
export interface JobDefaults {
  readonly pipelineName: string;
  readonly runDir: string;
  readonly options: AirflowSageMakerOptions;
}

/** The `RUN_DIR` constant's value (sageMakerConstants). */
export function runDirValue(bucket: string, runsKey: string): string {
  return `s3://${bucket}/${runsKey}/{{ run_id }}`;
}

/** A config as the operator receives it: `RUN_DIR + "..."` and string literals evaluated; undefined when it holds other code. */
export function plainConfig(value: PyValue, runDir: string): Json | undefined {
  if (value instanceof PyExpr) {
    const m = /^(RUN_DIR \+ )?("(?:[^"\\]|\\.)*")$/.exec(value.code);
    return m ? (m[1] ? runDir : '') + JSON.parse(m[2]) : undefined;
  }
  if (Array.isArray(value)) {
    const items = value.map((v) => plainConfig(v, runDir));
    return items.includes(undefined) ? undefined : (items as Json[]);
  }
  if (value !== null && typeof value === 'object') {
    const out: Entry = {};
    for (const [k, v] of Object.entries(value)) {
      const p = plainConfig(v, runDir);
      if (p === undefined) {
        return undefined;
      }
      out[k] = p;
    }
    return out;
  }
  return value === undefined ? undefined : value;
}

/**
 * The step's JOBS entry, or undefined when the helpers would not give back `config` exactly.
 * Entry: job (the job name's prefix), code (the archive's URI), args, inputs ({name: URI}, under
 * the run's folder as "<step>/<port>/"), outputs (processing: ports), metrics (processing: true
 * when it writes metrics; training: the numeric metric names), env (what the launch contract adds
 * to the MLOPS_* the helper derives), and image, type, volume, timeout when not the defaults.
 */
export function tableEntry(step: string, training: boolean, config: Json, d: JobDefaults): Entry | undefined {
  const c = config as { [key: string]: any };
  const spec = training ? c.AlgorithmSpecification : c.AppSpecification;
  const inputs: [string, string][] = training
    ? c.InputDataConfig.slice(1).map((i: any) => [i.ChannelName, i.DataSource.S3DataSource.S3Uri])
    : c.ProcessingInputs.slice(1).map((i: any) => [i.InputName, i.S3Input.S3Uri]);
  const code: string = training ? c.InputDataConfig[0]?.DataSource.S3DataSource.S3Uri : c.ProcessingInputs[0]?.S3Input.S3Uri;
  const resources = training ? c.ResourceConfig : c.ProcessingResources.ClusterConfig;
  const outputs: string[] = (c.ProcessingOutputConfig?.Outputs ?? []).map((o: any) => o.OutputName);
  const metricsOutput = outputs.includes('mlops-metrics');
  const entry: Entry = {
    job: /^\{\{ sagemaker_job_name\('([A-Za-z0-9-]+)', /.exec(training ? c.TrainingJobName : c.ProcessingJobName)?.[1] ?? '',
    code,
    args: spec.ContainerArguments,
    ...(inputs.length > 0 ? { inputs: Object.fromEntries(inputs.map(([n, u]) => [n, u.startsWith(`${d.runDir}/`) ? u.slice(d.runDir.length + 1) : u])) } : {}),
    ...(training ? {} : outputs.length > (metricsOutput ? 1 : 0) ? { outputs: outputs.filter((o) => o !== 'mlops-metrics') } : {}),
    ...(training ? (spec.MetricDefinitions ? { metrics: spec.MetricDefinitions.map((m: any) => m.Name) } : {}) : metricsOutput ? { metrics: true } : {}),
    ...((training ? spec.TrainingImage : spec.ImageUri) !== d.options.defaultImage ? { image: training ? spec.TrainingImage : spec.ImageUri } : {}),
    ...(resources.InstanceType !== defaultType(d) ? { type: resources.InstanceType } : {}),
    ...(resources.VolumeSizeInGB !== SAGEMAKER_DEFAULT_VOLUME_GIB ? { volume: resources.VolumeSizeInGB } : {}),
    ...(d.options.kmsKeyArn !== undefined && hasInstanceStorage(resources.InstanceType) ? { instance_storage: true } : {}),
    ...(c.StoppingCondition !== undefined && (!training || c.StoppingCondition.MaxRuntimeInSeconds !== SAGEMAKER_DEFAULT_TRAINING_SECONDS)
      ? { timeout: c.StoppingCondition.MaxRuntimeInSeconds } : {}),
  };
  const derived = derivedEnvironment(step, training, entry, d);
  const extra = Object.entries(c.Environment as { [k: string]: string }).filter(([k, v]) => derived[k] !== v);
  if (extra.length > 0) {
    entry.env = Object.fromEntries(extra);
  }
  const rebuilt = configFrom(step, training, entry, d);
  return JSON.stringify(rebuilt) === JSON.stringify(config) ? entry : undefined;
}

function defaultType(d: JobDefaults): string {
  return d.options.defaultInstanceType ?? SAGEMAKER_DEFAULT_INSTANCE_TYPE;
}

function runUri(uri: string, d: JobDefaults): string {
  return uri.includes('://') || uri.startsWith('{{') ? uri : `${d.runDir}/${uri}`;
}

/** The helpers' twin: job_environment. */
function derivedEnvironment(step: string, training: boolean, e: Entry, d: JobDefaults): { [k: string]: string } {
  const env: { [k: string]: string } = {
    MLOPS_ENGINE: 'airflow', MLOPS_PIPELINE: d.pipelineName, MLOPS_STEP: step, MLOPS_RUN_ID: '{{ run_id }}',
    MLOPS_DATA_INTERVAL_START: '{{ data_interval_start }}', MLOPS_DATA_INTERVAL_END: '{{ data_interval_end }}',
    MLOPS_METRICS_FILE: training ? TRAINING_METRICS_FILE : `${PROCESSING_METRICS_DIR}/${contract.METRICS_FILE_NAME}`,
  };
  for (const name of Object.keys((e.inputs ?? {}) as Entry)) {
    env[`MLOPS_INPUT_${name.toUpperCase()}`] = training ? `${TRAINING_INPUT_ROOT}/${name}` : `${PROCESSING_ROOT}/input/${name}`;
  }
  if (training) {
    env.MLOPS_MODEL_DIR = TRAINING_MODEL_DIR;
  }
  for (const port of (e.outputs ?? []) as string[]) {
    env[`MLOPS_OUTPUT_${port.toUpperCase()}`] = `${PROCESSING_ROOT}/output/${port}`;
  }
  return env;
}

/** The helpers' twin: processing_config and training_config. */
function configFrom(step: string, training: boolean, e: Entry, d: JobDefaults): Json {
  const s = d.options;
  const kms = s.kmsKeyArn;
  const type = (e.type as string | undefined) ?? defaultType(d);
  const volumeKey: Entry = kms !== undefined && e.instance_storage !== true ? { VolumeKmsKeyId: kms } : {};
  const outputKey: Entry = kms !== undefined ? { KmsKeyId: kms } : {};
  const image = (e.image as string | undefined) ?? s.defaultImage;
  const archive = (e.code as string).split('/').pop();
  const name = `{{ sagemaker_job_name('${e.job}', '${step}', run_id) }}`;
  const inputs = Object.entries((e.inputs ?? {}) as { [k: string]: string });
  const env = { ...derivedEnvironment(step, training, e, d), ...((e.env ?? {}) as { [k: string]: string }) };
  const environment = Object.fromEntries(Object.entries(env).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
  const volume = (e.volume as number | undefined) ?? SAGEMAKER_DEFAULT_VOLUME_GIB;
  if (training) {
    const channel = (n: string, uri: string) => ({
      ChannelName: n, DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: uri, S3DataDistributionType: 'FullyReplicated' } }, InputMode: 'File', CompressionType: 'None',
    });
    const metrics = e.metrics as string[] | undefined;
    return {
      TrainingJobName: name,
      RoleArn: s.roleArn,
      AlgorithmSpecification: {
        TrainingImage: image, TrainingInputMode: 'File', ContainerEntrypoint: ['python3', `${TRAINING_INPUT_ROOT}/mlops-code/${archive}`], ContainerArguments: e.args,
        ...(metrics ? { MetricDefinitions: metrics.map((m) => ({ Name: m, Regex: metricRegex(m) })) } : {}),
      },
      InputDataConfig: [channel('mlops-code', e.code as string), ...inputs.map(([n, u]) => channel(n, runUri(u, d)))],
      OutputDataConfig: { S3OutputPath: `${d.runDir}/${step}/model`, ...outputKey },
      ResourceConfig: { InstanceType: type, InstanceCount: 1, VolumeSizeInGB: volume, ...volumeKey },
      StoppingCondition: { MaxRuntimeInSeconds: (e.timeout as number | undefined) ?? SAGEMAKER_DEFAULT_TRAINING_SECONDS },
      Environment: environment,
    };
  }
  const input = (n: string, uri: string, local: string) => ({ InputName: n, S3Input: { S3Uri: uri, LocalPath: local, S3DataType: 'S3Prefix', S3InputMode: 'File' } });
  const output = (n: string, local: string) => ({ OutputName: n, S3Output: { S3Uri: `${d.runDir}/${step}/${n}/`, LocalPath: local, S3UploadMode: 'EndOfJob' } });
  const outputs = ((e.outputs ?? []) as string[]).map((p) => output(p, `${PROCESSING_ROOT}/output/${p}`));
  if (e.metrics === true) {
    outputs.push(output('mlops-metrics', PROCESSING_METRICS_DIR));
  }
  return {
    ProcessingJobName: name,
    RoleArn: s.roleArn,
    AppSpecification: { ImageUri: image, ContainerEntrypoint: ['python3', `${PROCESSING_CODE_DIR}/${archive}`], ContainerArguments: e.args },
    ProcessingInputs: [input('mlops-code', e.code as string, PROCESSING_CODE_DIR), ...inputs.map(([n, u]) => input(n, runUri(u, d), `${PROCESSING_ROOT}/input/${n}`))],
    ...(outputs.length > 0 ? { ProcessingOutputConfig: { Outputs: outputs, ...outputKey } } : {}),
    ProcessingResources: { ClusterConfig: { InstanceCount: 1, InstanceType: type, VolumeSizeInGB: volume, ...volumeKey } },
    ...(e.timeout !== undefined ? { StoppingCondition: { MaxRuntimeInSeconds: e.timeout } } : {}),
    Environment: environment,
  };
}

/** The DAG file's helpers that build a job's config from its JOBS entry (configFrom's twin). */
export function jobTableHelpers(d: JobDefaults, kinds: Set<'processing' | 'training'>): string[] {
  const s = d.options;
  const [regexHead, regexTail] = metricRegex('\u0000').split('\u0000');
  const out = [
    '', '',
    '# What every job shares; each step\'s own values are its JOBS entry.',
    `ROLE_ARN = ${JSON.stringify(s.roleArn)}`,
    `DEFAULT_IMAGE = ${JSON.stringify(s.defaultImage)}`,
    `DEFAULT_INSTANCE_TYPE = ${JSON.stringify(defaultType(d))}`,
    `KMS_KEY = ${s.kmsKeyArn === undefined ? 'None' : JSON.stringify(s.kmsKeyArn)}`,
    'SAGEMAKER_TASK = {"aws_conn_id": AWS_CONN_ID, "wait_for_completion": True, "print_log": True, "action_if_job_exists": "timestamp"}',
    '',
    '',
    'def run_uri(uri):',
    '    """An input\'s URI: "<step>/<port>/" is in this run\'s folder."""',
    '    return uri if "://" in uri or uri.startswith("{{") else RUN_DIR + "/" + uri',
    '',
    '',
    'def job_environment(step, entry, training):',
    '    """The MLOPS_* launch contract in the job\'s container, sorted, with the entry\'s own env."""',
    '    env = {',
    '        "MLOPS_ENGINE": "airflow", "MLOPS_PIPELINE": PIPELINE, "MLOPS_STEP": step, "MLOPS_RUN_ID": "{{ run_id }}",',
    '        "MLOPS_DATA_INTERVAL_START": "{{ data_interval_start }}", "MLOPS_DATA_INTERVAL_END": "{{ data_interval_end }}",',
    `        "MLOPS_METRICS_FILE": ${JSON.stringify(TRAINING_METRICS_FILE)} if training else ${JSON.stringify(`${PROCESSING_METRICS_DIR}/${contract.METRICS_FILE_NAME}`)},`,
    '    }',
    `    root = ${JSON.stringify(TRAINING_INPUT_ROOT)} if training else ${JSON.stringify(`${PROCESSING_ROOT}/input`)}`,
    '    for name in entry.get("inputs", {}):',
    '        env["MLOPS_INPUT_" + name.upper()] = root + "/" + name',
    '    if training:',
    `        env["MLOPS_MODEL_DIR"] = ${JSON.stringify(TRAINING_MODEL_DIR)}`,
    '    for port in entry.get("outputs", []):',
    `        env["MLOPS_OUTPUT_" + port.upper()] = ${JSON.stringify(`${PROCESSING_ROOT}/output/`)} + port`,
    '    env.update(entry.get("env", {}))',
    '    return dict(sorted(env.items()))',
    '',
    '',
    'def job_resources(entry, resources):',
    '    """Adds instance type and volume; the volume\'s KMS key unless the type has instance storage (SageMaker rejects it)."""',
    '    resources.setdefault("InstanceType", entry.get("type", DEFAULT_INSTANCE_TYPE))',
    '    resources.setdefault("InstanceCount", 1)',
    `    resources["VolumeSizeInGB"] = entry.get("volume", ${SAGEMAKER_DEFAULT_VOLUME_GIB})`,
    '    if KMS_KEY is not None and not entry.get("instance_storage", False):',
    '        resources["VolumeKmsKeyId"] = KMS_KEY',
    '    return resources',
  ];
  if (kinds.has('processing')) {
    out.push(
      '', '',
      'def s3_input(name, uri, local_path):',
      '    return {"InputName": name, "S3Input": {"S3Uri": uri, "LocalPath": local_path, "S3DataType": "S3Prefix", "S3InputMode": "File"}}',
      '',
      '',
      'def s3_output(step, name, local_path):',
      '    return {"OutputName": name, "S3Output": {"S3Uri": RUN_DIR + "/" + step + "/" + name + "/", "LocalPath": local_path, "S3UploadMode": "EndOfJob"}}',
      '',
      '',
      'def processing_config(step):',
      '    """The CreateProcessingJob request of `step` (Airflow renders its templates when the task runs)."""',
      '    entry = JOBS[step]',
      `    outputs = [s3_output(step, port, ${JSON.stringify(`${PROCESSING_ROOT}/output/`)} + port) for port in entry.get("outputs", [])]`,
      '    if entry.get("metrics"):',
      `        outputs.append(s3_output(step, "mlops-metrics", ${JSON.stringify(PROCESSING_METRICS_DIR)}))`,
      '    config = {',
      '        "ProcessingJobName": "{{ sagemaker_job_name(\'" + entry["job"] + "\', \'" + step + "\', run_id) }}",',
      '        "RoleArn": ROLE_ARN,',
      '        "AppSpecification": {',
      '            "ImageUri": entry.get("image", DEFAULT_IMAGE),',
      `            "ContainerEntrypoint": ["python3", ${JSON.stringify(`${PROCESSING_CODE_DIR}/`)} + entry["code"].split("/")[-1]],`,
      '            "ContainerArguments": entry["args"],',
      '        },',
      `        "ProcessingInputs": [s3_input("mlops-code", entry["code"], ${JSON.stringify(PROCESSING_CODE_DIR)})]`,
      `        + [s3_input(name, run_uri(uri), ${JSON.stringify(`${PROCESSING_ROOT}/input/`)} + name) for name, uri in entry.get("inputs", {}).items()],`,
      '    }',
      '    if outputs:',
      '        config["ProcessingOutputConfig"] = {"Outputs": outputs, **({} if KMS_KEY is None else {"KmsKeyId": KMS_KEY})}',
      '    config["ProcessingResources"] = {"ClusterConfig": job_resources(entry, {"InstanceCount": 1})}',
      '    if "timeout" in entry:',
      '        config["StoppingCondition"] = {"MaxRuntimeInSeconds": entry["timeout"]}',
      '    config["Environment"] = job_environment(step, entry, False)',
      '    return config',
    );
  }
  if (kinds.has('training')) {
    out.push(
      '', '',
      'def channel(name, uri):',
      '    return {"ChannelName": name, "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": uri, "S3DataDistributionType": "FullyReplicated"}}, "InputMode": "File", "CompressionType": "None"}',
      '',
      '',
      'def training_config(step):',
      '    """The CreateTrainingJob request of `step`; SageMaker writes RUN_DIR/<step>/model/<job name>/output/model.tar.gz."""',
      '    entry = JOBS[step]',
      '    algorithm = {',
      '        "TrainingImage": entry.get("image", DEFAULT_IMAGE),',
      '        "TrainingInputMode": "File",',
      `        "ContainerEntrypoint": ["python3", ${JSON.stringify(`${TRAINING_INPUT_ROOT}/mlops-code/`)} + entry["code"].split("/")[-1]],`,
      '        "ContainerArguments": entry["args"],',
      '    }',
      '    if "metrics" in entry:',
      '        # The launcher prints "[mlops-metric] name=value" (--echo-metrics); SageMaker reads the log with these.',
      `        algorithm["MetricDefinitions"] = [{"Name": m, "Regex": ${JSON.stringify(regexHead)} + m + ${JSON.stringify(regexTail)}} for m in entry["metrics"]]`,
      '    return {',
      '        "TrainingJobName": "{{ sagemaker_job_name(\'" + entry["job"] + "\', \'" + step + "\', run_id) }}",',
      '        "RoleArn": ROLE_ARN,',
      '        "AlgorithmSpecification": algorithm,',
      '        "InputDataConfig": [channel("mlops-code", entry["code"])] + [channel(name, run_uri(uri)) for name, uri in entry.get("inputs", {}).items()],',
      '        "OutputDataConfig": {"S3OutputPath": RUN_DIR + "/" + step + "/model", **({} if KMS_KEY is None else {"KmsKeyId": KMS_KEY})},',
      '        "ResourceConfig": job_resources(entry, {}),',
      `        "StoppingCondition": {"MaxRuntimeInSeconds": entry.get("timeout", ${SAGEMAKER_DEFAULT_TRAINING_SECONDS})},`,
      '        "Environment": job_environment(step, entry, True),',
      '    }',
    );
  }
  return out;
}
