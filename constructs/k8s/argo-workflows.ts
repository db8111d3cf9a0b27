import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import * as YAML from 'yaml';
import { ArgoVersion } from '../../lib/compile/argo';
import { PipelineValidationError } from '../../lib/pipeline/errors';
import { argoCrds } from './argo-crds';
import { ArtifactRepository } from './artifact-repository';
import { argoMonitoring } from './monitoring';
import { namespaceProblem } from './names';
import { dnsAndApiServerEgress, NetworkEndpoint, noApiServerWarning, podNetworkPolicies } from './network';
import { guaranteed, MANAGED_BY, restrictedContainerSecurityContext, restrictedPodSecurityContext } from './security';
import { collisionProblems, registerObjectOwner } from './uniqueness';
import { SynthWarnings } from './warnings';

/** When Argo deletes the pods of finished steps. */
export enum PodGcStrategy {
  /** Delete a pod once its step succeeded; keep failed ones for debugging. */
  ON_POD_SUCCESS = 'OnPodSuccess',
  ON_POD_COMPLETION = 'OnPodCompletion',
  ON_WORKFLOW_SUCCESS = 'OnWorkflowSuccess',
  ON_WORKFLOW_COMPLETION = 'OnWorkflowCompletion',
}

export interface ArgoWorkflowsProps {
  /** Namespace the controller runs in and watches (a namespaced install). @default the chart's namespace, else 'argo' */
  readonly namespace?: string;
  /** Prefix of the objects' names. @default 'argo' */
  readonly name?: string;
  /** Argo Workflows release (image tag), 3.6 or later. @default 'v4.1.2' */
  readonly version?: string;
  /** @default quay.io/argoproj/workflow-controller:<version> */
  readonly controllerImage?: string;
  /** @default quay.io/argoproj/argoexec:<version> */
  readonly executorImage?: string;
  /** Where step artifacts and registered models are stored. */
  readonly artifactRepository: ArtifactRepository;
  /** Workflows running at the same time; more wait. @default 10 */
  readonly parallelism?: number;
  /** @default PodGcStrategy.ON_POD_SUCCESS */
  readonly podGc?: PodGcStrategy;
  /** Finished workflows (not their artifacts) are deleted after this many days. @default 7 */
  readonly workflowTtlDays?: number;
  /** Install the CRDs (cluster-scoped; needs cluster-admin once). @default true */
  readonly installCrds?: boolean;
  /** A ServiceMonitor for the controller's metrics and a PrometheusRule for failed and stuck workflows. @default true */
  readonly monitoring?: boolean;
  /** A workflow whose pods have not run for this long raises the stuck alert. @default 60 */
  readonly stuckAfterMinutes?: number;
  /** Who scrapes the metrics (its ports are not used: it may reach the metrics port). @default pods in the 'monitoring' namespace */
  readonly prometheus?: NetworkEndpoint;
  /** Default-deny NetworkPolicies for the controller plus the allows it needs. @default true */
  readonly networkPolicies?: boolean;
  /**
   * Where the controller reaches the Kubernetes API server: `NetworkEndpoint.apiServer('<CIDR>')`,
   * or `NetworkEndpoint.anywhere([443, 6443])` by name.
   * @default none: the controller gets no egress to the API server, which stops it where the cluster enforces NetworkPolicies; synth warns
   */
  readonly apiServer?: NetworkEndpoint;
  /** @default NetworkEndpoint.clusterDns() */
  readonly dns?: NetworkEndpoint;
}

const DEFAULT_VERSION = 'v4.1.2';
/** The controller image's user (argoproj images run as 8737). */
const ARGO_USER = 8737;
const METRICS_PORT = 9090;
const HEALTH_PORT = 6060;

/**
 * Argo Workflows' workflow controller, installed for one namespace: CRDs, the controller
 * Deployment with its ServiceAccount and least-privilege Role, the controller ConfigMap (artifact
 * repository, parallelism, pod GC, executor settings), metrics Service, ServiceMonitor,
 * PrometheusRule and NetworkPolicies. No Argo Server (UI) is installed.
 */
export class ArgoWorkflows extends Construct {
  public readonly namespace: string;
  /** The Argo line the install runs, which the compiled objects follow. */
  public readonly argoVersion: ArgoVersion;
  public readonly artifactRepository: ArtifactRepository;
  public readonly serviceAccountName: string;
  public readonly configMapName: string;
  /** Labels of the controller pod. */
  public readonly podLabels: { [label: string]: string };

  constructor(scope: Construct, id: string, props: ArgoWorkflowsProps) {
    super(scope, id);
    const subject = `ArgoWorkflows '${id}'`;
    const problems: string[] = [];
    this.namespace = props.namespace ?? Chart.of(this).namespace ?? 'argo';
    const nsProblem = namespaceProblem(this.namespace);
    if (nsProblem) {
      problems.push(nsProblem);
    }
    const version = props.version ?? DEFAULT_VERSION;
    const parsed = /^v?(\d+)\.(\d+)/.exec(version);
    const major = parsed ? Number(parsed[1]) : 0;
    const minor = parsed ? Number(parsed[2]) : 0;
    if (!parsed || major < 3 || (major === 3 && minor < 6)) {
      problems.push(`version '${version}' is not supported (allowed: Argo Workflows 3.6 or later, e.g. 'v3.7.18' or 'v4.1.2'; CronWorkflow 'schedules' needs 3.6)`);
    }
    const parallelism = props.parallelism ?? 10;
    if (!Number.isSafeInteger(parallelism) || parallelism < 1) {
      problems.push(`parallelism ${parallelism} is invalid (allowed: a whole number >= 1)`);
    }
    const ttlDays = props.workflowTtlDays ?? 7;
    if (!(ttlDays > 0)) {
      problems.push(`workflowTtlDays ${ttlDays} is invalid (allowed: a number > 0)`);
    }
    if (problems.length > 0) {
      throw new PipelineValidationError(subject, problems);
    }
    this.argoVersion = major >= 4 ? ArgoVersion.V4 : ArgoVersion.V3_7;
    this.artifactRepository = props.artifactRepository;
    const name = props.name ?? 'argo';
    const controller = `${name}-workflow-controller`;
    this.serviceAccountName = controller;
    this.configMapName = `${controller}-configmap`;
    const labels = { ...MANAGED_BY, 'app.kubernetes.io/part-of': 'argo-workflows' };
    this.podLabels = { 'app.kubernetes.io/name': 'workflow-controller', 'app.kubernetes.io/instance': name };
    const ns = this.namespace;
    registerObjectOwner(this, {
      title: subject,
      baseName: name,
      givenName: name,
      nameOrigin: props.name !== undefined ? `props.name '${name}'` : `the default name '${name}'`,
      fix: "An Argo Workflows install is shared by design: create one ArgoWorkflows per namespace and pass it to every Engine.argo({ controller }); for installs in several namespaces, let one install the CRDs (cluster-scoped) and set installCrds: false on the others, or give each its own props.name.",
      renderObjects: () => undefined,
    });
    this.node.addValidation({ validate: () => collisionProblems(this) });
    const meta = (objectName: string, extra: { [label: string]: string } = {}) => ({ name: objectName, namespace: ns, labels: { ...labels, ...extra } });

    if (props.installCrds ?? true) {
      argoCrds(this, labels);
    }

    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: meta(controller), automountServiceAccountToken: true });
    new k8s.KubeRole(this, 'Role', { metadata: meta(controller), rules: controllerRules(props.artifactRepository.secretNames) });
    new k8s.KubeRoleBinding(this, 'RoleBinding', {
      metadata: meta(controller),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: controller },
      subjects: [{ kind: 'ServiceAccount', name: controller, namespace: ns }],
    });

    const executorImage = props.executorImage ?? `quay.io/argoproj/argoexec:${version}`;
    new k8s.KubeConfigMap(this, 'ConfigMap', {
      metadata: meta(this.configMapName),
      data: controllerConfig({
        artifactRepository: props.artifactRepository,
        parallelism,
        podGc: props.podGc ?? PodGcStrategy.ON_POD_SUCCESS,
        ttlSeconds: Math.round(ttlDays * 24 * 3600),
      }),
    });

    new k8s.KubeDeployment(this, 'Deployment', {
      metadata: meta(controller, this.podLabels),
      spec: {
        replicas: 1,
        // One replica without leader election: a restart briefly pauses scheduling, nothing is lost.
        strategy: { type: 'Recreate' },
        selector: { matchLabels: { ...this.podLabels } },
        template: {
          metadata: { labels: { ...labels, ...this.podLabels } },
          spec: {
            serviceAccountName: controller,
            automountServiceAccountToken: true,
            securityContext: restrictedPodSecurityContext(ARGO_USER),
            nodeSelector: { 'kubernetes.io/os': 'linux' },
            containers: [{
              name: 'workflow-controller',
              image: props.controllerImage ?? `quay.io/argoproj/workflow-controller:${version}`,
              imagePullPolicy: 'IfNotPresent',
              command: ['workflow-controller'],
              args: ['--configmap', this.configMapName, '--executor-image', executorImage, '--namespaced'],
              env: [
                { name: 'LEADER_ELECTION_DISABLE', value: 'true' },
                { name: 'LEADER_ELECTION_IDENTITY', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
              ],
              ports: [{ name: 'metrics', containerPort: METRICS_PORT }, { name: 'health', containerPort: HEALTH_PORT }],
              livenessProbe: {
                httpGet: { path: '/healthz', port: k8s.IntOrString.fromNumber(HEALTH_PORT) },
                failureThreshold: 3,
                initialDelaySeconds: 90,
                periodSeconds: 60,
                timeoutSeconds: 30,
              },
              resources: guaranteed('500m', '512Mi'),
              securityContext: restrictedContainerSecurityContext(),
            }],
          },
        },
      },
    });

    const metricsService = `${controller}-metrics`;
    new k8s.KubeService(this, 'MetricsService', {
      metadata: meta(metricsService, { 'app.kubernetes.io/name': 'workflow-controller-metrics' }),
      spec: {
        selector: { ...this.podLabels },
        ports: [{ name: 'metrics', port: METRICS_PORT, targetPort: k8s.IntOrString.fromNumber(METRICS_PORT), protocol: 'TCP' }],
      },
    });

    const prometheus = props.prometheus ?? NetworkEndpoint.pods({ namespace: 'monitoring', ports: [METRICS_PORT] });
    if (props.monitoring ?? true) {
      argoMonitoring(this, {
        name,
        namespace: ns,
        labels,
        serviceName: metricsService,
        serviceLabels: { 'app.kubernetes.io/name': 'workflow-controller-metrics' },
        stuckAfterMinutes: props.stuckAfterMinutes ?? 60,
      });
    }

    if (props.networkPolicies ?? true) {
      const egress = dnsAndApiServerEgress(subject, props.dns, props.apiServer);
      if (!props.apiServer) {
        SynthWarnings.add(this, noApiServerWarning(`${controller}-allow`, 'the workflow controller cannot work'));
      }
      podNetworkPolicies(this, 'Controller', {
        name: controller,
        namespace: ns,
        labels,
        podLabels: this.podLabels,
        egress: [egress.dns, ...(egress.apiServer ? [egress.apiServer] : [])],
        ingress: [{ from: prometheus, ports: [METRICS_PORT] }],
      });
    }
  }
}

/**
 * What the controller does in its namespace, and nothing else: run pods for steps (and exec into
 * them to signal the emissary executor), keep workflows, cron workflows and their task objects,
 * read templates, read its ConfigMap and write memoize caches, read service accounts and the
 * artifact store's credential Secrets, record events. No PVCs, no PDBs, no leases (one replica).
 */
function controllerRules(secretNames: string[]): k8s.PolicyRule[] {
  const rules: k8s.PolicyRule[] = [
    { apiGroups: [''], resources: ['pods'], verbs: ['create', 'get', 'list', 'watch', 'update', 'patch', 'delete'] },
    { apiGroups: [''], resources: ['pods/exec'], verbs: ['create'] },
    { apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] },
    // Memoization creates and updates cache ConfigMaps (their names come from the workflows).
    { apiGroups: [''], resources: ['configmaps'], verbs: ['create', 'update'] },
    { apiGroups: [''], resources: ['serviceaccounts'], verbs: ['get', 'list'] },
    { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch'] },
    {
      apiGroups: ['argoproj.io'],
      resources: ['workflows', 'workflows/finalizers', 'workflowtasksets', 'workflowtasksets/finalizers', 'workflowartifactgctasks'],
      verbs: ['get', 'list', 'watch', 'update', 'patch', 'delete', 'create'],
    },
    { apiGroups: ['argoproj.io'], resources: ['workflowtemplates', 'workflowtemplates/finalizers'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['argoproj.io'], resources: ['workflowtaskresults'], verbs: ['list', 'watch', 'deletecollection'] },
    { apiGroups: ['argoproj.io'], resources: ['cronworkflows', 'cronworkflows/finalizers'], verbs: ['get', 'list', 'watch', 'update', 'patch', 'delete'] },
  ];
  if (secretNames.length > 0) {
    rules.push({ apiGroups: [''], resources: ['secrets'], resourceNames: [...secretNames], verbs: ['get'] });
  }
  return rules;
}

interface ControllerConfig {
  readonly artifactRepository: ArtifactRepository;
  readonly parallelism: number;
  readonly podGc: PodGcStrategy;
  readonly ttlSeconds: number;
}

/**
 * The controller's ConfigMap: one YAML document per key, as Argo reads it (strictly: an unknown
 * key stops the controller).
 */
function controllerConfig(c: ControllerConfig): { [key: string]: string } {
  const yaml = (value: unknown) => YAML.stringify(value, { lineWidth: 0 });
  return {
    artifactRepository: yaml(c.artifactRepository._argoConfig()),
    parallelism: String(c.parallelism),
    // Argo's init and wait containers in every step pod: Pod Security 'restricted', with requests and limits.
    executor: yaml({
      resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
      securityContext: restrictedContainerSecurityContext(),
    }),
    workflowDefaults: yaml({
      spec: {
        podGC: { strategy: c.podGc },
        ttlStrategy: { secondsAfterCompletion: c.ttlSeconds },
      },
    }),
    metricsConfig: yaml({ enabled: true, path: '/metrics', port: METRICS_PORT }),
  };
}
