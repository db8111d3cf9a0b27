import type { StepNode } from '../../../pipeline/graph';
import * as contract from '../../../pipeline/contract';
import { RegisterModelStep } from '../../../pipeline/steps/register-model-step';
import { AirflowCompilation, POD_CODE_DIR } from '../compilation';
import { call, PyExpr, PyValue } from '../python';
import { AirflowStepHandler, AirflowTask, TaskArguments } from './handler';
import { podTaskArguments } from './pod';
import { sageMakerRegister } from './sagemaker-register';

/**
 * Registers a model the way the local registry lays it out (`mlops serve --local` reads it):
 * `<registry>/<group>/<version>/{metadata.json, model/, code/ or code.zip}`; prints the version
 * and, in a pod, pushes it as XCom. Run with `python3 -c` from the environment below.
 */
export const REGISTER_SCRIPT = [
  'import datetime, json, os, shutil',
  'e = os.environ',
  'out = os.path.join(e["MLOPS_REGISTRY_DIR"], e["MLOPS_MODEL_GROUP"], e["MLOPS_MODEL_VERSION"])',
  'shutil.copytree(e["MLOPS_INPUT_MODEL"], os.path.join(out, "model"), dirs_exist_ok=True)',
  'meta = {',
  '    "group": e["MLOPS_MODEL_GROUP"], "version": e["MLOPS_MODEL_VERSION"], "approval": e["MLOPS_MODEL_APPROVAL"],',
  '    "pipeline": e["MLOPS_PIPELINE"], "runId": e["MLOPS_RUN_ID"], "step": e["MLOPS_STEP"],',
  '    "sourceStep": e["MLOPS_MODEL_SOURCE_STEP"], "inferenceImage": e.get("MLOPS_INFERENCE_IMAGE") or None,',
  '    "contentTypes": json.loads(e["MLOPS_CONTENT_TYPES"]), "responseTypes": json.loads(e["MLOPS_RESPONSE_TYPES"]),',
  '    "registeredAt": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),',
  '}',
  'if e.get("MLOPS_INFERENCE"):',
  '    meta["inference"] = json.loads(e["MLOPS_INFERENCE"])',
  '    if e.get("MLOPS_INFERENCE_ARCHIVE"):',
  '        shutil.copyfile(e["MLOPS_INFERENCE_ARCHIVE"], os.path.join(out, "code.zip"))',
  '    else:',
  '        shutil.copytree(e["MLOPS_INFERENCE_DIR"], os.path.join(out, "code"), dirs_exist_ok=True)',
  'with open(os.path.join(out, "metadata.json"), "w") as f:',
  '    json.dump(meta, f, indent=2, sort_keys=True)',
  'if os.path.isdir("/airflow/xcom"):',
  '    with open("/airflow/xcom/return.json", "w") as f:',
  '        json.dump({"version": meta["version"]}, f)',
  'print("[mlops] registered %s version %s at %s" % (meta["group"], meta["version"], out))',
].join('\n');

/** The version a run registers: its run id without the characters a folder name should not have. */
export const MODEL_VERSION = "{{ run_id | replace(':', '') | replace('+', '') }}";

/**
 * A register-model step: REGISTER_SCRIPT on the worker ('python') or in a small pod ('kubernetes');
 * a SageMaker model version on 'sagemaker' (sagemaker-register.ts).
 */
export const REGISTER_MODEL_STEP: AirflowStepHandler = {
  compile(c: AirflowCompilation, node: StepNode, variable: string, common: TaskArguments): AirflowTask | undefined {
    if (c.executor === 'sagemaker') {
      return sageMakerRegister(c, node, variable, common);
    }
    const step = node.step as RegisterModelStep;
    const model = c.inputPaths(step).get('model');
    if (model === undefined) {
      return undefined;
    }
    const kubernetes = c.executor === 'kubernetes';
    const configMap = kubernetes && step.inference ? c.codeConfigMap(step.inference.code) : undefined;
    const inferenceCode: [string, PyValue][] = !step.inference ? [] : [
      ['MLOPS_INFERENCE', JSON.stringify({ entry: step.inference.entry, env: step.inference.env ?? {} })],
      kubernetes
        ? (configMap !== undefined ? ['MLOPS_INFERENCE_ARCHIVE', `${POD_CODE_DIR}/code.zip`] : ['MLOPS_INFERENCE_DIR', POD_CODE_DIR])
        : ['MLOPS_INFERENCE_DIR', new PyExpr(`os.path.join(DAGS_FOLDER, ${JSON.stringify(c.codeFolder(step.inference.code))})`)],
    ];
    const environment: { [k: string]: PyValue } = Object.fromEntries([
      [contract.ENGINE_VAR, 'airflow'],
      [contract.PIPELINE_VAR, c.pipelineName],
      [contract.STEP_VAR, step.name],
      [contract.RUN_ID_VAR, '{{ run_id }}'],
      [contract.inputVar('model'), model],
      ['MLOPS_REGISTRY_DIR', new PyExpr('REGISTRY_DIR')],
      ['MLOPS_MODEL_GROUP', step.group],
      ['MLOPS_MODEL_VERSION', MODEL_VERSION],
      ['MLOPS_MODEL_APPROVAL', step.approval],
      ['MLOPS_MODEL_SOURCE_STEP', step.model.producer?.name ?? ''],
      ['MLOPS_INFERENCE_IMAGE', step.image ?? ''],
      ['MLOPS_CONTENT_TYPES', JSON.stringify(step.contentTypes)],
      ['MLOPS_RESPONSE_TYPES', JSON.stringify(step.responseTypes)],
      ...inferenceCode,
    ]);
    if (!kubernetes) {
      return { code: `    ${variable} = ${call('register_model.override', common, '    ')}${call('', [['environment', environment]], '    ')}`, helpers: ['register_model'] };
    }
    const k = c.options.kubernetes!;
    const image = k.utilityImage ?? k.defaultImage;
    if (image === undefined) {
      c.problems.push(`step '${step.name}': a register-model step runs as a small pod on Airflow's 'kubernetes' executor and needs an image with python3; set kubernetes.utilityImage or kubernetes.defaultImage`);
      return undefined;
    }
    const kwargs: TaskArguments = [
      ...common,
      ['namespace', new PyExpr('NAMESPACE')],
      ['image', image],
      ['cmds', ['python3', '-c', new PyExpr('REGISTER_SCRIPT')]],
      ['env_vars', environment],
      ['container_resources', new PyExpr('UTILITY_RESOURCES')],
      ...podTaskArguments(k, configMap, true),
    ];
    return { code: `    ${variable} = ${call('KubernetesPodOperator', kwargs, '    ')}`, helpers: ['kubernetes', 'register_script'] };
  },
};
