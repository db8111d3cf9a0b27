import { ApiObject, JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';

/**
 * The CustomResourceDefinitions the workflow controller watches, in the "minimal" style: the
 * kinds are known to the API server, and their bodies are kept as given (preserve unknown fields)
 * instead of the multi-megabyte full schemas, which exceed what `kubectl apply` can store in its
 * last-applied annotation. Validation of our objects' bodies happens at synth time in our tests,
 * and in the controller.
 */
interface CrdShape {
  readonly kind: string;
  readonly plural: string;
  readonly shortNames: string[];
  /** Top-level fields besides apiVersion/kind/metadata. */
  readonly fields: string[];
  /** The object's status is written through the status subresource. */
  readonly statusSubresource?: boolean;
  readonly required?: string[];
}

const PRESERVED: k8s.JsonSchemaProps = { type: 'object', xKubernetesPreserveUnknownFields: true, xKubernetesMapType: 'atomic' };

export const ARGO_CRDS: CrdShape[] = [
  { kind: 'Workflow', plural: 'workflows', shortNames: ['wf'], fields: ['spec', 'status'], required: ['metadata', 'spec'] },
  { kind: 'WorkflowTemplate', plural: 'workflowtemplates', shortNames: ['wftmpl'], fields: ['spec'], required: ['metadata', 'spec'] },
  { kind: 'CronWorkflow', plural: 'cronworkflows', shortNames: ['cwf', 'cronwf'], fields: ['spec', 'status'], required: ['metadata', 'spec'] },
  // WorkflowTaskResult has no spec: the executor writes phase, message, outputs and progress at the top level.
  { kind: 'WorkflowTaskResult', plural: 'workflowtaskresults', shortNames: [], fields: ['phase', 'message', 'outputs', 'progress'] },
  { kind: 'WorkflowTaskSet', plural: 'workflowtasksets', shortNames: ['wfts'], fields: ['spec', 'status'], statusSubresource: true, required: ['metadata', 'spec'] },
  { kind: 'WorkflowArtifactGCTask', plural: 'workflowartifactgctasks', shortNames: ['wfat'], fields: ['spec', 'status'], statusSubresource: true, required: ['metadata', 'spec'] },
];

const SCALARS = ['phase', 'message', 'progress'];

export function argoCrds(scope: Construct, labels: { [label: string]: string }): ApiObject[] {
  return ARGO_CRDS.map((crd) => clusterScoped(new k8s.KubeCustomResourceDefinition(scope, `Crd${crd.kind}`, {
    metadata: { name: `${crd.plural}.argoproj.io`, labels: { ...labels } },
    spec: {
      group: 'argoproj.io',
      scope: 'Namespaced',
      names: {
        kind: crd.kind,
        listKind: `${crd.kind}List`,
        plural: crd.plural,
        singular: crd.plural.replace(/s$/, ''),
        shortNames: crd.shortNames.length > 0 ? crd.shortNames : undefined,
      },
      versions: [{
        name: 'v1alpha1',
        served: true,
        storage: true,
        subresources: crd.statusSubresource ? { status: {} } : undefined,
        schema: {
          openApiv3Schema: {
            type: 'object',
            required: crd.required,
            properties: {
              apiVersion: { type: 'string' },
              kind: { type: 'string' },
              metadata: { type: 'object' },
              ...Object.fromEntries(crd.fields.map((f) => [f, SCALARS.includes(f) ? { type: 'string' } : PRESERVED])),
            },
          },
        },
      }],
    },
  })));
}

/** CRDs are cluster-scoped: drop the namespace a namespaced Chart gives every object. */
function clusterScoped(object: ApiObject): ApiObject {
  if (object.metadata.namespace !== undefined) {
    object.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
  }
  return object;
}
