import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Code, Condition, Parameter, Pipeline, RateUnit, RetryPolicy, Schedule, Step, Value } from '../../../lib';
import { AirflowOptions, compileAirflow, JOIN_TRIGGER_RULE } from '../../../lib/compile/airflow';
import { dagAst, dagsFolder, execDag, execDagFile, Json, pyCompileProblems } from '../../support/airflow';
import { podOf } from '../../support/airflow/pod';
import { podSecurityProblems, resourceProblems, validateManifests } from '../../support/k8s';

/** A step script that records its MLOPS_* environment in each output folder and reports score = 1. */
const ENV_SCRIPT = `import json, os
env = {k: v for k, v in os.environ.items() if k.startswith("MLOPS_")}
for k, v in env.items():
    if k.startswith("MLOPS_OUTPUT_") or k == "MLOPS_MODEL_DIR":
        os.makedirs(v, exist_ok=True)
        with open(os.path.join(v, "env.json"), "w") as f:
            json.dump(env, f)
with open(env["MLOPS_METRICS_FILE"], "w") as f:
    json.dump({"score": float(os.environ.get("SCORE", "1"))}, f)
`;

const codeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'airflow-code-'));
fs.writeFileSync(path.join(codeDir, 'env.py'), ENV_SCRIPT);
const code = Code.fromDirectory(codeDir);
const entry = 'env.py';
afterAll(() => fs.rmSync(codeDir, { recursive: true, force: true }));

const KUBERNETES = { namespace: 'ml', dataVolumeClaim: 'mlops-data', defaultImage: 'python:3.11-slim' };

/**
 * The python executor's STEPS table (each step's own launch values, steps/step-entry.ts), checking
 * that each task of the table names exactly its own entry (`(step="<task id>")`).
 */
function stepsOf(source: string): Json {
  const table = /^STEPS = r"""(\{[\s\S]*?\})"""$/m.exec(source);
  expect(table).not.toBeNull();
  const steps = JSON.parse(table![1]);
  for (const id of Object.keys(steps)) {
    expect(source).toContain(`(step=${JSON.stringify(id)})\n`);
  }
  return steps;
}

function compile(pipeline: Pipeline, options: Partial<AirflowOptions> = {}) {
  const dag = compileAirflow(pipeline, { executor: 'python', ...options });
  expect(pyCompileProblems(dag.source)).toBe('');
  return dag;
}

/** Lays out a DAGs folder, runs the DAG's tasks with the real launcher, returns the run and the data root. */
function runDag(pipeline: Pipeline, run: Json = {}) {
  const dataRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'airflow-data-'));
  const dag = compile(pipeline, { dataRoot });
  const file = dagsFolder(dag);
  try {
    const result = execDagFile(file, { run_id: 'manual__2025-01-01T00:00:00+00:00', ...run });
    return { result, runDir: path.join(dataRoot, dag.dagId, 'manual__2025-01-01T00:00:00+00:00'), dataRoot };
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}

const readJson = (file: string): Json => JSON.parse(fs.readFileSync(file, 'utf8'));

function conditionPipeline(): Pipeline {
  const p = new Pipeline('cond', {
    parameters: {
      threshold: Parameter.number(0.5),
      flag: Parameter.boolean(true, { description: 'a switch' }),
      mode: Parameter.string('fast', { allowedValues: ['fast', 'slow'] }),
      seed: Parameter.integer(),
    },
  });
  const score = Step.script('score', { code, entry, outputs: ['out'], metrics: ['score'], params: { flag: p.parameter('flag'), mode: p.parameter('mode'), size: Value.integer(3) } });
  const gate = Step.condition('gate', {
    when: Condition.and(Condition.gte(score.metric('score'), p.parameter('threshold')), Condition.isIn(p.parameter('mode'), [Value.string('fast'), Value.string('slow')])),
    then: [Step.script('deploy', { code, entry, inputs: { model: score.output('out') }, outputs: ['done'] })],
    otherwise: [Step.script('alert', { code, entry, outputs: ['done'] })],
  });
  const report = Step.script('report', { code, entry, dependsOn: [gate], outputs: ['done'] });
  p.addStep(score, gate, report);
  return p;
}

describe('conditions', () => {
  test('the branch task returns the chosen branch plus the tasks outside that wait for the condition; those join with none_failed_min_one_success', () => {
    const ast = dagAst(compile(conditionPipeline()).source);
    expect(ast.tasks.gate.branches).toEqual({
      condition: "metric(ti, 'score', 'score') >= params['threshold'] and params['mode'] in ['fast', 'slow']",
      then: ['deploy', 'report'],
      otherwise: ['alert', 'report'],
    });
    expect(ast.edges).toEqual({ gate: ['score'], deploy: ['score', 'gate'], alert: ['gate'], report: ['gate', 'deploy', 'alert'] });
    expect(ast.tasks.report.kwargs.trigger_rule).toBe(JOIN_TRIGGER_RULE);
    expect(ast.tasks.deploy.kwargs.trigger_rule).toBeUndefined();
  });

  test('params carry their type, allowed values, description and (when set) default; steps read them through templates', () => {
    const ast = dagAst(compile(conditionPipeline()).source);
    expect(ast.dag.params).toEqual({
      threshold: { param: { default: 0.5, type: 'number' } },
      flag: { param: { default: true, type: 'boolean', description: 'a switch' } },
      mode: { param: { default: 'fast', type: 'string', enum: ['fast', 'slow'] } },
      seed: { param: { type: 'integer' } },
    });
    expect(stepsOf(compile(conditionPipeline()).source).score.params).toEqual({
      flag: "{{ 'true' if params.flag else 'false' }}",
      mode: '{{ params.mode }}',
      size: '3',
    });
  });

  test('run on the python executor: metrics travel by XCom, the other branch is skipped and the join still runs', () => {
    const pass = runDag(conditionPipeline());
    expect(pass.result.run.errors).toEqual({});
    expect(pass.result.run.states).toEqual({ score: 'success', gate: 'success', deploy: 'success', alert: 'skipped', report: 'success' });
    expect(pass.result.run.xcom.score).toEqual({ score: 1 });
    const env = readJson(path.join(pass.runDir, 'deploy', 'done', 'env.json'));
    expect(env).toMatchObject({
      MLOPS_ENGINE: 'airflow',
      MLOPS_RUN_ID: 'manual__2025-01-01T00:00:00+00:00',
      MLOPS_INPUT_MODEL: path.join(pass.runDir, 'score', 'out'),
      MLOPS_DATA_INTERVAL_START: '2025-01-01T00:00:00+00:00',
      MLOPS_DATA_INTERVAL_END: '2025-01-02T00:00:00+00:00',
    });
    expect(readJson(path.join(pass.runDir, 'score', 'out', 'env.json'))).toMatchObject({ MLOPS_PARAM_FLAG: 'true', MLOPS_PARAM_MODE: 'fast', MLOPS_PARAM_SIZE: '3' });
    fs.rmSync(pass.dataRoot, { recursive: true, force: true });

    const low = runDag(conditionPipeline(), { params: { threshold: 2, flag: false } });
    expect(low.result.run.states).toEqual({ score: 'success', gate: 'success', deploy: 'skipped', alert: 'success', report: 'success' });
    expect(readJson(path.join(low.runDir, 'score', 'out', 'env.json')).MLOPS_PARAM_FLAG).toBe('false');
    fs.rmSync(low.dataRoot, { recursive: true, force: true });
  });
  test('nested conditions: the inner branch task runs under the outer one; when the outer picks otherwise, the inner branch is skipped as a whole', () => {
    const p = new Pipeline('nested', { parameters: { outer: Parameter.number(0.5), inner: Parameter.number(0.5) } });
    const score = Step.script('score', { code, entry, metrics: ['score'] });
    const inner = Step.condition('inner', {
      when: Condition.gte(score.metric('score'), p.parameter('inner')),
      then: [Step.script('deep', { code, entry, outputs: ['done'] })],
      otherwise: [Step.fail('stop', { message: 'inner failed' })],
    });
    p.addStep(score, Step.condition('outer', {
      when: Condition.gte(score.metric('score'), p.parameter('outer')),
      then: [inner],
      otherwise: [Step.script('other', { code, entry, outputs: ['done'] })],
    }));
    const ast = dagAst(compile(p).source);
    expect(ast.edges).toEqual({ outer: ['score'], inner: ['score', 'outer'], deep: ['inner'], stop: ['inner'], other: ['outer'] });
    expect(ast.tasks.outer.branches.then).toEqual(['inner']);
    const low = runDag(p, { params: { outer: 2 } });
    expect(low.result.run.states).toEqual({ score: 'success', outer: 'success', inner: 'skipped', deep: 'skipped', stop: 'skipped', other: 'success' });
    fs.rmSync(low.dataRoot, { recursive: true, force: true });
    const high = runDag(p, { params: { inner: 2 } });
    expect(high.result.run.states).toMatchObject({ inner: 'success', deep: 'skipped', stop: 'failed', other: 'skipped' });
    expect(high.result.run.errors.stop).toEqual({ type: 'AirflowFailException', message: 'inner failed' });
    fs.rmSync(high.dataRoot, { recursive: true, force: true });
  });
});

describe('forEach', () => {
  function fanPipeline(): Pipeline {
    const p = new Pipeline('fan');
    const fan = Step.script('fan', { code, entry, forEach: ['a', 'b'], outputs: ['out'], metrics: ['score'] });
    const gather = Step.script('gather', { code, entry, inputs: { all: fan.collect('out'), scores: fan.collectMetrics() }, outputs: ['done'] });
    p.addStep(fan, gather);
    return p;
  }

  test('a mapped task: .partial(arguments).expand(environment=[one per item]); the collector reads the folder of items', () => {
    const ast = dagAst(compile(fanPipeline()).source);
    expect(ast.tasks.fan.mapped).toBe(true);
    expect(ast.tasks.fan.call.arguments).toEqual(['--entry', 'env.py', '--code', 'fan/code-1', '--metric', 'score']);
    const envs = ast.tasks.fan.expand.environment;
    expect(envs.map((e: Json) => [e.MLOPS_ITEM, e.MLOPS_OUTPUT_OUT, e.MLOPS_METRICS_FILE])).toEqual([
      ['a', '${RUN_DIR}/fan/out/a', '${RUN_DIR}/fan/metrics/a/metrics.json'],
      ['b', '${RUN_DIR}/fan/out/b', '${RUN_DIR}/fan/metrics/b/metrics.json'],
    ]);
    // In the run's folder: run_step makes them DATA_ROOT/DAG_ID/<run_id>/fan/out and .../fan/metrics.
    expect(stepsOf(compile(fanPipeline()).source).gather.inputs).toEqual({ all: 'fan/out', scores: 'fan/metrics' });
    expect(ast.edges).toEqual({ gather: ['fan'] });
  });

  test('run: each item writes its own folder, and the collector finds a folder per item', () => {
    const { result, runDir, dataRoot } = runDag(fanPipeline());
    expect(result.run.states).toEqual({ fan: 'success', gather: 'success' });
    expect(result.run.xcom.fan).toEqual([{ score: 1 }, { score: 1 }]);
    expect(readJson(path.join(runDir, 'fan', 'out', 'b', 'env.json')).MLOPS_ITEM).toBe('b');
    expect(fs.readdirSync(path.join(runDir, 'fan', 'metrics')).sort()).toEqual(['a', 'b']);
    fs.rmSync(dataRoot, { recursive: true, force: true });
  });

  test('on the kubernetes executor: KubernetesPodOperator.partial(...).expand(env_vars=[...])', () => {
    const ast = dagAst(compile(fanPipeline(), { executor: 'kubernetes', kubernetes: KUBERNETES }).source);
    expect(ast.tasks.fan).toMatchObject({ kind: 'KubernetesPodOperator', mapped: true });
    expect(ast.tasks.fan.expand.env_vars.map((e: Json) => e.MLOPS_ITEM)).toEqual(['a', 'b']);
    expect(ast.tasks.fan.kwargs.env_vars).toBeUndefined();
  });
});

describe('policies and DAG options', () => {
  test('retries, retry_delay, constant backoff (rate 1) and execution_timeout', () => {
    const p = new Pipeline('pol', { defaultRetry: RetryPolicy.of({ maxRetries: 2, intervalSeconds: 20 }) });
    p.addStep(
      Step.script('slow', { code, entry, timeoutSeconds: 600, retry: RetryPolicy.of({ maxRetries: 3, intervalSeconds: 30, backoffRate: 1 }) }),
      Step.script('fast', { code, entry }),
      Step.script('once', { code, entry, retry: RetryPolicy.none() }),
    );
    const tasks = execDag(compile(p).source).tasks;
    expect(tasks.slow.kwargs).toEqual({ task_id: 'slow', retries: 3, retry_delay: { timedelta_seconds: 30 }, retry_exponential_backoff: false, execution_timeout: { timedelta_seconds: 600 } });
    expect(tasks.fast.kwargs).toEqual({ task_id: 'fast', retries: 2, retry_delay: { timedelta_seconds: 20 }, retry_exponential_backoff: true });
    expect(tasks.once.kwargs).toEqual({ task_id: 'once', retries: 0 });
  });

  test('a cron schedule is a CronDataIntervalTimetable in its time zone (Sunday as 0), with start date, catchup, max runs, tags and dag id', () => {
    const p = new Pipeline('sched');
    p.addStep(Step.script('only', { code, entry }));
    const dag = compile(p, {
      schedule: Schedule.cron('0 3 * * 7', { timeZone: 'Europe/Paris' }),
      startDate: new Date('2025-01-01T00:00:00Z'),
      catchup: true,
      maxActiveRuns: 2,
      tags: ['ml', 'nightly'],
      dagId: 'sched_nightly',
      now: new Date('2026-01-01T00:00:00Z'),
    });
    expect(dag.fileName).toBe('sched_nightly.py');
    const run = execDag(dag.source);
    expect(run.dag_id).toBe('sched_nightly');
    expect(run.dag).toMatchObject({
      schedule: { timetable: 'CronDataIntervalTimetable', cron: '0 3 * * 0', timezone: 'Europe/Paris' },
      start_date: { datetime: '2025-01-01T00:00:00+00:00' },
      catchup: true,
      max_active_runs: 2,
      tags: ['ml', 'nightly'],
    });
  });

  test('a tracking URI reaches every container step as MLFLOW_TRACKING_URI, unless the step sets its own', () => {
    const p = new Pipeline('tracked');
    p.addStep(Step.script('a', { code, entry }), Step.script('b', { code, entry, env: { MLFLOW_TRACKING_URI: 'file:///tmp/own' } }));
    const steps = stepsOf(compile(p, { trackingUri: 'http://mlflow:5000' }).source);
    expect(steps.a.env).toEqual({ MLFLOW_TRACKING_URI: 'http://mlflow:5000' });
    expect(steps.b.env).toEqual({ MLFLOW_TRACKING_URI: 'file:///tmp/own' });
  });

  test('a rate is a DeltaDataIntervalTimetable', () => {
    const p = new Pipeline('rate');
    p.addStep(Step.script('only', { code, entry }));
    const run = execDag(compile(p, { schedule: Schedule.rate(6, RateUnit.HOURS), startDate: new Date('2025-01-01T00:00:00Z') }).source);
    expect(run.dag.schedule).toEqual({ timetable: 'DeltaDataIntervalTimetable', delta: { timedelta_seconds: 21600 } });
  });
});

test('step names that are Python keywords, module names or the file\'s constants get a _task suffix, and the file still runs', () => {
  const p = new Pipeline('names');
  p.addStep(Step.script('import', { code, entry }), Step.script('metric', { code, entry }), Step.script('datetime', { code, entry }), Step.script('RUN_DIR', { code, entry }), Step.script('3d', { code, entry }));
  const ast = dagAst(compile(p).source);
  expect(Object.fromEntries(Object.entries(ast.tasks).map(([id, t]) => [id, (t as Json).variable]))).toEqual({
    'import': 'import_task', 'metric': 'metric_task', 'datetime': 'datetime_task', 'RUN_DIR': 'RUN_DIR_task', '3d': 't_3d',
  });
  const { result, dataRoot } = runDag(p);
  expect(Object.values(result.run.states)).toEqual(['success', 'success', 'success', 'success', 'success']);
  fs.rmSync(dataRoot, { recursive: true, force: true });
});

describe('kubernetes executor', () => {
  test('a pod per step: image, namespace, launcher command, requests = limits, GPU limit, volumes, restricted security context', () => {
    const p = new Pipeline('pods');
    p.addStep(
      Step.training('fit', { code, entry, metrics: ['score'], resources: { cpu: 2, memoryGiB: 8, gpu: 1 }, image: 'pytorch:2' }),
      Step.script('plain', { code, entry }),
    );
    const dag = compile(p, { executor: 'kubernetes', kubernetes: { ...KUBERNETES, codeConfigMapName: () => 'pods-code', serviceAccountName: 'steps' } });
    expect(dag.codeConfigMaps).toEqual(['pods-code']);
    const run = execDag(dag.source);
    const fit = run.tasks.fit.kwargs;
    expect(fit).toMatchObject({
      namespace: 'ml',
      image: 'pytorch:2',
      cmds: ['sh', '-c', 'python3 "$0" "$@" && mkdir -p /airflow/xcom && cp "$MLOPS_METRICS_FILE" /airflow/xcom/return.json', '/mlops/code/code.zip'],
      arguments: ['--entry', 'env.py', '--metric', 'score'],
      do_xcom_push: true,
      service_account_name: 'steps',
      on_finish_action: 'delete_pod',
      container_resources: { k8s: 'V1ResourceRequirements', requests: { cpu: '2', memory: '8Gi' }, limits: { 'cpu': '2', 'memory': '8Gi', 'nvidia.com/gpu': '1' } },
      security_context: { k8s: 'V1PodSecurityContext', run_as_non_root: true, seccomp_profile: { k8s: 'V1SeccompProfile', type: 'RuntimeDefault' } },
      container_security_context: { k8s: 'V1SecurityContext', allow_privilege_escalation: false, read_only_root_filesystem: true, capabilities: { k8s: 'V1Capabilities', drop: ['ALL'] } },
    });
    expect(fit.env_vars.MLOPS_MODEL_DIR).toBe('/mlops/data/pods/{{ run_id }}/fit/model');
    expect(fit.volumes.map((v: Json) => v.name)).toEqual(['data', 'tmp', 'code']);
    expect(fit.volumes[0].persistent_volume_claim).toEqual({ k8s: 'V1PersistentVolumeClaimVolumeSource', claim_name: 'mlops-data' });
    expect(fit.volumes[2].config_map).toEqual({ k8s: 'V1ConfigMapVolumeSource', name: 'pods-code' });
    expect(fit.volume_mounts.map((m: Json) => m.mount_path)).toEqual(['/mlops/data', '/tmp', '/mlops/code']);
    expect(fit.tolerations).toEqual([{ k8s: 'V1Toleration', key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(fit.node_selector).toBeUndefined();
    const plain = run.tasks.plain.kwargs;
    expect(plain.tolerations).toBeUndefined();
    expect(plain.cmds).toEqual(['python3', '/mlops/code/code.zip']);
    expect(plain.do_xcom_push).toBe(false);
    expect(plain.container_resources.requests).toEqual({ cpu: '500m', memory: '1Gi' });
  });

  test('GPU scheduling options: resource name, node selector and tolerations as on the other Kubernetes engines', () => {
    const p = new Pipeline('gpus');
    p.addStep(Step.training('fit', { code, entry, resources: { gpu: 2 } }));
    const gpu = { resourceName: 'amd.com/gpu', nodeSelector: { 'gpu': 'mi300' }, tolerations: [{ key: 'gpu', value: 'yes', effect: 'NoSchedule' }] };
    const fit = execDag(compile(p, { executor: 'kubernetes', kubernetes: { ...KUBERNETES, gpu } }).source).tasks.fit.kwargs;
    expect(fit.container_resources.limits['amd.com/gpu']).toBe('2');
    expect(fit.node_selector).toEqual({ gpu: 'mi300' });
    expect(fit.tolerations).toEqual([{ k8s: 'V1Toleration', key: 'gpu', operator: 'Equal', value: 'yes', effect: 'NoSchedule' }]);
  });

  test('the pods the Iris-like steps make pass the Kubernetes 1.30 schema, Pod Security restricted and the resource checks', () => {
    const fit = Step.training('fit', { code, entry, metrics: ['score'], resources: { gpu: 1 }, forEach: ['a', 'b'] });
    const p2 = new Pipeline('pods2');
    const one = Step.training('one', { code, entry, metrics: ['score'] });
    p2.addStep(one, Step.registerModel('keep', { model: one.model(), group: 'g', inference: { code, entry } }), fit);
    const run = execDag(compile(p2, { executor: 'kubernetes', kubernetes: { ...KUBERNETES, codeConfigMapName: () => 'code', serviceAccountName: 'steps' } }).source);
    const pods = [
      podOf('one', run.tasks.one.kwargs),
      podOf('keep', run.tasks.keep.kwargs),
      ...run.tasks.fit.mapped.env_vars.map((env: Json, i: number) => podOf(`fit-${i}`, run.tasks.fit.kwargs, env)),
    ];
    expect(pods).toHaveLength(4);
    expect(validateManifests(pods)).toEqual([]);
    for (const pod of pods) {
      expect(podSecurityProblems(pod)).toEqual([]);
      expect(resourceProblems(pod)).toEqual([]);
    }
  });

  test('without a code ConfigMap the image holds the launcher at /mlops/code', () => {
    const p = new Pipeline('baked');
    p.addStep(Step.script('only', { code, entry }));
    const kwargs = execDag(compile(p, { executor: 'kubernetes', kubernetes: KUBERNETES }).source).tasks.only.kwargs;
    expect(kwargs.cmds).toEqual(['python3', '/mlops/code/_mlops_launcher.py']);
    expect(kwargs.volumes.map((v: Json) => v.name)).toEqual(['data', 'tmp']);
  });
});
