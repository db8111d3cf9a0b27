import { Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { CODE_ARCHIVE_KEY, CONFIG_MAP_LIMIT, formatBytes, KUBERNETES_NAME_RULES, kubernetesNameProblem } from '../../lib/kubernetes';
import { optionalProblem } from '../../lib/pipeline/rules';
import { AWS_TRACKING_SERVER_BRAND, hasBrand, isA, K8S_TRACKING_SERVER_BRAND } from '../../lib/pipeline/brand';
import { Code } from '../../lib/pipeline/code';
import { ContainerStep } from '../../lib/pipeline/steps/container-step';
import { RegisterModelStep } from '../../lib/pipeline/steps/register-model-step';
import { TuneStep } from '../../lib/pipeline/steps/tune-step';
import { Step } from '../../lib/pipeline/step';
import { PipelineValidationError, show } from '../../lib/pipeline/errors';
import { Pipeline } from '../../lib/pipeline/pipeline';
import { Schedule } from '../../lib/pipeline/schedule';
import { packageCode } from '../../lib/runtime/package-code';
import { Engine } from './engine';
import { EngineContext } from './engine-renderer';
import { endpointHandOffs, HandOffProps, HandOffRequest, registeredGroups, renderHandOffRbac } from './endpoint-hand-off';
import { linkLateObjects } from './late-objects';
import { codeConfigMapName, DNS_LABEL, namespaceProblem } from './names';
import { dnsAndApiServerEgress, NetworkEndpoint, noApiServerWarning, podNetworkPolicies } from './network';
import { renderPipelineDocumentConfigMap } from './pipeline-document';
import { renderRunJobs, RunJobRequest } from './run-job';
import { RunJobOptions } from './run-job-options';
import { MlflowServer } from './mlflow';
import { MANAGED_BY } from './security';
import { collisionProblems, registerObjectOwner } from './uniqueness';
import { tuningNetwork, tuningStepRules, tuningWarnings } from './tuning-access';
import { SynthWarnings } from './warnings';

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
  /**
   * Where the pipeline's pods reach the Kubernetes API server (step pods report through it; Argo
   * run jobs submit through it): `NetworkEndpoint.apiServer('<CIDR>')`, or
   * `NetworkEndpoint.anywhere([443, 6443])` by name.
   * @default none: no pod of the pipeline gets egress to the API server, which stops its steps where the cluster enforces NetworkPolicies; synth warns
   */
  readonly apiServer?: NetworkEndpoint;
  /** @default NetworkEndpoint.clusterDns() */
  readonly dns?: NetworkEndpoint;
  /**
   * Also write the pipeline's neutral form (the `cdk-mlops/pipeline/v1` document) into the
   * manifest, as the ConfigMap '<name>-pipeline-document': `mlops run --local` and `mlops graph`
   * then take the synthesized manifest file, and the cluster records which pipeline is deployed.
   * @default true
   */
  readonly pipelineDocument?: boolean;
  /**
   * An MLflow tracking server: every step gets its `trackingUri` as MLFLOW_TRACKING_URI (unless
   * the step's env sets one), and the step pods may reach it (egress to its pods; the step pods
   * carry its client label). @default none
   */
  readonly tracking?: MlflowServer;
}

/** The longest base name: generated names add suffixes up to 11 chars ('-<10 hex>') and must stay labels. */
const BASE_NAME_MAX = 52;

/**
 * An ML pipeline on Kubernetes: its step code as ConfigMaps, the engine's pipeline objects (Argo
 * WorkflowTemplate and CronWorkflow, or Kubeflow Pipeline and PipelineVersion), a service account
 * with the least privilege its pods need, and default-deny network policies.
 *
 * The pipeline is rendered at synth time, not here: steps added to the pipeline after this
 * construct was created are synthesized, and problems with the pipeline or what the engine can
 * express are reported by the app's validation, with this construct's path.
 */
export class MlPipeline extends Construct {
  /** The base name of the pipeline's objects. */
  public readonly name: string;
  public readonly namespace: string;
  /** The service account the pipeline's pods run as. */
  public readonly serviceAccountName: string;

  private readonly props: MlPipelineProps;
  private readonly subject: string;
  private readonly runJobs: RunJobRequest[] = [];
  private readonly handOffRequests: HandOffRequest[] = [];
  /** The problems of the one rendering, once it happened. */
  private rendered?: string[];

  constructor(scope: Construct, id: string, props: MlPipelineProps) {
    super(scope, id);
    const subject = `MlPipeline '${id}'`;
    const problems: string[] = [];
    if (!Engine.isEngine(props.engine)) {
      throw new PipelineValidationError(subject, ['engine is not an Engine; use Engine.argo(...) or Engine.kubeflow(...)']);
    }
    if (!Pipeline.isPipeline(props.pipeline)) {
      throw new PipelineValidationError(subject, ["pipeline is not a Pipeline; pass a cdk-mlops Pipeline (new Pipeline('name', ...))"]);
    }
    this.name = props.name ?? String(props.pipeline.name).toLowerCase();
    if (!DNS_LABEL.test(this.name) || this.name.length > BASE_NAME_MAX) {
      problems.push(`name '${this.name}' (${props.name !== undefined ? 'props.name' : 'the pipeline name lowercased'}) is invalid for the pipeline's Kubernetes objects (rule: a DNS-1123 label of lowercase letters, digits and '-', at most ${BASE_NAME_MAX} chars, so that generated names such as '<name>-<10 hex>' stay within 63); set props.name, e.g. '${this.name.replace(/[^a-z0-9-]+/g, '-').replace(/^-+/, '').slice(0, BASE_NAME_MAX).replace(/-+$/, '') || 'pipeline'}'`);
    }
    const required = props.engine._renderer.namespace();
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
    problems.push(...optionalProblem(kubernetesNameProblem('serviceAccountName', props.serviceAccountName, KUBERNETES_NAME_RULES.dnsSubdomain)));
    if (props.tracking !== undefined && !hasBrand(props.tracking, K8S_TRACKING_SERVER_BRAND)) {
      problems.push(hasBrand(props.tracking, AWS_TRACKING_SERVER_BRAND)
        ? "tracking is an AWS tracking server (aws.MlflowTrackingServer), which step pods cannot use: its tracking URI is an ARN that needs the sagemaker-mlflow plugin and AWS credentials the pods do not have; give a k8s.MlflowServer, e.g. new k8s.MlflowServer(chart, 'mlflow', {...})"
        : `tracking is ${show(props.tracking)}, not a k8s.MlflowServer; give one, e.g. new k8s.MlflowServer(chart, 'mlflow', {...}), or leave tracking out`);
    }
    if (problems.length > 0) {
      throw new PipelineValidationError(subject, problems);
    }
    this.namespace = namespace!;
    this.serviceAccountName = props.serviceAccountName ?? `${this.name}-pipeline`;
    this.props = props;
    this.subject = subject;
    // cdk8s runs validations before it resolves and writes any object (App.synth, Chart.toJson):
    // the last moment the pipeline can change, and the first the objects are needed.
    registerObjectOwner(this, {
      title: subject,
      baseName: this.name,
      givenName: props.name ?? String(props.pipeline.name),
      nameOrigin: props.name !== undefined ? `props.name '${props.name}'` : `the pipeline name '${props.pipeline.name}', lowercased`,
      fix: `Give each MlPipeline its own base name with props.name (e.g. name: '${this.name}-2'), or put them in different namespaces.`,
      renderObjects: () => this.renderOnce(),
    });
    this.node.addValidation({ validate: () => [...this.renderOnce(), ...collisionProblems(this)] });
  }

  /** The model groups the pipeline's register steps write to, sorted. */
  public get registeredGroups(): string[] {
    return registeredGroups(this.props.pipeline);
  }

  /** @internal The pipeline's name, for messages. */
  public get _pipelineName(): string {
    return this.props.pipeline.name;
  }

  /**
   * @internal A CanaryEndpoint serves what this pipeline registers into a group: after each such
   * register step succeeds, a hand-off step points the endpoint at the new version.
   */
  public _addHandOff(request: HandOffRequest): void {
    if (this.rendered) {
      throw new PipelineValidationError(this.subject, [`${request.endpointTitle} uses ServedModel.fromPipeline after the pipeline was synthesized; create the endpoint before app.synth()`]);
    }
    this.handOffRequests.push(request);
  }

  /** Names of the code ConfigMaps for the pipeline as it is now, sorted. */
  public get codeConfigMaps(): string[] {
    const codes = new Set(stepCodes(this.props.pipeline).map(({ code }) => code));
    return [...new Set([...codes].map((code) => codeConfigMapName(this.name, packageCode(code))))].sort();
  }

  /**
   * Adds a Kubernetes Job that submits one run of the pipeline with these parameters (or, with a
   * schedule, a CronJob that submits one on each tick): how another workload, such as a drift
   * monitor or a feature pipeline, starts a training run. The job's pods run as the ServiceAccount
   * `<name>-runner`, whose Role allows only what submitting needs. Parameters are checked against
   * the pipeline's parameters at synth time.
   */
  public addRunJob(id: string, options: RunJobOptions = {}): void {
    if (this.rendered) {
      throw new PipelineValidationError(this.subject, [`addRunJob('${id}') after the pipeline was synthesized; add run jobs before app.synth()`]);
    }
    if (this.runJobs.some((r) => r.id === id)) {
      throw new PipelineValidationError(this.subject, [`a run job '${id}' already exists; give each run job its own id`]);
    }
    this.runJobs.push({ id, options: { ...options, parameters: options.parameters && { ...options.parameters } } });
  }

  /**
   * Creates every object of the pipeline once, at the first validation. Objects whose number
   * depends on the pipeline (a ConfigMap per Code) cannot be created in the constructor; created
   * here, they are in the tree before cdk8s collects the objects to write, and linkLateObjects
   * gives them the dependencies cdk8s derived before they existed. Later validations (each chart's
   * toJson runs them again) return the first result; the pipeline is frozen from then on.
   */
  private renderOnce(): string[] {
    if (this.rendered === undefined) {
      this.rendered = this.render();
      linkLateObjects(this);
    }
    return this.rendered;
  }

  private render(): string[] {
    try {
      this.renderObjects();
      return [];
    } catch (e) {
      if (isA(e, PipelineValidationError)) {
        return [e.message];
      }
      throw e;
    }
  }

  private renderObjects(): void {
    const props = this.props;
    const pipeline = props.pipeline;
    const ns = this.namespace;
    const labels = { ...MANAGED_BY, 'mlops.cdk.io/pipeline': this.name };

    // Validate the model first: its messages are the most useful.
    pipeline.validate();
    const archives = this.codeArchives(pipeline);
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
        binaryData: { [CODE_ARCHIVE_KEY]: archive.data.toString('base64') },
      });
    }

    const handOff: HandOffProps = { name: this.name, namespace: ns, labels, engine: props.engine._renderer.kind, pipelineServiceAccount: this.serviceAccountName, requests: this.handOffRequests };
    const ctx: EngineContext = {
      scope: this,
      subject: this.subject,
      pipeline,
      name: this.name,
      namespace: ns,
      serviceAccountName: this.serviceAccountName,
      schedule: props.schedule,
      codeConfigMapName: nameOf,
      labels,
      networkPolicies: props.networkPolicies ?? true,
      ...dnsAndApiServerEgress(this.subject, props.dns, props.apiServer),
      trackingUri: props.tracking?.trackingUri,
      extraStepPodLabels: props.tracking?.clientLabels,
      endpointHandOffs: endpointHandOffs(pipeline, handOff),
    };
    if (props.tracking && props.tracking.namespace !== ns) {
      SynthWarnings.add(this, `tracking server '${props.tracking.name}' is in namespace '${props.tracking.namespace}', the pipeline in '${ns}': the server admits client pods of its own namespace only, so give it allowClientsFrom: [NetworkEndpoint.pods({ namespace: '${ns}', podLabels: ${JSON.stringify(props.tracking.clientLabels)} })]`);
    }
    const rendering = props.engine._renderer.render(ctx);
    const egressWarnings = ctx.networkPolicies ? [...(ctx.apiServer ? [] : [noApiServerWarning(`${this.name}-steps-allow`, 'step pods cannot report their results (and Argo run jobs cannot submit)')]), ...rendering.egressWarnings] : [];
    [...egressWarnings, ...rendering.warnings, ...tuningWarnings(pipeline, ns, props.serviceAccountName !== undefined)].forEach((w) => SynthWarnings.add(this, w));

    if (props.serviceAccountName === undefined) {
      new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { name: this.serviceAccountName, namespace: ns, labels } });
      new k8s.KubeRole(this, 'Role', { metadata: { name: this.serviceAccountName, namespace: ns, labels }, rules: [...rendering.stepRules, ...tuningStepRules(pipeline)] });
      new k8s.KubeRoleBinding(this, 'RoleBinding', {
        metadata: { name: this.serviceAccountName, namespace: ns, labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: this.serviceAccountName },
        subjects: [{ kind: 'ServiceAccount', name: this.serviceAccountName, namespace: ns }],
      });
    }

    renderHandOffRbac(this, handOff, rendering.stepRules);

    if (ctx.networkPolicies && rendering.stepPodLabels) {
      const tuning = tuningNetwork(pipeline, this.subject, rendering.stepPodLabels);
      podNetworkPolicies(this, 'Steps', {
        name: `${this.name}-steps`,
        namespace: ns,
        labels,
        podLabels: rendering.stepPodLabels,
        egress: [ctx.dns, ...(ctx.apiServer ? [ctx.apiServer] : []), ...rendering.stepEgress, ...(props.tracking ? [{ to: props.tracking.endpoint, askedBy: `${this.subject} prop tracking` }] : []), ...tuning.egress],
        ingress: tuning.ingress,
      });
    }

    const problems = renderRunJobs(ctx, props.engine._renderer.kind, rendering, this.runJobs);
    if (props.pipelineDocument ?? true) {
      problems.push(...renderPipelineDocumentConfigMap(this, pipeline, { name: this.name, namespace: ns, labels, codeConfigMapName: nameOf }));
    }
    if (problems.length > 0) {
      throw new PipelineValidationError(this.subject, problems);
    }
  }

  /** Each distinct Code's archive, named by content; too large an archive is an error. */
  private codeArchives(pipeline: Pipeline): Map<Code, { name: string; data: Buffer; directory: string }> {
    const archives = new Map<Code, { name: string; data: Buffer; directory: string }>();
    const problems: string[] = [];
    for (const { step, code } of stepCodes(pipeline)) {
      if (archives.has(code)) {
        continue;
      }
      const data = packageCode(code);
      const name = codeConfigMapName(this.name, data);
      // binaryData travels base64-encoded; the limit counts the decoded bytes plus the key.
      const size = data.length + CODE_ARCHIVE_KEY.length;
      if (size > CONFIG_MAP_LIMIT) {
        problems.push(`the code of step '${step.name}' (${code.directory}) packs to ${formatBytes(size)}, over the ${formatBytes(CONFIG_MAP_LIMIT)} ConfigMap limit; leave data and large files out (Code.fromDirectory(dir, { exclude: [...] })), read data from the artifact store instead, or bake the code into the step's image`);
        continue;
      }
      archives.set(code, { name, data, directory: code.directory });
    }
    if (problems.length > 0) {
      throw new PipelineValidationError(this.subject, problems);
    }
    return archives;
  }
}

/** Every Code the pipeline's pods mount: container steps' code, and register steps' inference code. */
function stepCodes(pipeline: Pipeline): { step: Step; code: Code }[] {
  return pipeline.allSteps().flatMap((step) => {
    if (ContainerStep.isContainerStep(step)) {
      return [{ step, code: step.code }];
    }
    if (isA(step, TuneStep) && ContainerStep.isContainerStep(step.trial)) {
      return [{ step, code: step.trial.code }]; // the code every trial runs
    }
    const inference = isA(step, RegisterModelStep) ? step.inference : undefined;
    return inference ? [{ step, code: inference.code }] : [];
  });
}
