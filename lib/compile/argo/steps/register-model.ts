import { EndpointHandOff } from '../../../kubernetes/endpoint-hand-off';
import { StepNode } from '../../../pipeline/graph';
import * as contract from '../../../pipeline/contract';
import { RegisterModelStep } from '../../../pipeline/steps/register-model-step';
import type { ArgoCompilation } from '../compilation';
import { stepTemplateName } from '../names';
import { CODE_ARCHIVE_PATH, CODE_DIR, inputPath, TMP_DIR, TMP_VOLUME, WORK_DIR, WORK_VOLUME } from '../paths';
import { UTILITY_RESOURCES } from '../resources';
import { containerSecurityContext } from '../security';
import { STEP_LABEL } from '../step-templates';
import { ArgoStep, ArgoStepHandler } from './handler';
import { withHandOffs } from './register-hand-off';

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
  'if e.get("MLOPS_INFERENCE"):',
  '    shutil.copyfile(e["MLOPS_INFERENCE_ARCHIVE"], os.path.join(out, "code.zip"))',
  '    meta["inference"] = dict(json.loads(e["MLOPS_INFERENCE"]), archive="code.zip")',
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

/**
 * A register-model step: a small python3 container that copies the model it reads (through the
 * source resolvers: a training step's model, or a model at a URI) into the registry layout; the
 * version is its output parameter 'version'.
 */
export const REGISTER_MODEL_STEP: ArgoStepHandler = {
  compile(c: ArgoCompilation, node: StepNode): ArgoStep | undefined {
    const step = node.step as RegisterModelStep;
    const image = c.utilityImage(step, 'python3');
    const model = c.inputs(step).find(([input]) => input === 'model')?.[1];
    if (model === undefined) {
      return undefined;
    }
    const handOffs: EndpointHandOff[] = (c.options.endpointHandOffs ?? []).filter((h) => h.registerStep === step.name);
    const own = stepTemplateName(step.name);
    // With hand-offs the step's task runs a DAG of the register container and one hand-off per endpoint.
    const name = handOffs.length > 0 ? `${own}-register` : own;
    const prefix = `${c.options.modelRegistryPrefix ?? 'models'}/${step.group}/${MODEL_VERSION}`;
    const env: [string, string][] = [
      [contract.PIPELINE_VAR, c.pipelineName],
      [contract.STEP_VAR, step.name],
      [contract.RUN_ID_VAR, '{{workflow.name}}'],
      [contract.inputVar('model'), inputPath('model')],
      ['MLOPS_MODEL_GROUP', step.group],
      ['MLOPS_MODEL_VERSION', MODEL_VERSION],
      ['MLOPS_MODEL_APPROVAL', step.approval],
      ['MLOPS_MODEL_KEY', `${prefix}/model`],
      ['MLOPS_MODEL_SOURCE_STEP', step.model.producer?.name ?? ''],
      ['MLOPS_INFERENCE_IMAGE', step.image ?? ''],
      ['MLOPS_CONTENT_TYPES', JSON.stringify(step.contentTypes)],
      ['MLOPS_RESPONSE_TYPES', JSON.stringify(step.responseTypes)],
      ...(step.inference ? [['MLOPS_INFERENCE', JSON.stringify({ entry: step.inference.entry, env: step.inference.env ?? {} })], ['MLOPS_INFERENCE_ARCHIVE', CODE_ARCHIVE_PATH]] as [string, string][] : []),
    ];
    // The serving code's archive (launcher and code), stored beside the model as code.zip.
    const inferenceOutput = step.inference ? [{ name: 'code', path: `${REGISTRY_DIR}/code.zip`, archive: { none: {} }, s3: { key: `${prefix}/code.zip` } }] : [];
    const inferenceMount = step.inference ? [{ name: c.codeVolume(step.inference.code), mountPath: CODE_DIR, readOnly: true }] : [];
    const register = {
      templates: [{
        name,
        metadata: { labels: { [STEP_LABEL]: name } },
        inputs: { artifacts: [model.artifact] },
        outputs: {
          parameters: [{ name: 'version', valueFrom: { path: `${REGISTRY_DIR}/version` } }],
          artifacts: [
            { name: 'model', path: `${REGISTRY_DIR}/model`, archive: { none: {} }, s3: { key: `${prefix}/model` } },
            { name: 'metadata', path: `${REGISTRY_DIR}/metadata.json`, archive: { none: {} }, s3: { key: `${prefix}/metadata.json` } },
            ...inferenceOutput,
          ],
        },
        container: {
          image,
          command: ['python3', '-c', REGISTER_SCRIPT],
          env: env.map(([variable, value]) => ({ name: variable, value })),
          resources: UTILITY_RESOURCES,
          securityContext: containerSecurityContext(),
          volumeMounts: [
            ...inferenceMount,
            { name: WORK_VOLUME, mountPath: WORK_DIR },
            { name: TMP_VOLUME, mountPath: TMP_DIR },
          ],
        },
      }],
      task: { artifacts: model.argument ? [model.argument] : [] },
    };
    return handOffs.length > 0 ? withHandOffs(c, step, { own, register, prefix, hasModelArgument: model.argument !== undefined, handOffs }) : register;
  },
};
