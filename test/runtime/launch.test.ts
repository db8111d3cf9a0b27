import * as path from 'path';
import { Code, Pipeline, RetryPolicy, Step, StepKind, Value } from '../../lib';
import { stepHandler, unsupportedSourceKind } from '../../lib/pipeline/handlers';
import { launchInvocation, LaunchTarget } from '../../lib/runtime/launch';
import { DataSource } from '../../lib/pipeline/artifacts';

const code = Code.fromDirectory(path.join(__dirname, '..', 'fixtures', 'steps'));
const entry = 'noop.py';

function target(extra: Partial<LaunchTarget> = {}): LaunchTarget {
  return {
    engine: 'test',
    pipelineName: 'p',
    inputPath: (name) => `/in/${name}`,
    outputPath: (port) => `/out/${port}`,
    metricsFile: '/m/metrics.json',
    runId: 'RUN',
    item: 'ITEM',
    parameter: (ref) => `<${ref.name}>`,
    ...extra,
  };
}

describe('the launch contract', () => {
  const pipeline = new Pipeline('p', { parameters: {} });
  const prep = Step.script('prep', { code, entry, outputs: ['rows'] });
  const fit = Step.training('fit', {
    code,
    entry: 'train.py',
    inputs: { rows: prep.output('rows') },
    params: { depth: pipeline.parameter('depth'), fixed: Value.number(3) },
    env: { LOG_LEVEL: 'debug' },
    metrics: ['score'],
    arguments: ['--fast'],
    forEach: ['a', 'b'],
  });

  test('contract variables in contract order, user env after them, launcher flags, script arguments last', () => {
    const launch = launchInvocation(fit, target({ retryInLauncher: RetryPolicy.of({ maxRetries: 2, intervalSeconds: 5, backoffRate: 3 }), echoMetrics: true, unpack: (name) => name === 'rows' }));
    expect(launch.environment).toEqual([
      ['MLOPS_ENGINE', 'test'],
      ['MLOPS_PIPELINE', 'p'],
      ['MLOPS_STEP', 'fit'],
      ['MLOPS_RUN_ID', 'RUN'],
      ['MLOPS_INPUT_ROWS', '/in/rows'],
      ['MLOPS_MODEL_DIR', '/out/model'],
      ['MLOPS_METRICS_FILE', '/m/metrics.json'],
      ['MLOPS_PARAM_DEPTH', '<depth>'],
      ['MLOPS_PARAM_FIXED', '3'],
      ['MLOPS_ITEM', 'ITEM'],
      ['LOG_LEVEL', 'debug'],
    ]);
    expect(launch.arguments).toEqual([
      '--entry', 'train.py', '--retries', '2', '--interval', '5', '--backoff', '3', '--metric', 'score', '--echo-metrics', '--unpack', 'rows', '--', '--fast',
    ]);
  });

  test('engines that substitute only arguments get the variables as --env flags', () => {
    const launch = launchInvocation(prep, target({ contractVariables: 'arguments', userEnvInArguments: true, runId: undefined, metricFile: (m) => `/m/${m}`, codeDir: '/code' }));
    expect(launch.environment).toEqual([]);
    expect(launch.arguments).toEqual([
      '--entry', 'noop.py', '--code', '/code',
      '--env', 'MLOPS_ENGINE=test', '--env', 'MLOPS_PIPELINE=p', '--env', 'MLOPS_STEP=prep',
      '--env', 'MLOPS_OUTPUT_ROWS=/out/rows', '--env', 'MLOPS_METRICS_FILE=/m/metrics.json',
    ]);
  });

  test('a forEach step on an engine without an item placeholder is an internal error, not a silent drop', () => {
    expect(() => launchInvocation(fit, target({ item: undefined }))).toThrow(/gave no item placeholder for forEach step 'fit'/);
  });
});

describe('handler tables', () => {
  class TuningStep extends Step {
    public readonly kind: string = 'tuning';
    constructor() {
      super('tune', {});
    }
    public problems(): string[] {
      return [];
    }
  }

  test('a kind with no handler is the standard problem naming step, kind, engine and what to do', () => {
    const problems: string[] = [];
    const table = { [StepKind.SCRIPT]: 1, [StepKind.FAIL]: 2 };
    expect(stepHandler(table, new TuningStep(), 'Some Engine', problems)).toBeUndefined();
    expect(stepHandler(table, Step.fail('f', { message: 'x' }), 'Some Engine', problems)).toBe(2);
    expect(problems).toEqual([
      "step 'tune': step kind 'tuning' is not supported on Some Engine (it runs 'fail', 'script' steps); remove the step, or run the pipeline on an engine that has a handler for 'tuning' steps",
    ]);
  });

  test('a table inherits nothing: toString or constructor are no kinds', () => {
    class Odd extends TuningStep {
      public override readonly kind: string = 'constructor';
    }
    const problems: string[] = [];
    expect(stepHandler({}, new Odd(), 'E', problems)).toBeUndefined();
    expect(problems).toHaveLength(1);
  });

  test('an unknown data source kind names the input and the source', () => {
    class VectorIndexSource extends DataSource {
      public readonly sourceKind = 'vector-index';
      public readonly producer = undefined;
      public readonly type = 'dataset' as never;
      public toString() {
        return 'customers@2026-12-01';
      }
    }
    expect(unsupportedSourceKind('features', new VectorIndexSource(), 'Some Engine', { 'step-output': 1 })).toBe(
      "input 'features' reads customers@2026-12-01, a data source of kind 'vector-index', which Some Engine cannot read (it reads 'step-output'); read another kind of source, or run the pipeline on an engine that reads this one",
    );
  });
});
