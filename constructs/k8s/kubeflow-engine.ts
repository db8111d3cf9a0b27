import * as fs from 'fs';
import * as path from 'path';
import { ApiObject } from 'cdk8s';
import { dropUndefined } from '../../lib/json';
import { k8s } from 'cdk8s-plus-27';
import { cronSchedule, sizeProblem, ETCD_OBJECT_LIMIT } from '../../lib/kubernetes';
import { compileKubeflow, KubeflowCompileOptions } from '../../lib/compile/kubeflow';
import { isA } from '../../lib/pipeline/brand';
import { PipelineValidationError } from '../../lib/pipeline/errors';
import { optionalProblem, urlProblem } from '../../lib/pipeline/rules';
import { RateUnit } from '../../lib/pipeline/schedule';
import { Scalar } from '../../lib/pipeline/values';
import { KubeflowEngineOptions } from './kubeflow-engine-options';
import { EngineContext, engineImageWarnings, EngineKind, EngineRenderer, EngineRendering, RunTarget } from './engine-renderer';
import { API_CLIENT_SCRIPT } from './run-job';
import { shortHash } from './names';
import { EgressRule, NetworkEndpoint, podNetworkPolicies } from './network';
import { guaranteed, restrictedContainerSecurityContext, restrictedPodSecurityContext } from './security';


const DEFAULT_API = 'http://ml-pipeline.kubeflow.svc.cluster.local:8888';
const SCHEDULER_SCRIPT = path.join(__dirname, 'kfp-recurring-run.py');
const SCHEDULE_DIR = '/mlops/schedule';
const TOKEN_DIR = '/var/run/secrets/kubeflow/pipelines';
/** The audience KFP's API server accepts service account tokens for. */
const KFP_AUDIENCE = 'pipelines.kubeflow.org';

/** Kubeflow Pipelines rendering: Pipeline, PipelineVersion and the recurring-run job. @internal */
export class KubeflowEngine implements EngineRenderer {
  public readonly kind = EngineKind.KUBEFLOW;

  constructor(private readonly options: KubeflowEngineOptions) {}

  public namespace(): string | undefined {
    return undefined;
  }

  public render(ctx: EngineContext): EngineRendering {
    const o = this.options;
    const stepPodLabels = { 'mlops.cdk.io/pipeline': ctx.name };
    const compileOptions: KubeflowCompileOptions = {
      defaultImage: o.defaultImage,
      utilityImage: o.utilityImage,
      codeConfigMapName: ctx.codeConfigMapName,
      gpu: o.gpu,
      pipelineName: ctx.name,
      runAsUser: o.runAsUser,
      runAsGroup: o.runAsGroup,
      podLabels: { ...stepPodLabels, ...ctx.extraStepPodLabels },
      trackingUri: ctx.trackingUri,
      endpointHandOffs: ctx.endpointHandOffs,
    };
    const doc = compileKubeflow(ctx.pipeline, compileOptions);
    const version = `${ctx.name}-${shortHash(JSON.stringify(doc))}`;
    const problems: string[] = [...optionalProblem(urlProblem('Engine.kubeflow option apiUrl', o.apiUrl, ['http', 'https']))];
    const meta = (name: string) => ({ name, namespace: ctx.namespace, labels: { ...ctx.labels } });

    const objects: ApiObject[] = [];
    objects.push(new ApiObject(ctx.scope, 'KfpPipeline', {
      apiVersion: 'pipelines.kubeflow.org/v2beta1',
      kind: 'Pipeline',
      metadata: meta(ctx.name),
      spec: dropUndefined({ displayName: ctx.pipeline.name, description: ctx.pipeline.description }),
    }));
    // A PipelineVersion's spec is immutable: each compiled spec is a new version, named by its hash.
    const pipelineVersion = {
      apiVersion: 'pipelines.kubeflow.org/v2beta1',
      kind: 'PipelineVersion',
      metadata: meta(version),
      spec: dropUndefined({
        pipelineName: ctx.name,
        displayName: version,
        description: ctx.pipeline.description,
        pipelineSpec: doc.pipelineSpec,
        platformSpec: doc.platformSpec,
      }),
    };
    const tooBig = sizeProblem(`PipelineVersion '${version}'`, pipelineVersion, ETCD_OBJECT_LIMIT, 'split the pipeline, or pass large values as files in the step code or as artifacts instead of parameters and literals');
    if (tooBig) {
      problems.push(tooBig);
    }
    objects.push(new ApiObject(ctx.scope, 'KfpPipelineVersion', pipelineVersion));

    if (ctx.schedule) {
      problems.push(...this.renderSchedule(ctx, version, objects));
    }
    if (problems.length > 0) {
      throw new PipelineValidationError(`${ctx.subject} on Kubeflow Pipelines`, problems);
    }
    return {
      objects,
      stepRules: [
        // The KFP launcher reads its own pod, the kfp-launcher ConfigMap and the object store Secret;
        // Argo's executor (under KFP) writes WorkflowTaskResults.
        { apiGroups: [''], resources: ['pods'], verbs: ['get'] },
        { apiGroups: [''], resources: ['configmaps'], resourceNames: ['kfp-launcher'], verbs: ['get'] },
        { apiGroups: [''], resources: ['secrets'], resourceNames: [o.artifactSecretName ?? 'mlpipeline-minio-artifact'], verbs: ['get'] },
        { apiGroups: ['argoproj.io'], resources: ['workflowtaskresults'], verbs: ['create', 'patch'] },
      ],
      stepPodLabels,
      stepEgress: [this.kfpServices()],
      warnings: [...engineImageWarnings(ctx.pipeline, 'Engine.kubeflow', o), ...(o.namespaceEnforcesRestricted ? [] : [podSecurityWarning(ctx.namespace)])],
      egressWarnings: [],
      runTarget: (parameters) => this.runTarget(ctx, version, parameters),
    };
  }

  /**
   * A run is created through KFP's REST API, in an experiment named after the pipeline (KFP places
   * a run in its experiment's namespace), for this PipelineVersion. The Role lists what KFP's
   * multi-user mode checks (its resource types: pipelines, experiments, runs).
   */
  private runTarget(ctx: EngineContext, version: string, parameters: { [name: string]: Scalar }): RunTarget {
    const o = this.options;
    return {
      engineName: 'Kubeflow Pipelines',
      problems: [],
      fingerprint: version,
      config: {
        api: o.apiUrl ?? DEFAULT_API,
        pipelineName: ctx.name,
        pipelineVersionName: version,
        experimentName: ctx.name,
        parameters,
        serviceAccount: ctx.serviceAccountName,
      },
      rules: [
        { apiGroups: ['pipelines.kubeflow.org'], resources: ['pipelines'], verbs: ['get', 'list'] },
        { apiGroups: ['pipelines.kubeflow.org'], resources: ['experiments'], verbs: ['get', 'list', 'create'] },
        { apiGroups: ['pipelines.kubeflow.org'], resources: ['runs'], verbs: ['get', 'list', 'create'] },
      ],
      egress: [ctx.dns, this.kfpServices()],
      tokenAudience: KFP_AUDIENCE,
      image: o.schedulerImage ?? o.utilityImage ?? o.defaultImage,
      runAsUser: o.runAsUser ?? 1000,
    };
  }

  private kfpServices(): EgressRule {
    const given = this.options.kfpServices;
    return given
      ? { to: given, askedBy: 'Engine.kubeflow option kfpServices' }
      : { to: NetworkEndpoint.pods({ namespace: 'kubeflow', ports: [8080, 8333, 8887, 8888, 9000] }), askedBy: 'the default of Engine.kubeflow option kfpServices' };
  }

  /**
   * KFP keeps recurring runs in its database, reachable only through its API, and a ScheduledWorkflow
   * applied by hand needs the Pipeline's UID, unknown until it exists. So the schedule ships as a
   * Job that, after each apply, creates or replaces one recurring run for this PipelineVersion.
   */
  private renderSchedule(ctx: EngineContext, version: string, objects: ApiObject[]): string[] {
    const schedule = ctx.schedule!;
    const o = this.options;
    const problems: string[] = [];
    let trigger: { [key: string]: any } | undefined;
    if (schedule.rateInterval) {
      const seconds = { [RateUnit.MINUTES]: 60, [RateUnit.HOURS]: 3600, [RateUnit.DAYS]: 86400 }[schedule.rateInterval.unit] * schedule.rateInterval.value;
      trigger = { periodic_schedule: { interval_second: String(seconds) } };
    } else {
      const converted = cronSchedule(schedule, "Kubeflow Pipelines' cron parser");
      if (converted.problem) {
        problems.push(converted.problem);
      } else {
        // KFP parses cron with robfig/cron v1: six fields, seconds first.
        trigger = { cron_schedule: { cron: `0 ${converted.schedule}` } };
      }
    }
    if (schedule.timeZone !== 'UTC') {
      problems.push(`schedule ${schedule} is in time zone '${schedule.timeZone}', but Kubeflow Pipelines reads recurring-run cron in its scheduler's time zone (UTC by default) and a run cannot name another; write the schedule in UTC`);
    }
    let parameters: { [name: string]: unknown } = {};
    try {
      parameters = ctx.pipeline.resolveParameters(schedule.parameters);
    } catch (e) {
      const given = isA(e, PipelineValidationError) ? e.problems : [(e as Error).message];
      problems.push(...given.map((p) => `schedule ${schedule}: ${p}`));
    }
    const image = o.schedulerImage ?? o.utilityImage ?? o.defaultImage;
    if (!image) {
      problems.push('the schedule runs as a Job that needs an image with python3; set schedulerImage, utilityImage or defaultImage');
    }
    if (problems.length > 0) {
      return problems;
    }

    const config = {
      api: o.apiUrl ?? DEFAULT_API,
      namespace: ctx.namespace,
      pipelineName: ctx.name,
      pipelineVersionName: version,
      displayName: `${ctx.name}-schedule`,
      description: `Scheduled runs of ${ctx.pipeline.name} (${schedule}), kept by cdk-mlops`,
      trigger,
      parameters,
      serviceAccount: ctx.serviceAccountName,
      maxConcurrency: 1,
      noCatchup: true,
      tokenPath: `${TOKEN_DIR}/token`,
      timeoutSeconds: 600,
    };
    const fingerprint = shortHash(JSON.stringify(config));
    const name = `${ctx.name}-schedule`;
    const scheduler = `${ctx.name}-scheduler`;
    const jobLabels = { ...ctx.labels, 'mlops.cdk.io/component': 'kfp-scheduler' };
    const meta = (objectName: string, labels = ctx.labels) => ({ name: objectName, namespace: ctx.namespace, labels: { ...labels } });

    objects.push(new k8s.KubeConfigMap(ctx.scope, 'ScheduleConfig', {
      metadata: meta(name),
      data: {
        'recurring-run.json': JSON.stringify({ ...config, fingerprint }, undefined, 2),
        'kfp-recurring-run.py': fs.readFileSync(SCHEDULER_SCRIPT, 'utf8'),
        'mlops_api.py': fs.readFileSync(API_CLIENT_SCRIPT, 'utf8'),
      },
    }));
    objects.push(new k8s.KubeServiceAccount(ctx.scope, 'SchedulerServiceAccount', { metadata: meta(scheduler), automountServiceAccountToken: false }));
    // What KFP's API authorizes (multi-user mode) for reading the pipeline and managing its recurring runs.
    objects.push(new k8s.KubeRole(ctx.scope, 'SchedulerRole', {
      metadata: meta(scheduler),
      rules: [
        { apiGroups: ['pipelines.kubeflow.org'], resources: ['pipelines', 'pipelineversions'], verbs: ['get', 'list'] },
        { apiGroups: ['pipelines.kubeflow.org'], resources: ['recurringruns'], verbs: ['get', 'list', 'create', 'delete'] },
      ],
    }));
    objects.push(new k8s.KubeRoleBinding(ctx.scope, 'SchedulerRoleBinding', {
      metadata: meta(scheduler),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: scheduler },
      subjects: [{ kind: 'ServiceAccount', name: scheduler, namespace: ctx.namespace }],
    }));
    // Jobs are immutable: a changed schedule or version is a new Job (named by the config's hash).
    objects.push(new k8s.KubeJob(ctx.scope, 'ScheduleJob', {
      metadata: meta(`${name}-${fingerprint}`, jobLabels),
      spec: {
        backoffLimit: 4,
        activeDeadlineSeconds: 900,
        ttlSecondsAfterFinished: 86400,
        template: {
          metadata: { labels: { ...jobLabels } },
          spec: {
            restartPolicy: 'Never',
            serviceAccountName: scheduler,
            automountServiceAccountToken: false,
            securityContext: restrictedPodSecurityContext(o.runAsUser ?? 1000),
            containers: [{
              name: 'recurring-run',
              image: image!,
              command: ['python3', `${SCHEDULE_DIR}/kfp-recurring-run.py`, `${SCHEDULE_DIR}/recurring-run.json`],
              resources: guaranteed('100m', '128Mi'),
              securityContext: restrictedContainerSecurityContext(),
              volumeMounts: [
                { name: 'schedule', mountPath: SCHEDULE_DIR, readOnly: true },
                { name: 'kfp-token', mountPath: TOKEN_DIR, readOnly: true },
              ],
            }],
            volumes: [
              { name: 'schedule', configMap: { name } },
              { name: 'kfp-token', projected: { sources: [{ serviceAccountToken: { audience: KFP_AUDIENCE, expirationSeconds: 3600, path: 'token' } }] } },
            ],
          },
        },
      },
    }));
    if (ctx.networkPolicies) {
      objects.push(...podNetworkPolicies(ctx.scope, 'Scheduler', {
        name: scheduler,
        namespace: ctx.namespace,
        labels: ctx.labels,
        podLabels: { 'mlops.cdk.io/pipeline': ctx.name, 'mlops.cdk.io/component': 'kfp-scheduler' },
        egress: [ctx.dns, this.kfpServices()],
      }));
    }
    return [];
  }
}

/**
 * What KFP's platform spec cannot promise about step pods, and the fix: the KFP 2.17
 * kubernetes_executor_config SecurityContext has run_as_user, run_as_group and run_as_non_root
 * only (fields 3-5 were removed upstream), and KFP adds its own launcher and Argo executor
 * containers to each step pod.
 */
function podSecurityWarning(namespace: string): string {
  return "Kubeflow step pods may not pass Pod Security 'restricted': KFP's platform spec (kubernetes_executor_config SecurityContext, KFP 2.17) sets only runAsUser, runAsGroup and runAsNonRoot on the step container, so allowPrivilegeEscalation: false, seccompProfile RuntimeDefault and readOnlyRootFilesystem are left to KFP's backend (the proto says it drops all capabilities), as are the launcher and Argo executor containers KFP adds. "
    + `To have the cluster enforce it, label the namespace: kubectl label namespace ${namespace} pod-security.kubernetes.io/enforce=restricted (pods that do not pass are then rejected, so check KFP's own pods run there first), and set Engine.kubeflow({ namespaceEnforcesRestricted: true })`;
}
