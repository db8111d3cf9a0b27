import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';
import { sharedSchemasDir } from '../support/shared-schemas';
import { strict } from '../support/k8s/schemas';

let validator: ValidateFunction | undefined;

/**
 * Katib v0.19.0's `v1beta1.Experiment` from its OpenAPI document (k8s-crds/katib/swagger.json;
 * the CRD itself validates nothing, see PROVENANCE.md), unknown fields rejected. The trial spec is
 * `Unstructured` there: validate it as the Job it is with validateManifest.
 */
export function katibExperimentProblems(experiment: unknown): string[] {
  if (validator === undefined) {
    const doc = JSON.parse(fs.readFileSync(path.join(sharedSchemasDir(), 'k8s-crds', 'katib', 'swagger.json'), 'utf8'));
    const schemas = doc.components.schemas;
    // Kubernetes writes IntOrString and Quantity as strings; clients send numbers too.
    for (const name of ['io.k8s.apimachinery.pkg.util.intstr.IntOrString', 'io.k8s.apimachinery.pkg.api.resource.Quantity']) {
      schemas[name] = { anyOf: [{ type: 'string' }, { type: 'number' }] };
    }
    strict({ definitions: schemas });
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    ajv.addSchema({ $id: 'katib', components: { schemas } }, 'katib');
    validator = ajv.getSchema('katib#/components/schemas/v1beta1.Experiment')!;
  }
  if (validator(experiment)) {
    return [];
  }
  return (validator.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` '${e.params.additionalProperty}'` : ''}`);
}
