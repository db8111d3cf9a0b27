import { gpuPlacement, gpuSelectionProblem } from '../../../kubernetes';
import { katibExperiment, katibProblems, katibTuneArguments, TUNE_PORT } from '../../../kubernetes/katib';
import { katibTuneProgram } from '../../../kubernetes/katib-programs';
import { isA } from '../../../pipeline/brand';
import { mergeResources } from '../../../pipeline/resources';
import { StepNode } from '../../../pipeline/graph';
import { BEST_MODEL_PORT, BEST_PARAMETERS_PORT, TuneStep } from '../../../pipeline/steps/tune-step';
import { LiteralValue } from '../../../pipeline/values';
import { braceProblem, ENGINE } from '../checks';
import type { ArgoCompilation } from '../compilation';
import { dropUndefined } from '../json';
import { pipelineObjectName, stepTemplateName } from '../names';
import { inputPath, metricValuePath, MODEL_DIR, outputPath, TMP_DIR, TMP_VOLUME, WORK_DIR, WORK_VOLUME } from '../paths';
import { containerResources } from '../resources';
import { containerSecurityContext, podSecurityContext } from '../security';
import { STEP_LABEL } from '../step-templates';
import { ArgoStep, ArgoStepHandler } from './handler';

/** The tuning container streams inputs to the trials and keeps their models until the end. */
const TUNE_RESOURCES = { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } };

/**
 * A tuning step on Argo: one container template running katib_tune.py, which creates the step's
 * Katib Experiment (lib/kubernetes/katib.ts) and waits for it. Its inputs are the trial's, read
 * as any step reads them; its outputs are the best trial's model ('model'), its parameters.json
 * ('parameters') and the objective metric as an output parameter, which conditions read as they
 * read a training step's metric.
 */
export const TUNE_STEP: ArgoStepHandler = {
  compile(c: ArgoCompilation, node: StepNode): ArgoStep | undefined {
    const step = node.step as TuneStep;
    const trial = step.trial;
    const at = `step '${step.name}'`;
    const inputs = c.inputs(step);
    const image = c.utilityImage(step, "python3 (the tuning step's container runs katib_tune.py)");
    const trialImage = c.imageOf(trial);
    if (trialImage === undefined) {
      c.problems.push(`${at}: its trial '${trial.name}' has no container image, and ${ENGINE} runs every Katib trial in one; give the trial an image, or the engine a defaultImage, that has sh and python3 plus the packages '${trial.entry}' imports`);
    }
    const resources = mergeResources(c.graph.defaults.resources, trial.resources);
    const gpuProblem = gpuSelectionProblem(step.name, resources.gpu ?? 0, c.options.gpu, ENGINE);
    const retry = trial.retry ?? c.graph.defaults.retry;
    c.problems.push(...katibProblems(step, ENGINE, retry), ...(gpuProblem ? [gpuProblem] : []), ...trialBraceProblems(step));
    const configMap = typeof c.options.codeConfigMapName === 'function' ? c.options.codeConfigMapName(trial.code) : '';
    if (image === undefined || trialImage === undefined) {
      return undefined;
    }
    const placement = resources.gpu ? gpuPlacement(c.options.gpu) : undefined;
    const { experiment, parameterVariables } = katibExperiment(step, {
      engine: 'argo',
      pipelineName: c.pipelineName,
      image: trialImage,
      codeConfigMap: configMap,
      resources: { ...containerResources({ ...dropUndefined(c.options.defaultResources ?? {}), ...dropUndefined(resources) }, c.options.gpu) },
      podSecurityContext: podSecurityContext(c.options.podUser),
      containerSecurityContext: containerSecurityContext(),
      // The labels of every step pod (the workflow's podMetadata): the steps' network policies select them.
      podLabels: { 'app.kubernetes.io/managed-by': 'cdk-mlops', 'mlops.cdk.io/pipeline': c.options.name ?? pipelineObjectName(c.pipelineName), ...(c.options.labels ?? {}) },
      nodeSelector: placement?.nodeSelector,
      tolerations: placement?.tolerations,
      trackingUri: c.options.trackingUri,
    }, trial.timeoutSeconds);
    const refs = [...new Map(parameterVariables.map(([, ref]) => [ref.name, ref])).keys()].sort();
    const metric = step.objective.metric;
    const name = stepTemplateName(step.name);
    const args = katibTuneArguments(step, experiment, {
      inputs: inputs.map(([input]) => [input, inputPath(input)]),
      trialEnv: parameterVariables.map(([variable, ref]) => [variable, `{{inputs.parameters.${ref.name}}}`]),
      modelDir: MODEL_DIR,
      parametersDir: outputPath(BEST_PARAMETERS_PORT),
      metricFile: metricValuePath(metric),
    });
    const template = dropUndefined({
      name,
      metadata: { labels: { [STEP_LABEL]: name } },
      inputs: dropUndefined({
        parameters: refs.length > 0 ? refs.map((p) => ({ name: p })) : undefined,
        artifacts: inputs.length > 0 ? inputs.map(([, input]) => input.artifact) : undefined,
      }),
      outputs: {
        parameters: [{ name: metric, valueFrom: { path: metricValuePath(metric) } }],
        artifacts: [
          { name: BEST_MODEL_PORT, path: MODEL_DIR },
          { name: BEST_PARAMETERS_PORT, path: outputPath(BEST_PARAMETERS_PORT) },
        ],
      },
      container: {
        image,
        command: ['python3', '-c', katibTuneProgram()],
        args: [...args, '--work-dir', `${WORK_DIR}/tune`],
        env: [{ name: 'MLOPS_RUN_ID', value: '{{workflow.name}}' }],
        ports: [{ name: 'trials', containerPort: TUNE_PORT, protocol: 'TCP' }],
        resources: TUNE_RESOURCES,
        securityContext: containerSecurityContext(),
        volumeMounts: [
          { name: WORK_VOLUME, mountPath: WORK_DIR },
          { name: TMP_VOLUME, mountPath: TMP_DIR },
        ],
      },
    });
    return {
      templates: [template],
      task: {
        parameters: refs.map((p) => ({ name: p, value: `{{workflow.parameters.${p}}}` })),
        artifacts: inputs.flatMap(([, input]) => (input.argument ? [input.argument] : [])),
      },
    };
  },
};

/** Argo substitutes `{{` in the whole template, the Experiment in the arguments included. */
function trialBraceProblems(step: TuneStep): string[] {
  const trial = step.trial;
  const at = `step '${step.name}': trial '${trial.name}'`;
  return [
    ...trial.arguments.flatMap((a, i) => braceProblem(`${at}: argument ${i + 1}`, a)),
    ...Object.entries(trial.env).flatMap(([variable, value]) => braceProblem(`${at}: env ${variable}`, value)),
    ...Object.entries(trial.params).flatMap(([param, value]) => (isA(value, LiteralValue) && typeof value.value === 'string' ? braceProblem(`${at}: param '${param}'`, value.value) : [])),
    ...Object.entries(step.space).flatMap(([name, range]) => (range.values ?? []).flatMap((v) => braceProblem(`${at}: space '${name}' category`, v))),
  ];
}
