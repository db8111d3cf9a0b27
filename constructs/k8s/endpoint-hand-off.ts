import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { EndpointHandOff, HandOffTarget } from '../../lib/kubernetes/endpoint-hand-off';
import { isA } from '../../lib/pipeline/brand';
import { Pipeline } from '../../lib/pipeline/pipeline';
import { RegisterModelStep } from '../../lib/pipeline/steps/register-model-step';
import { EngineKind } from './engine-kind';

/** What a CanaryEndpoint asks of the MlPipeline whose models it serves (k8s.ServedModel.fromPipeline). @internal */
export interface HandOffRequest {
  /** For messages: "CanaryEndpoint 'Chart/Iris'". */
  readonly endpointTitle: string;
  readonly group: string;
  readonly target: HandOffTarget;
}

/** The groups a pipeline's register steps write to, sorted and distinct. */
export function registeredGroups(pipeline: Pipeline): string[] {
  return [...new Set(registerSteps(pipeline).map((s) => s.group))].sort();
}

function registerSteps(pipeline: Pipeline): RegisterModelStep[] {
  return pipeline.allSteps().filter((s): s is RegisterModelStep => isA(s, RegisterModelStep));
}

export interface HandOffProps {
  /** The pipeline's base name, namespace, labels and engine. */
  readonly name: string;
  readonly namespace: string;
  readonly labels: { [label: string]: string };
  readonly engine: EngineKind;
  /** The account the pipeline's pods run as. */
  readonly pipelineServiceAccount: string;
  readonly requests: HandOffRequest[];
}

/** The account hand-off pods run as: on Argo their own, on KFP (one account per run) the pipeline's. */
function handOffAccount(props: HandOffProps): string {
  return props.engine === EngineKind.ARGO ? `${props.name}-hand-off` : props.pipelineServiceAccount;
}

/** The hand-offs of a pipeline, for its compiler: one per (register step of the requested group, endpoint). */
export function endpointHandOffs(pipeline: Pipeline, props: HandOffProps): EndpointHandOff[] {
  const argo = props.engine === EngineKind.ARGO;
  return props.requests.flatMap((request) => registerSteps(pipeline)
    .filter((s) => s.group === request.group)
    .map((step) => ({ registerStep: step.name, target: request.target, ...(argo ? { serviceAccountName: handOffAccount(props) } : {}) })));
}

/**
 * The RBAC of a pipeline's hand-offs: a Role per endpoint, in the endpoint's namespace, that
 * allows get and patch of the endpoint's one object and nothing else. On Argo the hand-off pods
 * run as their own ServiceAccount '<name>-hand-off' (the pipeline's other steps cannot patch the
 * endpoint), which also gets what every Argo step pod needs (`stepRules`); KFP runs every task as
 * the run's account, so that one is bound to the Role.
 */
export function renderHandOffRbac(scope: Construct, props: HandOffProps, stepRules: k8s.PolicyRule[]): void {
  if (props.requests.length === 0) {
    return;
  }
  const account = handOffAccount(props);
  if (props.engine === EngineKind.ARGO) {
    const meta = { name: account, namespace: props.namespace, labels: { ...props.labels } };
    new k8s.KubeServiceAccount(scope, 'HandOffServiceAccount', { metadata: meta, automountServiceAccountToken: true });
    new k8s.KubeRole(scope, 'HandOffRole', { metadata: meta, rules: stepRules });
    new k8s.KubeRoleBinding(scope, 'HandOffRoleBinding', {
      metadata: meta,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: account },
      subjects: [{ kind: 'ServiceAccount', name: account, namespace: props.namespace }],
    });
  }
  for (const { target: t } of props.requests) {
    const meta = { name: `${props.name}-hand-off-${t.endpoint}`, namespace: t.namespace, labels: { ...props.labels } };
    new k8s.KubeRole(scope, `HandOffRole-${t.namespace}-${t.endpoint}`, {
      metadata: meta,
      rules: [{ apiGroups: [t.apiGroup], resources: [t.resource], resourceNames: [t.name], verbs: ['get', 'patch'] }],
    });
    new k8s.KubeRoleBinding(scope, `HandOffRoleBinding-${t.namespace}-${t.endpoint}`, {
      metadata: meta,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: meta.name },
      subjects: [{ kind: 'ServiceAccount', name: account, namespace: props.namespace }],
    });
  }
}
