import { show } from '../../pipeline/errors';
import { ArgoCompileOptions } from './options';

const QUALIFIED_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;
const TOLERATION_OPERATORS = ['Exists', 'Equal'];
const TOLERATION_EFFECTS = ['', 'NoSchedule', 'PreferNoSchedule', 'NoExecute'];

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
  const gpu = options.gpu;
  if (gpu?.resourceName !== undefined && (typeof gpu.resourceName !== 'string' || !gpu.resourceName.includes('/') || !QUALIFIED_NAME.test(gpu.resourceName))) {
    problems.push(`Argo option gpu.resourceName ${show(gpu.resourceName)} is not an extended resource name (allowed: <domain>/<name>, e.g. 'nvidia.com/gpu' or 'amd.com/gpu')`);
  }
  for (const [label, value] of Object.entries(gpu?.nodeSelector ?? {})) {
    if (!QUALIFIED_NAME.test(label) || typeof value !== 'string' || !LABEL_VALUE.test(value)) {
      problems.push(`Argo option gpu.nodeSelector ${show(label)}: ${show(value)} is not a valid label selector (keys: [prefix/]name, values: up to 63 letters, digits, '-', '_' or '.')`);
    }
  }
  (gpu?.tolerations ?? []).forEach((t, i) => {
    const at = `Argo option gpu.tolerations[${i}]`;
    if (t.operator !== undefined && !TOLERATION_OPERATORS.includes(t.operator)) {
      problems.push(`${at}.operator ${show(t.operator)} is invalid (allowed: ${TOLERATION_OPERATORS.join(', ')})`);
    }
    if (t.effect !== undefined && !TOLERATION_EFFECTS.includes(t.effect)) {
      problems.push(`${at}.effect ${show(t.effect)} is invalid (allowed: NoSchedule, PreferNoSchedule, NoExecute, or empty for all)`);
    }
    if (t.operator === 'Exists' && t.value) {
      problems.push(`${at} has operator Exists and a value; remove the value or use Equal`);
    }
  });
  return problems;
}
