import * as fs from 'fs';
import * as path from 'path';
import { k8s } from 'cdk8s-plus-27';
// Kubernetes CronJobs parse schedules with robfig/cron's standard parser, as Argo does.
import { cronSchedule } from '../../lib/kubernetes';
import { isA } from '../../lib/pipeline/brand';
import { PipelineValidationError } from '../../lib/pipeline/errors';
import { Schedule } from '../../lib/pipeline/schedule';
import { Scalar } from '../../lib/pipeline/values';
import { RunJobOptions } from './run-job-options';
import { EngineContext, EngineKind, EngineRendering, RunTarget } from './engine-renderer';
import { DNS_LABEL, shortHash } from './names';
import { podNetworkPolicies } from './network';
import { guaranteed, MANAGED_BY, restrictedContainerSecurityContext, restrictedPodSecurityContext } from './security';


/** A run job as MlPipeline.addRunJob recorded it. @internal */
export interface RunJobRequest {
  readonly id: string;
  readonly options: RunJobOptions;
}

const SCRIPT = path.join(__dirname, 'run-pipeline.py');
/** The REST client the run jobs and the Kubeflow scheduler share, shipped beside each script. */
export const API_CLIENT_SCRIPT = path.join(__dirname, 'mlops_api.py');
const RUN_DIR = '/mlops/run';
const TOKEN_DIR = '/var/run/secrets/mlops';
/** `<name>-<id>` names the CronJob (at most 52 chars, as Kubernetes requires) and, plus '-<10 hex>', the Job (at most 63). */
const RUN_NAME_MAX = 52;

interface PlannedRun {
  readonly id: string;
  readonly target: RunTarget;
  readonly image: string;
  readonly config: { [key: string]: unknown };
  readonly schedule?: { readonly cron: string; readonly timeZone: string };
}

/**
 * The run jobs of one pipeline: each a Job (or, with a schedule, a CronJob) whose pod submits a run
 * through the engine (run-pipeline.py), with one ServiceAccount `<name>-runner` whose Role allows
 * only what the engine checks, and default-deny network policies for the run pods. Returns the
 * problems; objects are created only when there are none.
 */
export function renderRunJobs(ctx: EngineContext, kind: EngineKind, rendering: EngineRendering, requests: RunJobRequest[]): string[] {
  const problems: string[] = [];
  const planned: PlannedRun[] = [];
  for (const request of requests) {
    const plan = planRun(ctx, kind, rendering, request, problems);
    if (plan) {
      planned.push(plan);
    }
  }
  if (problems.length > 0 || planned.length === 0) {
    return problems;
  }

  const runner = `${ctx.name}-runner`;
  const meta = (name: string) => ({ name, namespace: ctx.namespace, labels: { ...ctx.labels } });
  // Run pods do not carry the pipeline label, so the step pods' network policies do not select them.
  const podLabels = { ...MANAGED_BY, 'mlops.cdk.io/runner': ctx.name };
  const script = fs.readFileSync(SCRIPT, 'utf8');
  const client = fs.readFileSync(API_CLIENT_SCRIPT, 'utf8');
  new k8s.KubeServiceAccount(ctx.scope, 'RunnerServiceAccount', { metadata: meta(runner), automountServiceAccountToken: false });
  new k8s.KubeRole(ctx.scope, 'RunnerRole', { metadata: meta(runner), rules: planned[0].target.rules });
  new k8s.KubeRoleBinding(ctx.scope, 'RunnerRoleBinding', {
    metadata: meta(runner),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: runner },
    subjects: [{ kind: 'ServiceAccount', name: runner, namespace: ctx.namespace }],
  });
  if (ctx.networkPolicies) {
    podNetworkPolicies(ctx.scope, 'Runner', { name: runner, namespace: ctx.namespace, labels: ctx.labels, podLabels, egress: planned[0].target.egress });
  }

  for (const run of planned) {
    const fingerprint = shortHash(JSON.stringify([run.config, run.target.fingerprint, run.image, script, client]));
    // A Job is immutable and runs once: it is named by what it submits, so re-applying the same
    // manifests starts nothing and a changed pipeline or parameter set is one new run. It has no
    // TTL: a deleted Job would be created, and run, again by the next apply.
    const name = run.schedule ? `${ctx.name}-${run.id}` : `${ctx.name}-${run.id}-${fingerprint}`;
    const audience = run.target.tokenAudience;
    const config = { ...run.config, ...(audience !== undefined ? { tokenPath: `${TOKEN_DIR}/token` } : {}) };
    new k8s.KubeConfigMap(ctx.scope, `Run-${run.id}-Config`, {
      metadata: meta(name),
      data: { 'run.json': JSON.stringify(config, undefined, 2), 'run-pipeline.py': script, 'mlops_api.py': client },
    });
    const pod: k8s.PodTemplateSpec = {
      metadata: { labels: { ...podLabels, 'mlops.cdk.io/run-job': run.id } },
      spec: {
        restartPolicy: 'Never',
        serviceAccountName: runner,
        // The Kubernetes API takes the pod's own token; KFP takes a token for its audience only.
        automountServiceAccountToken: audience === undefined,
        securityContext: restrictedPodSecurityContext(run.target.runAsUser),
        containers: [{
          name: 'run',
          image: run.image,
          command: ['python3', `${RUN_DIR}/run-pipeline.py`, `${RUN_DIR}/run.json`],
          env: [{ name: 'MLOPS_RUN_NAME', valueFrom: { fieldRef: { fieldPath: "metadata.labels['batch.kubernetes.io/job-name']" } } }],
          resources: guaranteed('100m', '128Mi'),
          securityContext: restrictedContainerSecurityContext(),
          volumeMounts: [
            { name: 'run', mountPath: RUN_DIR, readOnly: true },
            ...(audience !== undefined ? [{ name: 'token', mountPath: TOKEN_DIR, readOnly: true }] : []),
          ],
        }],
        volumes: [
          { name: 'run', configMap: { name } },
          ...(audience !== undefined ? [{ name: 'token', projected: { sources: [{ serviceAccountToken: { audience, expirationSeconds: 3600, path: 'token' } }] } }] : []),
        ],
      },
    };
    const job: k8s.JobSpec = { backoffLimit: 4, activeDeadlineSeconds: 900, template: pod };
    if (run.schedule) {
      new k8s.KubeCronJob(ctx.scope, `Run-${run.id}`, {
        metadata: meta(name),
        spec: {
          schedule: run.schedule.cron,
          timeZone: run.schedule.timeZone,
          concurrencyPolicy: 'Forbid',
          startingDeadlineSeconds: 300,
          successfulJobsHistoryLimit: 3,
          failedJobsHistoryLimit: 3,
          jobTemplate: { metadata: { labels: { ...ctx.labels } }, spec: { ...job, ttlSecondsAfterFinished: 86400 } },
        },
      });
    } else {
      new k8s.KubeJob(ctx.scope, `Run-${run.id}`, { metadata: meta(name), spec: job });
    }
  }
  return [];
}

function planRun(ctx: EngineContext, kind: EngineKind, rendering: EngineRendering, request: RunJobRequest, problems: string[]): PlannedRun | undefined {
  const { id, options } = request;
  const at = `run job '${id}'`;
  const before = problems.length;
  const runName = `${ctx.name}-${id}`;
  if (!DNS_LABEL.test(id) || runName.length > RUN_NAME_MAX) {
    problems.push(`${at}: id '${id}' is invalid (rule: lowercase letters, digits and '-', and '<name>-<id>' = '${runName}' at most ${RUN_NAME_MAX} chars, because it names the CronJob and, with a 10-hex suffix, the Job); use a short id such as 'retrain'`);
  }
  let parameters: { [name: string]: Scalar } = {};
  try {
    parameters = ctx.pipeline.resolveParameters(options.parameters);
  } catch (e) {
    const given = isA(e, PipelineValidationError) ? e.problems : [(e as Error).message];
    problems.push(...given.map((p) => `${at}: ${p}`));
  }
  let schedule: PlannedRun['schedule'];
  if (options.schedule !== undefined) {
    if (!Schedule.isSchedule(options.schedule)) {
      problems.push(`${at}: schedule is not a Schedule; use Schedule.cron(...), Schedule.rate(...) or Schedule.daily()`);
    } else {
      const converted = cronSchedule(options.schedule, 'the Kubernetes CronJob cron parser');
      if (converted.problem) {
        problems.push(`${at}: ${converted.problem}`);
      } else {
        schedule = { cron: converted.schedule!, timeZone: options.schedule.timeZone };
      }
    }
  }
  const target = problems.length === before ? rendering.runTarget(parameters) : undefined;
  problems.push(...(target?.problems ?? []).map((p) => `${at}: ${p}`));
  const image = options.image ?? target?.image;
  if (target && !image) {
    problems.push(`${at}: the job's pod needs an image with python3; set image in addRunJob's options, or the engine's ${kind === EngineKind.KUBEFLOW ? 'schedulerImage, utilityImage or defaultImage' : 'utilityImage or defaultImage'}`);
  }
  if (problems.length > before || !target || !image) {
    return undefined;
  }
  const config = {
    engine: kind,
    namespace: ctx.namespace,
    description: `A run of ${ctx.pipeline.name} by run job '${id}', submitted by cdk-mlops`,
    ...target.config,
    timeoutSeconds: 600,
  };
  return { id, target, image, config, schedule };
}
