import { createHash } from 'crypto';
import { gpuPlacement } from '../../kubernetes';
import { ContainerStep } from '../../pipeline/container-step';
import * as contract from '../../pipeline/contract';
import { FailStep } from '../../pipeline/fail-step';
import { StepNode } from '../../pipeline/graph';
import { RegisterModelStep } from '../../pipeline/register-model-step';
import { ScriptStep } from '../../pipeline/script-step';
import { TrainingStep } from '../../pipeline/training-step';
import { LiteralValue, ParameterRef, StepArtifact } from '../../pipeline/values';
import { CacheKeys, maxAge } from './memoize';
import { stepTemplateName } from './names';
import { ArgoCompileOptions, ArgoVersion } from './options';
import {
  CODE_ARCHIVE_PATH, CODE_DIR, ITEM_PARAMETER, METRICS_FILE, MODEL_DIR, TMP_DIR, TMP_VOLUME, WORK_DIR, WORK_VOLUME,
  inputPath, metricValuePath, outputPath,
} from './paths';
import { containerResources, dropUndefined, UTILITY_RESOURCES } from './resources';
import { containerSecurityContext } from './security';

type Json = { [key: string]: any };

export const STEP_LABEL = 'mlops.cdk.io/step';

/** Everything a step template needs besides the step. */
export interface TemplateContext {
  readonly pipelineName: string;
  readonly options: ArgoCompileOptions;
  readonly cacheKeys: CacheKeys;
  readonly memoizeCache: string;
  readonly imageOf: (step: ContainerStep) => string;
  readonly utilityImage: string;
}

/** The volume a code ConfigMap is mounted from: named by a hash of the ConfigMap name, so it is stable. */
export function codeVolumeName(configMapName: string): string {
  return `mlops-code-${createHash('sha256').update(configMapName).digest('hex').slice(0, 10)}`;
}

export function containerStepTemplate(node: StepNode, ctx: TemplateContext): Json {
  const step = node.step as ContainerStep;
  const name = stepTemplateName(step.name);
  const inputParameters: Json[] = [];
  const args: string[] = ['--entry', step.entry];
  const env = (variable: string, value: string) => args.push('--env', `${variable}=${value}`);
  env(contract.ENGINE_VAR, 'argo');
  env(contract.PIPELINE_VAR, ctx.pipelineName);
  env(contract.STEP_VAR, step.name);
  env(contract.RUN_ID_VAR, '{{workflow.name}}');

  const inputArtifacts = Object.entries(step.inputs())
    .filter(([, source]) => source instanceof StepArtifact)
    .map(([input]) => {
      env(contract.inputVar(input), inputPath(input));
      return { name: input, path: inputPath(input) };
    });
  const outputArtifacts: Json[] = [];
  if (step instanceof ScriptStep) {
    for (const output of step.outputNames) {
      env(contract.outputVar(output), outputPath(output));
      outputArtifacts.push({ name: output, path: outputPath(output) });
    }
  }
  if (step instanceof TrainingStep) {
    env(contract.MODEL_DIR_VAR, MODEL_DIR);
    outputArtifacts.push({ name: 'model', path: MODEL_DIR });
  }
  env(contract.METRICS_FILE_VAR, METRICS_FILE);
  if (step instanceof ScriptStep && step.forEach) {
    inputParameters.push({ name: ITEM_PARAMETER });
    env(contract.ITEM_VAR, `{{inputs.parameters.${ITEM_PARAMETER}}}`);
  }
  for (const [param, value] of Object.entries(step.params)) {
    if (value instanceof ParameterRef) {
      inputParameters.push({ name: param });
      env(contract.paramVar(param), `{{inputs.parameters.${param}}}`);
    } else if (value instanceof LiteralValue) {
      env(contract.paramVar(param), contract.paramText(value.value));
    }
  }
  const metricTypes = step.metricTypes();
  for (const [metric, type] of Object.entries(metricTypes)) {
    args.push(type === 'string' ? '--string-metric' : '--metric', metric);
  }
  for (const metric of Object.keys(metricTypes)) {
    args.push('--metric-file', `${metric}=${metricValuePath(metric)}`);
  }
  if (step.arguments.length > 0) {
    args.push('--', ...step.arguments);
  }

  const resources = node.resources ?? {};
  const placement = resources.gpu ? gpuPlacement(ctx.options.gpu) : undefined;
  const retry = node.retry && node.retry.maxRetries > 0 ? node.retry : undefined;
  const cache = node.cache?.enabled ? node.cache : undefined;
  return dropUndefined({
    name,
    metadata: { labels: { [STEP_LABEL]: name } },
    inputs: nonEmpty({ parameters: list(inputParameters), artifacts: list(inputArtifacts) }),
    outputs: nonEmpty({
      parameters: list(Object.keys(metricTypes).map((metric) => ({ name: metric, valueFrom: { path: metricValuePath(metric) } }))),
      artifacts: list(outputArtifacts),
    }),
    container: dropUndefined({
      image: ctx.imageOf(step),
      command: ['python3', CODE_ARCHIVE_PATH],
      args,
      env: list(Object.entries(step.env).map(([variable, value]) => ({ name: variable, value }))),
      resources: containerResources({ ...dropUndefined(ctx.options.defaultResources ?? {}), ...dropUndefined(resources) }, ctx.options.gpu),
      securityContext: containerSecurityContext(),
      volumeMounts: [
        { name: codeVolumeName(ctx.options.codeConfigMapName(step.code)), mountPath: CODE_DIR, readOnly: true },
        { name: WORK_VOLUME, mountPath: WORK_DIR },
        { name: TMP_VOLUME, mountPath: TMP_DIR },
      ],
    }),
    nodeSelector: placement?.nodeSelector,
    tolerations: placement?.tolerations,
    activeDeadlineSeconds: step.timeoutSeconds,
    retryStrategy: retry && {
      limit: retry.maxRetries,
      // 'Always' retries a non-zero exit of the step (Failed) and infrastructure errors (Error).
      retryPolicy: 'Always',
      backoff: { duration: `${retry.intervalSeconds}s`, factor: retry.backoffRate },
    },
    memoize: cache && {
      key: ctx.cacheKeys.memoizeKey(step),
      maxAge: maxAge(cache.expireAfterHours),
      // Argo reads only the name; v3.7's CRD requires a key (a ConfigMapKeySelector), v4's has none.
      cache: { configMap: ctx.options.argoVersion === ArgoVersion.V3_7 ? { name: ctx.memoizeCache, key: 'entries' } : { name: ctx.memoizeCache } },
    },
  });
}

/** Prints the message on stderr and exits 1; needs only sh. */
export function failStepTemplate(step: FailStep, ctx: TemplateContext): Json {
  const name = stepTemplateName(step.name);
  return {
    name,
    metadata: { labels: { [STEP_LABEL]: name } },
    container: {
      image: ctx.utilityImage,
      command: ['sh', '-c', 'echo "$MLOPS_FAIL_MESSAGE" >&2; exit 1'],
      env: [{ name: 'MLOPS_FAIL_MESSAGE', value: `[mlops] step '${step.name}' failed the run: ${step.message}` }],
      resources: UTILITY_RESOURCES,
      securityContext: containerSecurityContext(),
    },
  };
}

/** Where a register-model step writes before Argo uploads it. */
const REGISTRY_DIR = `${WORK_DIR}/registry`;

/**
 * Registering a model on Argo: the model directory and a metadata JSON become a new version under
 * `<prefix>/<group>/<version>/` in the artifact repository (key-only S3 artifacts, not archived),
 * where version = the run's creation time (UTC, sortable) plus the workflow name, unique per run.
 */
const REGISTER_SCRIPT = [
  'import datetime, json, os, shutil',
  'e = os.environ',
  `out = ${JSON.stringify(REGISTRY_DIR)}`,
  'shutil.copytree(e["MLOPS_INPUT_MODEL"], os.path.join(out, "model"))',
  'meta = {',
  '    "group": e["MLOPS_MODEL_GROUP"], "version": e["MLOPS_MODEL_VERSION"], "approval": e["MLOPS_MODEL_APPROVAL"],',
  '    "modelKey": e["MLOPS_MODEL_KEY"], "pipeline": e["MLOPS_PIPELINE"], "runId": e["MLOPS_RUN_ID"],',
  '    "step": e["MLOPS_STEP"], "sourceStep": e["MLOPS_MODEL_SOURCE_STEP"], "inferenceImage": e.get("MLOPS_INFERENCE_IMAGE") or None,',
  '    "contentTypes": json.loads(e["MLOPS_CONTENT_TYPES"]), "responseTypes": json.loads(e["MLOPS_RESPONSE_TYPES"]),',
  '    "registeredAt": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),',
  '}',
  'with open(os.path.join(out, "metadata.json"), "w") as f:',
  '    json.dump(meta, f, indent=2, sort_keys=True)',
  'with open(os.path.join(out, "version"), "w") as f:',
  '    f.write(meta["version"])',
  'print("[mlops] registered %s version %s at %s" % (meta["group"], meta["version"], meta["modelKey"]))',
].join('\n');

export const MODEL_VERSION = [
  '{{workflow.creationTimestamp.Y}}{{workflow.creationTimestamp.m}}{{workflow.creationTimestamp.d}}',
  '{{workflow.creationTimestamp.H}}{{workflow.creationTimestamp.M}}{{workflow.creationTimestamp.S}}',
  '{{workflow.name}}',
].join('-');

export function registerModelTemplate(step: RegisterModelStep, ctx: TemplateContext): Json {
  const name = stepTemplateName(step.name);
  const prefix = `${ctx.options.modelRegistryPrefix ?? 'models'}/${step.group}/${MODEL_VERSION}`;
  const source = step.model as StepArtifact;
  const env: [string, string][] = [
    [contract.PIPELINE_VAR, ctx.pipelineName],
    [contract.STEP_VAR, step.name],
    [contract.RUN_ID_VAR, '{{workflow.name}}'],
    [contract.inputVar('model'), inputPath('model')],
    ['MLOPS_MODEL_GROUP', step.group],
    ['MLOPS_MODEL_VERSION', MODEL_VERSION],
    ['MLOPS_MODEL_APPROVAL', step.approval],
    ['MLOPS_MODEL_KEY', `${prefix}/model`],
    ['MLOPS_MODEL_SOURCE_STEP', source.producer.name],
    ['MLOPS_INFERENCE_IMAGE', step.image ?? ''],
    ['MLOPS_CONTENT_TYPES', JSON.stringify(step.contentTypes)],
    ['MLOPS_RESPONSE_TYPES', JSON.stringify(step.responseTypes)],
  ];
  return {
    name,
    metadata: { labels: { [STEP_LABEL]: name } },
    inputs: { artifacts: [{ name: 'model', path: inputPath('model') }] },
    outputs: {
      parameters: [{ name: 'version', valueFrom: { path: `${REGISTRY_DIR}/version` } }],
      artifacts: [
        { name: 'model', path: `${REGISTRY_DIR}/model`, archive: { none: {} }, s3: { key: `${prefix}/model` } },
        { name: 'metadata', path: `${REGISTRY_DIR}/metadata.json`, archive: { none: {} }, s3: { key: `${prefix}/metadata.json` } },
      ],
    },
    container: {
      image: ctx.utilityImage,
      command: ['python3', '-c', REGISTER_SCRIPT],
      env: env.map(([variable, value]) => ({ name: variable, value })),
      resources: UTILITY_RESOURCES,
      securityContext: containerSecurityContext(),
      volumeMounts: [
        { name: WORK_VOLUME, mountPath: WORK_DIR },
        { name: TMP_VOLUME, mountPath: TMP_DIR },
      ],
    },
  };
}

function list<T>(items: T[]): T[] | undefined {
  return items.length > 0 ? items : undefined;
}

function nonEmpty(o: Json): Json | undefined {
  const kept = dropUndefined(o);
  return Object.keys(kept).length > 0 ? kept : undefined;
}
