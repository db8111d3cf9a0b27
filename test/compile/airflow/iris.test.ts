import { irisPipeline } from '../../../examples/iris/pipeline';
import { AirflowOptions, AirflowVersion, compileAirflow } from '../../../lib/compile/airflow';
import { dagAst, execDag, pyCompileProblems } from '../../support/airflow';

const KUBERNETES = { namespace: 'ml', dataVolumeClaim: 'mlops-data', defaultImage: 'python:3.11-slim', codeConfigMapName: () => 'iris-code' };

function iris(executor: 'python' | 'kubernetes', airflowVersion: AirflowVersion): AirflowOptions {
  return { executor, airflowVersion, cache: 'run-always', kubernetes: executor === 'kubernetes' ? KUBERNETES : undefined };
}

const CASES: ['python' | 'kubernetes', AirflowVersion][] = [['python', '2.10'], ['python', '3'], ['kubernetes', '2.10'], ['kubernetes', '3']];

const EDGES = {
  'clean': ['extract'],
  'train': ['clean'],
  'evaluate': ['clean', 'train'],
  'accuracy-gate': ['evaluate'],
  'register': ['train', 'accuracy-gate'],
  'too-inaccurate': ['accuracy-gate'],
};

describe.each(CASES)('Iris on Airflow, executor %s, Airflow %s', (executor, version) => {
  const dag = compileAirflow(irisPipeline(), iris(executor, version));

  test('DAG file snapshot', () => {
    expect(dag.source).toMatchSnapshot();
  });

  test('the file compiles with py_compile, and compiling again gives the same bytes', () => {
    expect(pyCompileProblems(dag.source)).toBe('');
    expect(compileAirflow(irisPipeline(), iris(executor, version)).source).toBe(dag.source);
  });

  test('ast: one task per step, the model\'s edges, retries, params, branch targets', () => {
    const ast = dagAst(dag.source);
    expect(ast.task_order).toEqual(['extract', 'clean', 'train', 'evaluate', 'accuracy-gate', 'register', 'too-inaccurate']);
    expect(ast.edges).toEqual(EDGES);
    for (const id of ['extract', 'clean', 'train', 'evaluate']) {
      expect(ast.tasks[id].kwargs).toMatchObject({ retries: 1, retry_delay: { timedelta_seconds: 5 }, retry_exponential_backoff: true });
    }
    expect(ast.tasks['too-inaccurate'].kwargs.retries).toBe(0);
    expect(ast.tasks['accuracy-gate'].kind).toBe('task.branch');
    expect(ast.tasks['accuracy-gate'].branches).toEqual({
      condition: 'metric(ti, \'evaluate\', \'accuracy\') >= params[\'minAccuracy\']',
      then: ['register'],
      otherwise: ['too-inaccurate'],
    });
    expect(ast.tasks['too-inaccurate'].raises).toEqual(['AirflowFailException(\'Test accuracy is below minAccuracy; the model was not registered\')']);
    expect(ast.dag).toMatchObject({
      schedule: null, catchup: false, max_active_runs: 1, tags: ['cdk-mlops'],
      params: {
        minAccuracy: { param: { default: 0.9, type: 'number', description: 'Lowest test accuracy that gets the model registered' } },
        nEstimators: { param: { default: 100, type: 'integer', description: 'Trees in the random forest' } },
      },
    });
    expect(ast.constants.RUN_DIR).toBe('${DATA_ROOT}/${DAG_ID}/{{ run_id }}');
  });

  test('ast: imports only airflow, the provider, its kubernetes models and the standard library; nothing runs at import', () => {
    const ast = dagAst(dag.source);
    expect(ast.top_level).toEqual([]);
    const stdlib = ['__future__.annotations', 'datetime', 'json', 'os', 'subprocess', 'sys'];
    for (const name of ast.imports as string[]) {
      expect(stdlib.includes(name) || name.startsWith('airflow.') || name === 'kubernetes.client.models').toBe(true);
    }
    if (version === '3') {
      expect(ast.imports).toEqual(expect.arrayContaining(['airflow.sdk.DAG', 'airflow.sdk.Param', 'airflow.sdk.task']));
      expect(ast.imports.filter((i: string) => i.startsWith('airflow.decorators') || i.startsWith('airflow.models'))).toEqual([]);
    } else {
      expect(ast.imports).toEqual(expect.arrayContaining(['airflow.DAG', 'airflow.decorators.task', 'airflow.models.param.Param']));
    }
    expect(ast.imports.includes('airflow.providers.cncf.kubernetes.operators.pod.KubernetesPodOperator')).toBe(executor === 'kubernetes');
  });

  test('exec with airflow stubbed: the recorded DAG has the tasks, upstream edges and arguments', () => {
    const run = execDag(dag.source);
    expect(run.dag_id).toBe('iris');
    expect(run.task_order).toEqual(dagAst(dag.source).task_order);
    const upstream = Object.fromEntries(Object.entries(run.tasks).map(([id, t]) => [id, (t as { upstream: string[] }).upstream]));
    expect(upstream).toEqual({ extract: [], ...EDGES });
    const kind = executor === 'kubernetes' ? 'KubernetesPodOperator' : 'task';
    expect(run.tasks.train.kind).toBe(kind);
    expect(run.tasks.register.kind).toBe(kind);
    expect(run.tasks['accuracy-gate'].kind).toBe('task.branch');
    if (executor === 'kubernetes') {
      const env = run.tasks.train.kwargs.env_vars;
      expect(env).toMatchObject({
        MLOPS_ENGINE: 'airflow',
        MLOPS_STEP: 'train',
        MLOPS_RUN_ID: '{{ run_id }}',
        MLOPS_PARAM_NESTIMATORS: '{{ params.nEstimators }}',
        MLOPS_DATA_INTERVAL_START: '{{ data_interval_start }}',
        MLOPS_DATA_INTERVAL_END: '{{ data_interval_end }}',
      });
      expect(env.MLOPS_INPUT_DATA).toBe('/mlops/data/iris/{{ run_id }}/clean/train');
      expect(env.MLOPS_MODEL_DIR).toBe('/mlops/data/iris/{{ run_id }}/train/model');
    } else {
      // The task names its STEPS entry; run_step builds the environment when it runs (step-environment.test.ts).
      expect(run.tasks.train.call).toEqual({ step: 'train' });
      const launched = execDag(dag.source, { record_launches: true, run_id: 'manual__1', xcom: { extract: {}, clean: {} } }).run.launches;
      expect(launched[0]).toMatchObject({ task: 'train', argv: ['--entry', 'train.py', '--code', 'iris/code-1', '--metric', 'trainAccuracy'] });
      expect(launched[0].env).toMatchObject({
        MLOPS_ENGINE: 'airflow',
        MLOPS_STEP: 'train',
        MLOPS_RUN_ID: 'manual__1',
        MLOPS_PARAM_NESTIMATORS: '100',
        MLOPS_DATA_INTERVAL_START: '2025-01-01T00:00:00+00:00',
        MLOPS_DATA_INTERVAL_END: '2025-01-02T00:00:00+00:00',
        MLOPS_INPUT_DATA: '/opt/airflow/mlops-data/iris/manual__1/clean/train',
        MLOPS_MODEL_DIR: '/opt/airflow/mlops-data/iris/manual__1/train/model',
      });
    }
  });

  test('exec: the branch picks register when accuracy >= minAccuracy, else the fail task fails with the message', () => {
    const given = { extract: {}, clean: {}, train: {} };
    // Tasks given an XCom are not run (pods cannot run here); the branch and the fail task run.
    const pass = execDag(dag.source, { xcom: { ...given, evaluate: { accuracy: 0.95 }, register: {} } });
    expect(pass.run.states).toMatchObject({ 'accuracy-gate': 'success', 'register': 'success', 'too-inaccurate': 'skipped' });
    expect(pass.run.xcom['accuracy-gate']).toEqual(['register']);
    const fail = execDag(dag.source, { xcom: { ...given, evaluate: { accuracy: 0.95 }, register: {} }, params: { minAccuracy: 0.99 } });
    expect(fail.run.states).toMatchObject({ 'register': 'skipped', 'too-inaccurate': 'failed' });
    expect(fail.run.errors['too-inaccurate']).toEqual({ type: 'AirflowFailException', message: 'Test accuracy is below minAccuracy; the model was not registered' });
  });
});

test('Iris compiles with its cache policies only when told to run cached steps every time, and says so', () => {
  expect(() => compileAirflow(irisPipeline(), { executor: 'python' })).toThrow(
    "step 'extract': has a cache policy, but Airflow has no step cache and would run it every time; turn caching off for the step (cache: CachePolicy.disabled()), or compile with cache: 'run-always' to run cached steps every time on Airflow",
  );
  const dag = compileAirflow(irisPipeline(), { executor: 'python', cache: 'run-always' });
  expect(dag.notes).toEqual(['extract', 'clean', 'train', 'evaluate'].flatMap((s) => [
    `step '${s}': cache policy ignored (Airflow has no step cache); the step runs in every DAG run`,
    // Iris asks for CPUs and memory (defaultResources), which workers do not enforce.
    `step '${s}': resources cpu/memoryGiB not enforced: the 'python' executor runs the step on the worker, beside the other tasks`,
  ]));
  expect(dagAst(dag.source).docstring).toBe('Trains and registers an Iris species classifier');
  expect(dag.source).toContain(`# Note: ${dag.notes[0]}\n`);
  expect(dag).toMatchObject({ dagId: 'iris', fileName: 'iris.py', launcherPath: 'iris/_mlops_launcher.py', codeConfigMaps: [] });
  expect(dag.codeFolders.map((f) => f.path)).toEqual(['iris/code-1']);
  // The DAG processor must not import step scripts: ignore the DAG's folder (regexp on 2.x, glob on 3).
  expect(dag.files).toEqual({ 'iris/.airflowignore': '# cdk-mlops: step code and the launcher, not DAG files\n.*\n' });
  expect(compileAirflow(irisPipeline(), { executor: 'python', cache: 'run-always', airflowVersion: '3' }).files['iris/.airflowignore']).toMatch(/\n\*\n$/);
  expect(compileAirflow(irisPipeline(), { executor: 'kubernetes', cache: 'run-always', kubernetes: KUBERNETES }).files).toEqual({});
});
