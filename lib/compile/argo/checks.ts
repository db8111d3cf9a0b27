import { pipelineQuantityProblems } from '../../kubernetes/rules';
import { isA } from '../../pipeline/brand';
import { Pipeline } from '../../pipeline/pipeline';
import { CachePolicy, RetryPolicy } from '../../pipeline/policies';
import { ContainerStep } from '../../pipeline/steps/container-step';

export const ENGINE = 'Argo Workflows';

/** Argo substitutes `{{...}}` anywhere in a template and has no escape for it. */
export function braceProblem(where: string, text: string): string[] {
  return typeof text === 'string' && text.includes('{{')
    ? [`${where} ${JSON.stringify(text)} contains '{{', which ${ENGINE} reads as a template variable and cannot pass through literally; remove the double brace (e.g. write '{ {' or pass the text in a file of the step code)`]
    : [];
}

export function parameterProblems(pipeline: Pipeline): string[] {
  return Object.entries(pipeline.parameters).flatMap(([param, def]) => [
    ...(typeof def.defaultValue === 'string' ? braceProblem(`parameter '${param}': default`, def.defaultValue) : []),
    ...(def.allowedValues ?? []).flatMap((v) => braceProblem(`parameter '${param}': allowed value`, v)),
  ]);
}

/** Go's time.Duration holds at most 2^63-1 ns, about 2,562,047 hours; Argo parses every duration into one. */
const GO_DURATION_MAX_SECONDS = Math.floor((2 ** 63 - 1) / 1e9);

/**
 * The Argo-specific rules, one named entry each, read by `argoRuleProblems`. Brace text is checked
 * where it is written into the template (braceProblem), a whole backoff factor by the container
 * step handler, the Kubernetes-wide rules in lib/kubernetes/rules.ts.
 */
export const ARGO_RULES = {
  memoizeMaxAge: {
    what: 'cache expireAfterHours',
    allowed: `at most ${Math.floor(GO_DURATION_MAX_SECONDS / 3600)} hours (memoize.maxAge is a Go time.Duration)`,
    source: 'argoproj.io Memoize.maxAge; Go time.ParseDuration',
    maxSeconds: GO_DURATION_MAX_SECONDS,
  },
  retryBackoffDuration: {
    what: 'retry intervalSeconds',
    allowed: `at most ${GO_DURATION_MAX_SECONDS} seconds (retryStrategy.backoff.duration is a Go time.Duration)`,
    source: 'argoproj.io Backoff.duration; Go time.ParseDuration',
    maxSeconds: GO_DURATION_MAX_SECONDS,
  },
} as const;

/**
 * Problems of the values Argo reads as durations and quantities: each step's own retry and cache
 * policy, and the pipeline defaults once, as the defaults' own.
 */
export function argoRuleProblems(pipeline: Pipeline): string[] {
  const problems: string[] = [...pipelineQuantityProblems(pipeline)];
  const check = (at: string, retry: RetryPolicy | undefined, cacheAt: string, cache: CachePolicy | undefined) => {
    const { memoizeMaxAge, retryBackoffDuration } = ARGO_RULES;
    if (isA(retry, RetryPolicy) && retry.maxRetries > 0 && retry.intervalSeconds > retryBackoffDuration.maxSeconds) {
      problems.push(`${at} ${retryBackoffDuration.what} ${retry.intervalSeconds} is too long for ${ENGINE} (allowed: ${retryBackoffDuration.allowed}); lower it`);
    }
    const hours = isA(cache, CachePolicy) && cache.isEnabled ? cache.expireAfterHours : undefined;
    if (hours !== undefined && hours * 3600 > memoizeMaxAge.maxSeconds) {
      problems.push(`${cacheAt} ${memoizeMaxAge.what} ${hours} is too long for ${ENGINE} (allowed: ${memoizeMaxAge.allowed}); lower it, or omit it for no expiry`);
    }
  };
  check('pipeline default defaultRetry:', pipeline.defaultRetry, 'pipeline default defaultCache:', pipeline.defaultCache);
  for (const step of pipeline.allSteps()) {
    if (isA(step, ContainerStep)) {
      check(`step '${step.name}':`, step.retry, `step '${step.name}':`, step.cache);
    }
  }
  return problems;
}
