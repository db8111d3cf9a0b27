import { gpuPlacement } from '../../kubernetes';
import { ArtifactType } from '../../pipeline/artifacts';
import { isA } from '../../pipeline/brand';
import { ContainerStep } from '../../pipeline/steps/container-step';
import * as contract from '../../pipeline/contract';
import { StepNode } from '../../pipeline/graph';
import { ParameterRef } from '../../pipeline/values';
import { launchInvocation } from '../../runtime/launch';
import { collectedPrefix, ITEM_VALUE, METRICS_ARTIFACT } from './collected';
import type { ArgoCompilation } from './compilation';
import { dropUndefined, Json, list, nonEmpty } from './json';
import { stepTemplateName } from './names';
import {
  CODE_ARCHIVE_PATH, CODE_DIR, ITEM_PARAMETER, MEMO_PARAMETER, METRICS_FILE, STEP_PARAMETER, STEP_VALUE, TMP_DIR, TMP_VOLUME, WORK_DIR, WORK_VOLUME,
  inputPath, metricValuePath,
} from './paths';
import { containerResources } from './resources';
import { containerSecurityContext } from './security';
import type { ArgoInput } from './sources';

export const STEP_LABEL = 'mlops.cdk.io/step';

/**
 * The parameters a container step's task passes to its template: what differs between steps that
 * share it (the name, the memoize key's stem), before the item and pipeline parameters.
 */
export function templateArguments(c: ArgoCompilation, node: StepNode, step: ContainerStep): Json[] {
  return [
    { name: STEP_PARAMETER, value: step.name },
    ...(node.cache?.isEnabled ? [{ name: MEMO_PARAMETER, value: c.cacheKeys.memoizeStem(step) }] : []),
  ];
}

/** The params of a step that are pipeline parameters, which reach the template as input parameters. */
export function parameterRefs(step: ContainerStep): [string, ParameterRef][] {
  return Object.entries(step.params).filter((entry): entry is [string, ParameterRef] => isA(entry[1], ParameterRef));
}

/**
 * The container template of a step that runs user code: `python3 code.zip <launcher arguments>`,
 * the arguments and MLOPS_* variables from the launch contract (as `--env` flags, because Argo
 * substitutes its placeholders in arguments), the user's env as container env. The ports a later
 * step collects from a forEach step are written to fixed keys per item (collected.ts).
 */
export function containerTemplate(
  c: ArgoCompilation,
  node: StepNode,
  step: ContainerStep,
  inputs: [string, ArgoInput][],
  outputPath: (port: string, type: ArtifactType) => string,
): Json {
  const name = stepTemplateName(step.name);
  const fanOut = step.forEach !== undefined;
  const invocation = launchInvocation(step, {
    engine: 'argo',
    pipelineName: c.pipelineName,
    stepName: STEP_VALUE,
    inputPath: (input) => inputPath(input),
    outputPath,
    metricsFile: METRICS_FILE,
    runId: '{{workflow.name}}',
    item: fanOut ? ITEM_VALUE : undefined,
    parameter: (_ref, param) => `{{inputs.parameters.${param}}}`,
    snapshotVersion: (_input, ref) => `{{workflow.parameters.${ref.name}}}`,
    contractVariables: 'arguments',
    metricFile: metricValuePath,
    trackingUri: c.options.trackingUri,
  });
  const retry = node.retry && node.retry.maxRetries > 0 ? node.retry : undefined;
  const cache = node.cache?.isEnabled ? node.cache : undefined;
  const inputParameters = [
    { name: STEP_PARAMETER },
    ...(cache ? [{ name: MEMO_PARAMETER }] : []),
    ...(fanOut ? [{ name: ITEM_PARAMETER }] : []),
    ...parameterRefs(step).map(([param]) => ({ name: param })),
  ];
  const collected = c.collected(step);
  const keyed = (prefix: string, file = '') => ({ archive: { none: {} }, s3: { key: `${prefix}/${ITEM_VALUE}${file}` } });
  const outputArtifacts: Json[] = Object.entries(step.outputPorts()).map(([port, type]) => ({
    name: port,
    path: outputPath(port, type),
    ...(fanOut && collected.ports.has(port) ? keyed(collectedPrefix(step, port, false)) : {}),
  }));
  if (fanOut && collected.metrics) {
    outputArtifacts.push({ name: METRICS_ARTIFACT, path: METRICS_FILE, ...keyed(collectedPrefix(step, '', true), `/${contract.METRICS_FILE_NAME}`) });
  }
  const metrics = Object.keys(step.metricTypes());

  const resources = node.resources ?? {};
  const placement = resources.gpu ? gpuPlacement(c.options.gpu) : undefined;
  return dropUndefined({
    name,
    metadata: { labels: { [STEP_LABEL]: STEP_VALUE } },
    inputs: nonEmpty({ parameters: list(inputParameters), artifacts: list(inputs.map(([, input]) => input.artifact)) }),
    outputs: nonEmpty({
      parameters: list(metrics.map((metric) => ({ name: metric, valueFrom: { path: metricValuePath(metric) } }))),
      artifacts: list(outputArtifacts),
    }),
    container: dropUndefined({
      image: c.imageOf(step),
      command: ['python3', CODE_ARCHIVE_PATH],
      args: invocation.arguments,
      env: list(invocation.environment.map(([variable, value]) => ({ name: variable, value }))),
      resources: containerResources({ ...dropUndefined(c.options.defaultResources ?? {}), ...dropUndefined(resources) }, c.options.gpu),
      securityContext: containerSecurityContext(),
      volumeMounts: [
        { name: c.codeVolume(step.code), mountPath: CODE_DIR, readOnly: true },
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
    memoize: cache && c.memoize(step, cache),
  });
}
