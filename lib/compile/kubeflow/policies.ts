import { StepNode } from '../../pipeline/graph';
import { Json } from './json';

export const ENGINE_NAME = 'Kubeflow Pipelines';
/**
 * KFP stops retrying a task once this long has passed since its first attempt (and then also ends
 * a running attempt); its default is one hour. Retries here are bounded by count, so the window is
 * set far beyond any single run.
 */
export const RETRY_WINDOW_SECONDS = 30 * 24 * 3600;

/** A task's cachingOptions; an expiry is a problem, since KFP v2 caching has none. */
export function cachingOptions(node: StepNode, problems: string[]): Json {
  const cache = node.cache;
  if (cache?.expireAfterHours !== undefined) {
    problems.push(`step '${node.step.name}': cache expiry (expireAfterHours: ${cache.expireAfterHours}) cannot be expressed on ${ENGINE_NAME}: KFP v2 caching has no expiry (a task's cachingOptions hold only enableCache and cacheKey); remove expireAfterHours to cache without expiry, or disable caching for this step`);
  }
  return cache?.isEnabled ? { enableCache: true } : {};
}

/** A task's retryPolicy, undefined without retries; backoff Argo cannot express is a problem. */
export function retryPolicy(node: StepNode, problems: string[]): Json | undefined {
  const retry = node.retry;
  if (!retry || retry.maxRetries === 0) {
    return undefined;
  }
  const at = `step '${node.step.name}'`;
  if (!Number.isInteger(retry.intervalSeconds)) {
    problems.push(`${at}: retry intervalSeconds ${retry.intervalSeconds} cannot be expressed on ${ENGINE_NAME}, which passes retry backoff to Argo in whole seconds; use a whole number of seconds`);
  }
  if (!Number.isInteger(retry.backoffRate)) {
    problems.push(`${at}: retry backoffRate ${retry.backoffRate} cannot be expressed on ${ENGINE_NAME}, which retries through Argo, whose backoff factor is a whole number; use a whole backoffRate such as 1 or 2`);
  }
  return {
    maxRetryCount: retry.maxRetries,
    backoffDuration: `${retry.intervalSeconds}s`,
    backoffFactor: retry.backoffRate,
    backoffMaxDuration: `${RETRY_WINDOW_SECONDS}s`,
  };
}
