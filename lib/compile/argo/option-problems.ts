import { gpuSchedulingProblems } from '../../kubernetes';
import { show } from '../../pipeline/errors';
import { ArgoCompileOptions } from './options';

/** Problems with the engine options themselves, each naming the option. */
export function optionProblems(options: ArgoCompileOptions): string[] {
  const problems: string[] = [];
  if (typeof options.codeConfigMapName !== 'function') {
    problems.push('Argo option codeConfigMapName is not a function; pass (code) => the name of the ConfigMap holding its code.zip');
  }
  for (const [field, image] of [['defaultImage', options.defaultImage], ['utilityImage', options.utilityImage]] as const) {
    if (image !== undefined && (typeof image !== 'string' || image.trim() === '' || /\s/.test(image))) {
      problems.push(`Argo option ${field} ${show(image)} is not an image reference; give e.g. 'python:3.12-slim' or omit it`);
    }
  }
  for (const [field, id] of Object.entries(options.podUser ?? {})) {
    if (id !== undefined && (!Number.isSafeInteger(id) || id < 1)) {
      problems.push(`Argo option podUser.${field} ${show(id)} is invalid (allowed: a whole number >= 1; step pods never run as root)`);
    }
  }
  problems.push(...gpuSchedulingProblems('Argo option gpu', options.gpu));
  return problems;
}
