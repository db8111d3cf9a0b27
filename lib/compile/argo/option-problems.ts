import { gpuSchedulingProblems, imageOptionProblems, KUBERNETES_NAME_RULES, kubernetesNameProblem, labelProblems, quantityProblems, trackingUriProblem } from '../../kubernetes';
import { show } from '../../pipeline/errors';
import { resourceProblems } from '../../pipeline/resources';
import { optionalProblem } from '../../pipeline/rules';
import { ArgoCompileOptions } from './options';

const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Problems with the engine options themselves, each naming the option. */
export function optionProblems(options: ArgoCompileOptions): string[] {
  const problems: string[] = [];
  if (typeof options.codeConfigMapName !== 'function') {
    problems.push('Argo option codeConfigMapName is not a function; pass (code) => the name of the ConfigMap holding its code.zip');
  }
  problems.push(...imageOptionProblems('Argo option', { defaultImage: options.defaultImage, utilityImage: options.utilityImage }));
  problems.push(...optionalProblem(trackingUriProblem('Argo option', options.trackingUri)));
  for (const [field, id] of Object.entries(options.podUser ?? {})) {
    if (id !== undefined && (!Number.isSafeInteger(id) || id < 1)) {
      problems.push(`Argo option podUser.${field} ${show(id)} is invalid (allowed: a whole number >= 1; step pods never run as root)`);
    }
  }
  const bucket = options.artifactRepositoryBucket;
  if (bucket !== undefined && (typeof bucket !== 'string' || !S3_BUCKET.test(bucket))) {
    problems.push(`Argo option artifactRepositoryBucket ${show(bucket)} is not an S3 bucket name (allowed: 3-63 lower-case letters, digits, '.' and '-'); give the bucket of the workflow's artifact repository, e.g. 'my-argo-artifacts', or omit it`);
  }
  const { dnsLabel, dnsSubdomain } = KUBERNETES_NAME_RULES;
  for (const [what, name, rule] of [
    ['namespace', options.namespace, dnsLabel],
    ['serviceAccountName', options.serviceAccountName, dnsSubdomain],
    ['memoizeCacheName', options.memoizeCacheName, dnsSubdomain],
    ['artifactRepositoryRef.configMap', options.artifactRepositoryRef?.configMap, dnsSubdomain],
  ] as const) {
    problems.push(...optionalProblem(kubernetesNameProblem(`Argo option ${what}`, name, rule)));
  }
  problems.push(...labelProblems('Argo option labels', options.labels));
  if (options.defaultResources !== undefined) {
    const own = resourceProblems(options.defaultResources).map((p) => `Argo option defaultResources: ${p}`);
    problems.push(...own, ...(own.length === 0 ? quantityProblems('Argo option defaultResources:', options.defaultResources) : []));
  }
  problems.push(...gpuSchedulingProblems('Argo option gpu', options.gpu));
  return problems;
}
