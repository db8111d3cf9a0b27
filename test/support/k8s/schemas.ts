import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import * as jsYaml from 'js-yaml';
import { sharedSchemasDir } from '../shared-schemas';

/**
 * The upstream schemas of ../shared/schemas (see PROVENANCE.md), loaded and compiled once per
 * process and made strict like `kubectl --validate=strict`: every object schema that lists
 * properties (and does not preserve unknown fields) rejects fields it does not list.
 */

type Schema = { [key: string]: any };

/** Compile timings, for the harness's own cost (printed by the bench and asserted nowhere). */
export const timings: { [what: string]: number } = {};

function timed<T>(what: string, work: () => T): T {
  const start = process.hrtime.bigint();
  try {
    return work();
  } finally {
    timings[what] = (timings[what] ?? 0) + Number(process.hrtime.bigint() - start) / 1e6;
  }
}

/**
 * Adds `additionalProperties: false` to every object schema with `properties`, except where the
 * schema preserves unknown fields, and drops descriptions. Walks every nested schema.
 */
export function strict(schema: Schema): Schema {
  const visit = (node: any): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (!node || typeof node !== 'object') {
      return;
    }
    // Descriptions do not validate anything, and differing ones keep `intern` from sharing copies.
    if (typeof node.description === 'string') {
      delete node.description;
    }
    if (node.properties && typeof node.properties === 'object' && node.additionalProperties === undefined && !node['x-kubernetes-preserve-unknown-fields']) {
      node.additionalProperties = false;
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === 'properties' || key === 'definitions' || key === 'patternProperties' || key === '$defs') {
        Object.values(value as object).forEach(visit);
      } else if (key !== 'enum' && key !== 'const' && key !== 'default' && key !== 'example' && key !== 'required') {
        visit(value);
      }
    }
  };
  visit(schema);
  return schema;
}

/** Kubernetes writes IntOrString and Quantity as strings in its OpenAPI; clients send numbers too. */
const NUMBER_OR_STRING = { anyOf: [{ type: 'string' }, { type: 'number' }] };

/** Go's `(?i)` flag is not JavaScript; spell the letters case-insensitively instead. */
export function jsPattern(pattern: string): string {
  if (!pattern.includes('(?i)')) {
    return pattern;
  }
  let out = '';
  let inClass = false;
  const body = pattern.replace('(?i)', '');
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\') {
      out += c + (body[i + 1] ?? '');
      i++;
      continue;
    }
    if (c === '[') {
      inClass = true;
    } else if (c === ']') {
      inClass = false;
    }
    out += !inClass && /[a-z]/i.test(c) ? `[${c.toLowerCase()}${c.toUpperCase()}]` : c;
  }
  return out;
}

function fixPatterns(node: any): void {
  if (Array.isArray(node)) {
    node.forEach(fixPatterns);
  } else if (node && typeof node === 'object') {
    if (typeof node.pattern === 'string') {
      node.pattern = jsPattern(node.pattern);
    }
    Object.values(node).forEach(fixPatterns);
  }
}

const SCHEMA_MAPS = ['properties', 'patternProperties', 'definitions', '$defs'];
const SCHEMA_VALUES = ['items', 'additionalProperties', 'not', 'contains', 'propertyNames'];
const SCHEMA_LISTS = ['anyOf', 'allOf', 'oneOf', 'prefixItems'];

/**
 * CRDs inline every type where it is used (Argo's Workflow CRD holds the Container schema hundreds
 * of times), and Ajv compiles each copy: 10-20 s per Argo CRD. Moving every repeated subschema of
 * some size into `definitions` and pointing at it with `$ref` gives the same validation with each
 * type compiled once.
 */
export function intern(root: Schema, minLength = 100): Schema {
  const text = new Map<object, string>();
  const counts = new Map<string, number>();
  const measure = (node: any): void => {
    forEachSubschema(node, measure);
    const json = JSON.stringify(node);
    text.set(node, json);
    if (json.length >= minLength) {
      counts.set(json, (counts.get(json) ?? 0) + 1);
    }
  };
  forEachSubschema(root, measure);
  const definitions: Schema = {};
  const names = new Map<string, string>();
  const rewrite = (node: any): any => {
    if (!node || typeof node !== 'object' || Array.isArray(node)) {
      return node;
    }
    const json = text.get(node);
    if (json !== undefined && (counts.get(json) ?? 0) > 1) {
      let name = names.get(json);
      if (!name) {
        name = `shared${names.size}`;
        names.set(json, name);
        definitions[name] = rewriteChildren(node);
      }
      return { $ref: `#/definitions/${name}` };
    }
    return rewriteChildren(node);
  };
  const rewriteChildren = (node: Schema): Schema => {
    const out: Schema = { ...node };
    for (const key of SCHEMA_MAPS) {
      if (node[key] && typeof node[key] === 'object') {
        out[key] = Object.fromEntries(Object.entries(node[key]).map(([k, v]) => [k, rewrite(v)]));
      }
    }
    for (const key of SCHEMA_VALUES) {
      if (node[key] && typeof node[key] === 'object') {
        out[key] = rewrite(node[key]);
      }
    }
    for (const key of SCHEMA_LISTS) {
      if (Array.isArray(node[key])) {
        out[key] = node[key].map(rewrite);
      }
    }
    return out;
  };
  const top = rewriteChildren(root);
  return { ...top, definitions: { ...(top.definitions ?? {}), ...definitions } };
}

function forEachSubschema(node: any, visit: (child: any) => void): void {
  if (!node || typeof node !== 'object' || Array.isArray(node)) {
    return;
  }
  for (const key of SCHEMA_MAPS) {
    if (node[key] && typeof node[key] === 'object') {
      Object.values(node[key]).forEach((v) => v && typeof v === 'object' && visit(v));
    }
  }
  for (const key of SCHEMA_VALUES) {
    if (node[key] && typeof node[key] === 'object') {
      visit(node[key]);
    }
  }
  for (const key of SCHEMA_LISTS) {
    if (Array.isArray(node[key])) {
      node[key].forEach(visit);
    }
  }
}

function newAjv(): Ajv {
  return new Ajv({ strict: false, allErrors: true, validateFormats: false });
}

let kubernetes: { ajv: Ajv; byKind: Map<string, string> } | undefined;

/** The Kubernetes 1.30 OpenAPI: one Ajv holding every definition, indexed by group/version/kind. */
function kubernetesSchemas(): { ajv: Ajv; byKind: Map<string, string> } {
  if (!kubernetes) {
    kubernetes = timed('load kubernetes swagger', () => {
      const swagger = JSON.parse(fs.readFileSync(path.join(sharedSchemasDir(), 'kubernetes', 'swagger.json'), 'utf8'));
      const definitions = swagger.definitions as { [name: string]: Schema };
      definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'] = { ...NUMBER_OR_STRING };
      definitions['io.k8s.apimachinery.pkg.api.resource.Quantity'] = { ...NUMBER_OR_STRING };
      strict({ definitions });
      const byKind = new Map<string, string>();
      for (const [name, def] of Object.entries(definitions)) {
        for (const gvk of (def['x-kubernetes-group-version-kind'] ?? []) as { group: string; version: string; kind: string }[]) {
          // Prefer the resource itself over the many DeleteOptions/WatchEvent entries sharing a GVK.
          if (!/(DeleteOptions|WatchEvent)$/.test(name)) {
            byKind.set(key(gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version, gvk.kind), name);
          }
        }
      }
      const ajv = newAjv();
      ajv.addSchema({ $id: 'k8s.json', definitions }, 'k8s.json');
      return { ajv, byKind };
    });
  }
  return kubernetes;
}

function key(apiVersion: string, kind: string): string {
  return `${apiVersion}|${kind}`;
}

const kubernetesValidators = new Map<string, ValidateFunction>();

/** A validator for a Kubernetes definition name, e.g. 'io.k8s.api.apps.v1.Deployment'. */
export function kubernetesDefinition(name: string): ValidateFunction {
  let validate = kubernetesValidators.get(name);
  if (!validate) {
    validate = timed(`compile ${name}`, () => {
      const found = kubernetesSchemas().ajv.getSchema(`k8s.json#/definitions/${name}`);
      if (!found) {
        throw new Error(`no definition ${name} in the Kubernetes OpenAPI`);
      }
      return found;
    });
    kubernetesValidators.set(name, validate);
  }
  return validate;
}

/** The Kubernetes definition for an apiVersion and kind, or undefined when it is not a built-in kind. */
export function kubernetesDefinitionFor(apiVersion: string, kind: string): string | undefined {
  return kubernetesSchemas().byKind.get(key(apiVersion, kind));
}

/** A CRD schema source: a CRD file, optionally with one version's schema taken for another kind. */
interface CrdSource {
  readonly label: string;
  readonly file: string;
}

/** Every CRD the harness knows, by apiVersion|kind; several files validate a kind on several versions. */
const CRD_SOURCES: { [apiVersionKind: string]: CrdSource[] } = {
  [key('argoproj.io/v1alpha1', 'Workflow')]: [
    { label: 'Argo Workflows v3.7.18 CRD', file: 'k8s-crds/argo-workflows/v3.7.18/argoproj.io_workflows.yaml' },
    { label: 'Argo Workflows v4.1.2 CRD', file: 'k8s-crds/argo-workflows/v4.1.2/argoproj.io_workflows.yaml' },
  ],
  // Argo's own WorkflowTemplate CRD is not in ../shared; its spec is the same WorkflowSpec type as a
  // Workflow's, so the Workflow CRD checks it (and Argo's JSON Schema checks the kind itself).
  [key('argoproj.io/v1alpha1', 'WorkflowTemplate')]: [
    { label: 'Argo Workflows v3.7.18 CRD (Workflow spec)', file: 'k8s-crds/argo-workflows/v3.7.18/argoproj.io_workflows.yaml' },
    { label: 'Argo Workflows v4.1.2 CRD (Workflow spec)', file: 'k8s-crds/argo-workflows/v4.1.2/argoproj.io_workflows.yaml' },
  ],
  [key('argoproj.io/v1alpha1', 'CronWorkflow')]: [
    { label: 'Argo Workflows v3.7.18 CRD', file: 'k8s-crds/argo-workflows/v3.7.18/argoproj.io_cronworkflows.yaml' },
    { label: 'Argo Workflows v4.1.2 CRD', file: 'k8s-crds/argo-workflows/v4.1.2/argoproj.io_cronworkflows.yaml' },
  ],
  [key('argoproj.io/v1alpha1', 'Rollout')]: [{ label: 'Argo Rollouts v1.9.1 CRD', file: 'k8s-crds/argo-rollouts/rollout-crd.yaml' }],
  [key('argoproj.io/v1alpha1', 'AnalysisTemplate')]: [{ label: 'Argo Rollouts v1.9.1 CRD', file: 'k8s-crds/argo-rollouts/analysis-template-crd.yaml' }],
  [key('monitoring.coreos.com/v1', 'ServiceMonitor')]: [{ label: 'Prometheus Operator v0.93.0 CRD', file: 'k8s-crds/prometheus-operator/monitoring.coreos.com_servicemonitors.yaml' }],
  [key('monitoring.coreos.com/v1', 'PrometheusRule')]: [{ label: 'Prometheus Operator v0.93.0 CRD', file: 'k8s-crds/prometheus-operator/monitoring.coreos.com_prometheusrules.yaml' }],
  [key('pipelines.kubeflow.org/v2beta1', 'Pipeline')]: [{ label: 'Kubeflow Pipelines 2.17.0 CRD', file: 'k8s-crds/kubeflow-pipelines/pipelines.kubeflow.org_pipelines.yaml' }],
  [key('pipelines.kubeflow.org/v2beta1', 'PipelineVersion')]: [{ label: 'Kubeflow Pipelines 2.17.0 CRD', file: 'k8s-crds/kubeflow-pipelines/pipelines.kubeflow.org_pipelineversions.yaml' }],
  [key('kubeflow.org/v1beta1', 'ScheduledWorkflow')]: [{ label: 'Kubeflow Pipelines 2.17.0 CRD', file: 'k8s-crds/kubeflow-pipelines/scheduled-workflow-crd.yaml' }],
  [key('serving.kserve.io/v1beta1', 'InferenceService')]: [{ label: 'KServe v0.20.0 CRD', file: 'k8s-crds/kserve/serving.kserve.io_inferenceservices.yaml' }],
};

/** Argo's JSON Schema (draft 2020-12) per version, for the Argo kinds. */
const ARGO_JSON_SCHEMAS = [
  { label: 'Argo Workflows v3.7.18 JSON Schema', file: 'k8s-crds/argo-workflows/v3.7.18/schema.json' },
  { label: 'Argo Workflows v4.1.2 JSON Schema', file: 'k8s-crds/argo-workflows/v4.1.2/schema.json' },
];
const ARGO_KINDS = ['Workflow', 'WorkflowTemplate', 'CronWorkflow', 'ClusterWorkflowTemplate', 'WorkflowEventBinding'];

export interface LabelledValidator {
  readonly label: string;
  readonly validate: ValidateFunction;
}

const crdValidators = new Map<string, ValidateFunction>();

function crdValidator(source: CrdSource, apiVersion: string): ValidateFunction {
  const id = `${source.file}|${apiVersion}`;
  let validate = crdValidators.get(id);
  if (!validate) {
    validate = timed(`compile ${source.file}`, () => {
      const version = apiVersion.split('/').pop();
      // js-yaml: the `yaml` package takes ~3 s for one 3 MB CRD, js-yaml ~0.2 s.
      const crd = (jsYaml.loadAll(fs.readFileSync(path.join(sharedSchemasDir(), source.file), 'utf8')) as Schema[])
        .find((d) => d && d.kind === 'CustomResourceDefinition');
      const entry = crd?.spec?.versions?.find((v: { name: string }) => v.name === version);
      if (!entry?.schema?.openAPIV3Schema) {
        throw new Error(`${source.file} has no schema for version ${version}`);
      }
      const schema = strict(entry.schema.openAPIV3Schema);
      fixPatterns(schema);
      return newAjv().compile(intern(schema));
    });
    crdValidators.set(id, validate);
  }
  return validate;
}

const argoJsonValidators = new Map<string, ValidateFunction>();

function argoJsonValidator(file: string, kind: string): ValidateFunction {
  const id = `${file}|${kind}`;
  let validate = argoJsonValidators.get(id);
  if (!validate) {
    validate = timed(`compile ${file} ${kind}`, () => {
      let ajv = argoAjvs.get(file);
      if (!ajv) {
        const schema = JSON.parse(fs.readFileSync(path.join(sharedSchemasDir(), file), 'utf8'));
        schema.definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'] = { ...NUMBER_OR_STRING };
        schema.definitions['io.k8s.apimachinery.pkg.api.resource.Quantity'] = { ...NUMBER_OR_STRING };
        strict({ definitions: schema.definitions });
        ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
        ajv.addSchema({ $id: file, definitions: schema.definitions }, file);
        argoAjvs.set(file, ajv);
      }
      const found = ajv.getSchema(`${file}#/definitions/io.argoproj.workflow.v1alpha1.${kind}`);
      if (!found) {
        throw new Error(`${file} has no definition for ${kind}`);
      }
      return found;
    });
    argoJsonValidators.set(id, validate);
  }
  return validate;
}
const argoAjvs = new Map<string, Ajv2020>();

/**
 * The validators for a custom resource: each CRD version we hold for it and, for Argo kinds,
 * Argo's JSON Schema of each version. Empty for a kind we know nothing about.
 */
export function customResourceValidators(apiVersion: string, kind: string): LabelledValidator[] {
  const out: LabelledValidator[] = (CRD_SOURCES[key(apiVersion, kind)] ?? []).map((source) => ({ label: source.label, validate: crdValidator(source, apiVersion) }));
  if (apiVersion === 'argoproj.io/v1alpha1' && ARGO_KINDS.includes(kind)) {
    out.push(...ARGO_JSON_SCHEMAS.map((s) => ({ label: s.label, validate: argoJsonValidator(s.file, kind) })));
  }
  return out;
}

/** A validator for an Argo JSON Schema definition by short name, e.g. 'ArtifactRepository'. */
export function argoDefinition(version: 'v3.7.18' | 'v4.1.2', name: string): ValidateFunction {
  return argoJsonValidator(`k8s-crds/argo-workflows/${version}/schema.json`, name);
}
