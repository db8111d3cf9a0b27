import { pipelineQuantityProblems } from '../../kubernetes/rules';
import { scriptRuntime, ScriptRuntime } from '../../pipeline/code';
import { Pipeline } from '../../pipeline/pipeline';
import { ContainerStep } from '../../pipeline/steps/container-step';
import { show } from '../../pipeline/errors';
import { Step } from '../../pipeline/step';
import { LiteralValue, Value, ValueType } from '../../pipeline/values';
import { isA } from '../../pipeline/brand';
import { ENGINE_NAME } from './policies';

export function placeholderProblem(step: Step, what: string): string {
  return `step '${step.name}': ${what} contains '{{$', which ${ENGINE_NAME} reads as a placeholder and replaces at run time; remove it, or ship the text in a file with the step's code`;
}

/** KFP replaces `{{$...}}` in command-line arguments at run time, so user text must not contain it. */
export function placeholderProblems(step: ContainerStep): string[] {
  return [
    ...step.arguments.filter((a) => a.includes('{{$')).map((a) => placeholderProblem(step, `argument ${show(a)}`)),
    ...Object.entries(step.env).filter(([, v]) => v.includes('{{$')).map(([k, v]) => placeholderProblem(step, `env ${k}=${show(v)}`)),
    ...literalPlaceholderProblems(step, Object.values(step.params)),
  ];
}

export function literalPlaceholderProblems(step: Step, values: Value[]): string[] {
  return values
    .filter((v) => isA(v, LiteralValue) && v.type === ValueType.STRING && String(v.value).includes('{{$'))
    .map((v) => placeholderProblem(step, `literal ${show((v as LiteralValue).value)}`));
}

/** What a step's image must have, for the missing-image message. */
export function runtimeNeeds(entry: string): string {
  return scriptRuntime(entry) === ScriptRuntime.SHELL
    ? `python3 (for the step launcher) and sh (for the .sh entry '${entry}')`
    : `python3 (the step launcher and the .py entry '${entry}' run with it)`;
}

/**
 * The Kubeflow-specific rules, one named entry each, so they can be read as a list. The retry and
 * cache ones are checked where they are emitted (policies.ts), the placeholder one here, the
 * Kubernetes-wide rules (names, labels, quantities) in lib/kubernetes/rules.ts.
 */
export const KUBEFLOW_RULES = {
  placeholder: {
    what: "arguments, env values and string literals", allowed: "no '{{$' (KFP replaces it at run time)",
    source: 'kfp pipeline_spec: runtime placeholders {{$.inputs...}} in container args',
  },
  retryIntervalWhole: {
    what: 'retry intervalSeconds', allowed: 'a whole number of seconds', source: 'pipeline_spec RetryPolicy.backoff_duration, passed to Argo as whole seconds',
  },
  retryBackoffWhole: { what: 'retry backoffRate', allowed: 'a whole number', source: 'Argo Backoff.factor (int) under the KFP v2 backend' },
  noCacheExpiry: { what: 'cache expireAfterHours', allowed: 'unset (KFP v2 caching has no expiry)', source: 'pipeline_spec CachingOptions: enable_cache, cache_key only' },
} as const;

/** The rules checked once per compilation, before any step is compiled. */
export function kubeflowRuleProblems(pipeline: Pipeline): string[] {
  return pipelineQuantityProblems(pipeline);
}
