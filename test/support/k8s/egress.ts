import { describe, Manifest } from './validate';

/** The annotation an allow policy carries when the user asked for egress anywhere by name. */
export const EGRESS_ANNOTATION = 'mlops.cdk.io/egress';

/** True for an IPv4 or IPv6 CIDR of prefix length 0, which covers every address of its family. */
function coversEverything(cidr: string): boolean {
  return /\/0+$/.test(cidr.trim());
}

/**
 * Broad egress in a NetworkPolicy: a rule with no `to` (every destination), or a peer whose
 * ipBlock covers every address (`0.0.0.0/0`, `::/0`, any `/0`). Allowed only where the policy's
 * `mlops.cdk.io/egress` annotation says it was asked for (`anywhere ... (asked for by ...)`).
 */
export function broadEgressProblems(object: Manifest): string[] {
  if (object.kind !== 'NetworkPolicy' || object.apiVersion !== 'networking.k8s.io/v1') {
    return [];
  }
  const at = describe(object);
  const asked = String(object.metadata?.annotations?.[EGRESS_ANNOTATION] ?? '');
  const problems: string[] = [];
  (object.spec?.egress ?? []).forEach((rule: Manifest, i: number) => {
    const peers: Manifest[] = rule.to ?? [];
    const broad = peers.length === 0 ? ['(no `to`: every destination)'] : peers.map((p) => p.ipBlock?.cidr).filter((c): c is string => typeof c === 'string' && coversEverything(c));
    if (broad.length > 0 && !/^anywhere .*\(asked for by [^)]+\)/.test(asked)) {
      problems.push(`${at}: egress rule ${i} reaches every address (${broad.join(', ')}) without the ${EGRESS_ANNOTATION} annotation saying who asked for it`);
    }
  });
  return problems;
}

/** Whether a policy carries broad egress that was asked for. */
export function askedForAnywhere(object: Manifest): string | undefined {
  return object.kind === 'NetworkPolicy' ? object.metadata?.annotations?.[EGRESS_ANNOTATION] : undefined;
}
