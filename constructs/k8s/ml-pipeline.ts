import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { formatBytes } from '../../lib/compile/argo';
import { Code } from '../../lib/pipeline/code';
import { ContainerStep } from '../../lib/pipeline/container-step';
import { PipelineValidationError } from '../../lib/pipeline/errors';
import { Pipeline } from '../../lib/pipeline/pipeline';
import { Schedule } from '../../lib/pipeline/schedule';
import { packageCode } from '../../lib/runtime/package-code';
import { Engine } from './engine';
import { codeConfigMapName, DNS_LABEL, namespaceProblem } from './names';
import { NetworkEndpoint, podNetworkPolicies } from './network';
import { MANAGED_BY } from './security';

export interface MlPipelineProps {
  readonly pipeline: Pipeline;
  /** Where it runs: `Engine.argo(...)` or `Engine.kubeflow(...)`. */
  readonly engine: Engine;
  /** Runs the pipeline on this schedule. */
  readonly schedule?: Schedule;
  /** @default the engine's controller namespace, else the chart's namespace; one of them is required */
  readonly namespace?: string;
  /** Base name of the pipeline's objects. @default the pipeline's name, lowercased */
  readonly name?: string;
  /**
   * An existing service account for the pipeline's pods. Then no ServiceAccount, Role or
   * RoleBinding is created, and the account needs what docs/kubernetes.md lists.
   * @default a ServiceAccount '<name>-pipeline' with a least-privilege Role
   */
  readonly serviceAccountName?: string;
  /** Default-deny NetworkPolicies for the pipeline's pods plus the allows they need. @default true */
  readonly networkPolicies?: boolean;
  /** @default NetworkEndpoint.apiServer() */
  readonly apiServer?: NetworkEndpoint;
  /** @default NetworkEndpoint.clusterDns() */
  readonly dns?: NetworkEndpoint;
}

/** ConfigMaps hold at most 1 MiB of data (the API server's limit, key names included). */
export const CONFIG_MAP_LIMIT = 1024 * 1024;
/** The longest base name: generated names add suffixes up to 11 chars ('-<10 hex>') and must stay labels. */
const BASE_NAME_MAX = 52;

/**
 * An ML pipeline on Kubernetes: its step code as ConfigMaps, the engine's pipeline objects (Argo
 * WorkflowTemplate and CronWorkflow, or Kubeflow Pipeline and PipelineVersion), a service account
 * with the least privilege its pods need, and default-deny network policies.
 */
export class MlPipeline extends Construct {
  /** The base name of the pipeline's objects. */
  public readonly name: string;
  public readonly namespace: string;
  /** The service account the pipeline's pods run as. */
  public readonly serviceAccountName: string;
  /** Names of the code ConfigMaps, sorted. */
  public readonly codeConfigMaps: string[];

  constructor(scope: Construct, id: string, props: MlPipelineProps) {
    super(scope, id);
    const subject = `MlPipeline '${id}'`;
    const pipeline = props.pipeline;
    const problems: string[] = [];
    if (!(props.engine instanceof Engine)) {
      throw new PipelineValidationError(subject, ['engine is not an Engine; use Engine.argo(...) or Engine.kubeflow(...)']);
    }
    this.name = props.name ?? String(pipeline.name).toLowerCase();
    if (!DNS_LABEL.test(this.name) || this.name.length > BASE_NAME_MAX) {
      problems.push(`name '${this.name}' (${props.name !== undefined ? 'props.name' : 'the pipeline name lowercased'}) is invalid for the pipeline's Kubernetes objects (rule: a DNS-1123 label of lowercase letters, digits and '-', at most ${BASE_NAME_MAX} chars, so that generated names such as '<name>-<10 hex>' stay within 63); set props.name, e.g. '${this.name.replace(/[^a-z0-9-]+/g, '-').replace(/^-+/, '').slice(0, BASE_NAME_MAX).replace(/-+$/, '') || 'pipeline'}'`);
    }
    const required = props.engine._namespace();
    const namespace = props.namespace ?? required ?? Chart.of(this).namespace;
    if (namespace === undefined) {
      problems.push("has no namespace; set props.namespace or the Chart's namespace (the service account's RoleBinding has to name it)");
    } else {
      const nsProblem = namespaceProblem(namespace);
      if (nsProblem) {
        problems.push(nsProblem);
      }
      if (required !== undefined && namespace !== required) {
        problems.push(`namespace '${namespace}' differs from '${required}', the only namespace its Argo Workflows controller (installed namespaced) watches; leave namespace unset or use '${required}'`);
      }
    }
    if (problems.length > 0) {
      throw new PipelineValidationError(subject, problems);
    }
    this.namespace = namespace!;
    const labels = { ...MANAGED_BY, 'mlops.cdk.io/pipeline': this.name };
    const ns = this.namespace;

    // Validate the model first: its messages are the most useful.
    pipeline.validate();
    const archives = this.codeArchives(pipeline, subject);
    const nameOf = (code: Code) => {
      const archive = archives.get(code);
      if (!archive) {
        throw new Error(`internal: no archive for ${code.directory}`);
      }
      return archive.name;
    };

    const written = new Set<string>();
    for (const archive of archives.values()) {
      if (written.has(archive.name)) {
        continue;
      }
      written.add(archive.name);
      new k8s.KubeConfigMap(this, `Code-${archive.name}`, {
        metadata: { name: archive.name, namespace: ns, labels },
        // Content-addressed: the name changes with the code, so the data never does.
        immutable: true,
        binaryData: { 'code.zip': archive.data.toString('base64') },
      });
    }
    this.codeConfigMaps = [...written].sort();

    this.serviceAccountName = props.serviceAccountName ?? `${this.name}-pipeline`;
    const networkPolicies = props.networkPolicies ?? true;
    const dns = props.dns ?? NetworkEndpoint.clusterDns();
    const apiServer = props.apiServer ?? NetworkEndpoint.apiServer();
    const rendering = props.engine._render({
      scope: this,
      subject,
      pipeline,
      name: this.name,
      namespace: ns,
      serviceAccountName: this.serviceAccountName,
      schedule: props.schedule,
      codeConfigMapName: nameOf,
      labels,
      networkPolicies,
      dns,
      apiServer,
    });


    if (props.serviceAccountName === undefined) {
      new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { name: this.serviceAccountName, namespace: ns, labels } });
      new k8s.KubeRole(this, 'Role', { metadata: { name: this.serviceAccountName, namespace: ns, labels }, rules: rendering.stepRules });
      new k8s.KubeRoleBinding(this, 'RoleBinding', {
        metadata: { name: this.serviceAccountName, namespace: ns, labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: this.serviceAccountName },
        subjects: [{ kind: 'ServiceAccount', name: this.serviceAccountName, namespace: ns }],
      });
    }

    if (networkPolicies && rendering.stepPodLabels) {
      podNetworkPolicies(this, 'Steps', {
        name: `${this.name}-steps`,
        namespace: ns,
        labels,
        podLabels: rendering.stepPodLabels,
        egress: [dns, apiServer, ...rendering.stepEgress],
      });
    }
  }

  /** Each distinct Code's archive, named by content; too large an archive is an error. */
  private codeArchives(pipeline: Pipeline, subject: string): Map<Code, { name: string; data: Buffer; directory: string }> {
    const archives = new Map<Code, { name: string; data: Buffer; directory: string }>();
    const problems: string[] = [];
    for (const step of pipeline.allSteps()) {
      if (!(step instanceof ContainerStep) || archives.has(step.code)) {
        continue;
      }
      const data = packageCode(step.code);
      const name = codeConfigMapName(this.name, data);
      // binaryData travels base64-encoded; the limit counts the decoded bytes plus the key.
      const size = data.length + 'code.zip'.length;
      if (size > CONFIG_MAP_LIMIT) {
        problems.push(`the code of step '${step.name}' (${step.code.directory}) packs to ${formatBytes(size)}, over the ${formatBytes(CONFIG_MAP_LIMIT)} ConfigMap limit; leave data and large files out (Code.fromDirectory(dir, { exclude: [...] })), read data from the artifact store instead, or bake the code into the step's image`);
        continue;
      }
      archives.set(step.code, { name, data, directory: step.code.directory });
    }
    if (problems.length > 0) {
      throw new PipelineValidationError(subject, problems);
    }
    return archives;
  }
}
