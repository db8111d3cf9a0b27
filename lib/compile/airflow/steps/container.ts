import { cpuQuantity, gibQuantity, gpuPlacement, GpuScheduling } from '../../../kubernetes';
import { ArtifactType } from '../../../pipeline/artifacts';
import { isA } from '../../../pipeline/brand';
import type { StepNode } from '../../../pipeline/graph';
import { Resources } from '../../../pipeline/resources';
import { ContainerStep } from '../../../pipeline/steps/container-step';
import { LiteralValue, ParameterRef, ValueType } from '../../../pipeline/values';
import { LAUNCHER_FILE_NAME } from '../../../runtime/paths';
import { launchInvocation, LaunchTarget } from '../../../runtime/launch';
import { ENGINE } from '../checks';
import { AirflowCompilation, POD_CODE_DIR } from '../compilation';
import { call, hasJinja, py, PyExpr, PyValue } from '../python';
import { AirflowStepHandler, AirflowTask, TaskArguments } from './handler';
import { podTaskArguments } from './pod';
import { sageMakerJob } from './sagemaker-job';
import { DATA_INTERVAL, stepEntry } from './step-entry';

export { DATA_INTERVAL } from './step-entry';

/** Resources where neither the step nor the pipeline say ('kubernetes' executor). */
export const FALLBACK_RESOURCES: Resources = { cpu: 0.5, memoryGiB: 1 };

/**
 * A step that runs user code through the launcher, with the launch contract of lib/runtime:
 * 'python' runs the launcher in a subprocess of the worker (task `run_step` with the step's STEPS
 * entry, or `run_launcher` with its values inline), 'kubernetes' in a
 * KubernetesPodOperator pod, 'sagemaker' in a SageMaker job (sagemaker-job.ts). forEach maps the task over one environment per item (.partial/.expand).
 */
export const CONTAINER_STEP: AirflowStepHandler = {
  compile(c: AirflowCompilation, node: StepNode, variable: string, common: TaskArguments): AirflowTask | undefined {
    const step = node.step as ContainerStep;
    const at = `step '${step.name}'`;
    const templated = [
      ...step.arguments.map((a, i) => [`argument ${i + 1}`, a]),
      ...Object.entries(step.env).map(([k, v]) => [`env ${k}`, v]),
      ...Object.entries(step.params).filter(([, v]) => isA(v, LiteralValue) && typeof (v as LiteralValue).value === 'string').map(([k, v]) => [`param '${k}'`, (v as LiteralValue).value as string]),
      ...(step.forEach ?? []).map((item) => [`forEach item ${JSON.stringify(item)}`, item]),
    ];
    for (const [what, text] of templated) {
      if (hasJinja(text)) {
        c.problems.push(`${at}: ${what} contains '{{', '{%' or '{#', which Airflow renders as a Jinja template; remove the braces, or pass the value in a file`);
      }
    }
    for (const item of step.forEach ?? []) {
      if (!/^[A-Za-z0-9_.-]+$/.test(item) || item === '.' || item === '..') {
        c.problems.push(`${at}: forEach item ${JSON.stringify(item)} names the item's output folder on ${ENGINE}, so it may hold only letters, digits, '_', '.' and '-'; rename the item`);
      }
    }
    if (c.executor === 'sagemaker') {
      return sageMakerJob(c, node, variable, common);
    }
    const inputs = c.inputPaths(step);
    const kubernetes = c.executor === 'kubernetes';
    const image = step.image ?? c.options.kubernetes?.defaultImage;
    if (kubernetes && image === undefined) {
      c.problems.push(`${at}: sets no image, and the kubernetes options give no defaultImage; set the step's image or kubernetes.defaultImage (an image with python3 and the step's packages)`);
    }
    const codeDir = kubernetes ? undefined : c.codeFolder(step.code);
    const invocation = (item?: string) => {
      const target: LaunchTarget<PyExpr> = {
        engine: 'airflow',
        pipelineName: c.pipelineName,
        inputPath: (name) => inputs.get(name) ?? new PyExpr('None'),
        outputPath: (port: string, _type: ArtifactType) => c.outputPath(step, port, item),
        metricsFile: c.metricsFile(step, item),
        runId: '{{ run_id }}',
        item,
        parameter: (ref: ParameterRef) => parameterTemplate(ref),
        snapshotVersion: (_input: string, ref: ParameterRef) => parameterTemplate(ref),
        codeDir,
        trackingUri: c.options.trackingUri,
        dataInterval: DATA_INTERVAL,
      };
      const launch = launchInvocation(step, target);
      return { arguments: launch.arguments, environment: Object.fromEntries(launch.environment) as { [k: string]: PyValue } };
    };
    const items = step.forEach;
    const first = invocation(items?.[0]);
    const environments = items?.map((item) => invocation(item).environment);
    const pushMetrics = step.metricNames.length > 0;
    if (!kubernetes) {
      // Mapped tasks (forEach) keep their environments inline: their expand() list is what the UI shows per item.
      const entry = environments === undefined ? stepEntry(step, c.pipelineName, first.arguments, first.environment) : undefined;
      if (entry !== undefined) {
        c.addToStepTable(step, entry);
        return { code: `    ${variable} = ${call('run_step.override', common, '    ')}(step=${py(step.name)})`, helpers: ['run_step'] };
      }
      const override = call('run_launcher.override', common, '    ');
      const code = environments === undefined
        ? `${override}${call('', [['arguments', first.arguments], ['environment', first.environment]], '    ')}`
        : `${override}${call('.partial', [['arguments', first.arguments]], '    ')}${call('.expand', [['environment', environments]], '    ')}`;
      return { code: `    ${variable} = ${code}`, helpers: ['run_launcher'] };
    }
    const k = c.options.kubernetes!;
    const configMap = c.codeConfigMap(step.code);
    const launcherFile = configMap !== undefined ? `${POD_CODE_DIR}/code.zip` : `${POD_CODE_DIR}/${LAUNCHER_FILE_NAME}`;
    const kwargs: TaskArguments = [
      ...common,
      ['namespace', new PyExpr('NAMESPACE')],
      ['image', image],
      ['cmds', pushMetrics ? ['sh', '-c', new PyExpr('PUSH_METRICS'), launcherFile] : ['python3', launcherFile]],
      ['arguments', first.arguments],
      ...(environments === undefined ? [['env_vars', first.environment] as [string, PyValue]] : []),
      ['container_resources', podResources(node.resources ?? {}, k.gpu)],
      ...gpuArguments(node.resources?.gpu ?? 0, k.gpu),
      ...podTaskArguments(k, configMap, pushMetrics),
    ];
    const code = environments === undefined
      ? call('KubernetesPodOperator', kwargs, '    ')
      : `${call('KubernetesPodOperator.partial', kwargs, '    ')}${call('.expand', [['env_vars', environments]], '    ')}`;
    return { code: `    ${variable} = ${code}`, helpers: ['kubernetes'] };
  },
};

/** A parameter as the launch contract's text: booleans as 'true'/'false', the rest as Jinja prints them. */
export function parameterTemplate(ref: ParameterRef): string {
  return ref.type === ValueType.BOOLEAN
    ? `{{ 'true' if params.${ref.name} else 'false' }}`
    : `{{ params.${ref.name} }}`;
}

/** Requests equal limits (Guaranteed QoS); GPUs as limits only, as Kubernetes requires. */
export function podResources(resources: Resources, gpu: GpuScheduling | undefined): PyExpr {
  const requests: { [k: string]: string } = {
    cpu: cpuQuantity(resources.cpu ?? FALLBACK_RESOURCES.cpu!),
    memory: gibQuantity(resources.memoryGiB ?? FALLBACK_RESOURCES.memoryGiB!),
  };
  if (resources.diskGiB !== undefined) {
    requests['ephemeral-storage'] = gibQuantity(resources.diskGiB);
  }
  const limits: { [k: string]: string } = { ...requests };
  if (resources.gpu !== undefined && resources.gpu > 0) {
    limits[gpuPlacement(gpu).resourceName] = String(resources.gpu);
  }
  return new PyExpr(`k8s.V1ResourceRequirements(requests=${py(requests)}, limits=${py(limits)})`);
}

/** A GPU step's node_selector and tolerations (lib/kubernetes gpuPlacement, shared with Argo and KFP). */
function gpuArguments(gpus: number, gpu: GpuScheduling | undefined): TaskArguments {
  if (gpus <= 0) {
    return [];
  }
  const placement = gpuPlacement(gpu);
  const tolerations = placement.tolerations.map((t) => new PyExpr(`k8s.V1Toleration(${Object.entries({
    key: t.key, operator: t.operator, value: t.value, effect: t.effect, toleration_seconds: t.tolerationSeconds,
  }).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${py(v as PyValue)}`).join(', ')})`));
  return [
    ['node_selector', placement.nodeSelector],
    ['tolerations', tolerations],
  ];
}
