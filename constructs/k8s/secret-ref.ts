import { k8s } from 'cdk8s-plus-27';
import { show } from '../../lib/pipeline/errors';
import { SecretKeyRef } from './artifact-repository';
import { DNS_SUBDOMAIN } from './names';

const KEY = /^[-._a-zA-Z0-9]+$/;

/** Problems with a Secret key reference given as the prop `what`; `example` is the fix to show. */
export function secretRefProblems(ref: SecretKeyRef | undefined, what: string, example: string): string[] {
  if (ref === undefined || ref === null) {
    return [`${what} is missing; create a Secret and give its key, e.g. ${what.replace(/^.*\./, '')}: ${example}`];
  }
  if (typeof ref !== 'object') {
    return [`${what} is ${show(ref)}; give the Secret key holding it, e.g. ${example}`];
  }
  const problems: string[] = [];
  if (typeof ref.name !== 'string' || !DNS_SUBDOMAIN.test(ref.name) || ref.name.length > 253) {
    problems.push(`${what}: Secret name ${show(ref.name)} is invalid (allowed: a DNS-1123 subdomain: lowercase letters, digits, '-' and '.'); e.g. ${example}`);
  }
  if (typeof ref.key !== 'string' || !KEY.test(ref.key) || ref.key.length > 253) {
    problems.push(`${what}: Secret key ${show(ref.key)} is invalid (allowed: letters, digits, '-', '_' and '.'); e.g. ${example}`);
  }
  return problems;
}

/** An environment variable read from the Secret key. */
export function secretEnv(name: string, ref: SecretKeyRef): k8s.EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } } };
}
