import * as path from 'path';
import {
  CachePolicy,
  Code,
  Condition,
  DataSource,
  FeatureSnapshot,
  Objective,
  Parameter,
  Range,
  Pipeline,
  RetryPolicy,
  Step,
  Value,
} from '../../lib';

/** A GPU image for GPU steps: SageMaker's PyTorch training container (its scikit-learn one is CPU-only). */
export const GPU_IMAGE = '763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.3.0-gpu-py311-cu121-ubuntu20.04-sagemaker';

/**
 * The semantic contract as a table: each feature of the pipeline model, with a small pipeline
 * that uses it. Every engine's conformance test (test/conformance/<engine>.test.ts) says for each
 * feature how it is supported or which synth-time error it gives, and proves it by compiling.
 */
export interface Feature {
  readonly id: string;
  readonly description: string;
  readonly build: () => Pipeline;
}

export const FIXTURE_CODE = Code.fromDirectory(path.join(__dirname, '..', 'fixtures', 'steps'));
const code = FIXTURE_CODE;
const entry = 'noop.py';

function pipelineWith(id: string, add: (p: Pipeline) => void, parameters: { [name: string]: Parameter } = {}): Pipeline {
  const p = new Pipeline(`feature-${id}`, { parameters });
  add(p);
  return p;
}

export const FEATURES: Feature[] = [
  {
    id: 'script-steps-and-artifacts',
    description: 'Script steps passing output directories to inputs',
    build: () => pipelineWith('artifacts', (p) => {
      const a = Step.script('produce', { code, entry, outputs: ['data'] });
      const b = Step.script('consume', { code, entry, inputs: { data: a.output('data') }, outputs: ['result'] });
      p.addStep(a, b);
    }),
  },
  {
    id: 'training-step-model',
    description: 'Training step whose model feeds a later step',
    build: () => pipelineWith('training', (p) => {
      const t = Step.training('fit', { code, entry, metrics: ['score'] });
      const e = Step.script('score', { code, entry, inputs: { model: t.model() }, metrics: ['score'] });
      p.addStep(t, e);
    }),
  },
  {
    id: 'typed-parameters',
    description: 'String, integer, number and boolean parameters with defaults, passed to a step',
    build: () => pipelineWith('parameters', (p) => {
      p.addStep(Step.script('use', {
        code,
        entry,
        params: {
          region: p.parameter('region'),
          epochs: p.parameter('epochs'),
          rate: p.parameter('rate'),
          verbose: p.parameter('verbose'),
          fixed: Value.string('literal'),
        },
      }));
    }, {
      region: Parameter.string('eu', { allowedValues: ['eu', 'us'] }),
      epochs: Parameter.integer(3),
      rate: Parameter.number(0.1),
      verbose: Parameter.boolean(false),
    }),
  },
  {
    id: 'condition-metric-threshold',
    description: 'Condition comparing a step metric with a parameter, with then and otherwise branches',
    build: () => pipelineWith('condition', (p) => {
      const e = Step.script('evaluate', { code, entry, metrics: ['score'] });
      p.addStep(e, Step.condition('gate', {
        when: Condition.gte(e.metric('score'), p.parameter('threshold')),
        then: [Step.script('ship', { code, entry })],
        otherwise: [Step.fail('stop', { message: 'score too low' })],
      }));
    }, { threshold: Parameter.number(0.9) }),
  },
  {
    id: 'condition-logic',
    description: 'and / or / not / isIn / != over numeric and string metrics',
    build: () => pipelineWith('logic', (p) => {
      const e = Step.script('evaluate', { code, entry, metrics: ['score'], stringMetrics: ['label'] });
      p.addStep(e, Step.condition('gate', {
        when: Condition.and(
          Condition.or(Condition.gt(e.metric('score'), Value.number(0.5)), Condition.not(Condition.lt(e.metric('score'), Value.number(0.1)))),
          Condition.isIn(e.metric('label'), [Value.string('good'), Value.string('great')]),
          Condition.ne(e.metric('label'), Value.string('bad')),
        ),
        then: [Step.script('ship', { code, entry })],
      }));
    }),
  },
  {
    id: 'nested-condition',
    description: 'A condition inside another condition branch',
    build: () => pipelineWith('nested', (p) => {
      const e = Step.script('evaluate', { code, entry, metrics: ['score'] });
      p.addStep(e, Step.condition('outer', {
        when: Condition.gt(e.metric('score'), Value.number(0.5)),
        then: [Step.condition('inner', {
          when: Condition.gt(e.metric('score'), Value.number(0.9)),
          then: [Step.script('excellent', { code, entry })],
          otherwise: [Step.script('good', { code, entry })],
        })],
      }));
    }),
  },
  {
    id: 'register-model',
    description: 'Register a trained model as a new version of a model group',
    build: () => pipelineWith('register', (p) => {
      const t = Step.training('fit', { code, entry });
      p.addStep(t, Step.registerModel('register', { model: t.model(), group: 'feature-models' }));
    }),
  },
  {
    id: 'servable-model',
    description: 'Register the code that serves the model with it (an inference script)',
    build: () => pipelineWith('servable', (p) => {
      const t = Step.training('fit', { code, entry });
      p.addStep(t, Step.registerModel('register', { model: t.model(), group: 'feature-models', inference: { code, entry } }));
    }),
  },
  {
    id: 'fail-step',
    description: 'A fail step ends the run with a message',
    build: () => pipelineWith('fail', (p) => {
      p.addStep(Step.fail('stop', { message: 'stopped on purpose' }));
    }),
  },
  {
    id: 'depends-on',
    description: 'Explicit ordering without data flow',
    build: () => pipelineWith('depends', (p) => {
      const a = Step.script('first', { code, entry });
      p.addStep(a, Step.script('second', { code, entry, dependsOn: [a] }));
    }),
  },
  {
    id: 'retry-backoff',
    description: 'Retries with an interval that grows by a backoff rate',
    build: () => pipelineWith('retry', (p) => {
      p.addStep(Step.script('flaky', { code, entry, retry: RetryPolicy.of({ maxRetries: 3, intervalSeconds: 5, backoffRate: 2 }) }));
    }),
  },
  {
    id: 'cache',
    description: 'Step result caching without expiry',
    build: () => pipelineWith('cache', (p) => {
      p.addStep(Step.script('cached', { code, entry, cache: CachePolicy.enabled() }));
    }),
  },
  {
    id: 'cache-expiry',
    description: 'Step result caching that expires after a time',
    build: () => pipelineWith('cache-expiry', (p) => {
      p.addStep(Step.script('cached', { code, entry, cache: CachePolicy.enabled({ expireAfterHours: 24 }) }));
    }),
  },
  {
    id: 'resources',
    description: 'CPU and memory requests',
    build: () => pipelineWith('resources', (p) => {
      p.addStep(Step.script('sized', { code, entry, resources: { cpu: 4, memoryGiB: 16 } }));
    }),
  },
  {
    id: 'gpu',
    description: 'GPU requests',
    build: () => pipelineWith('gpu', (p) => {
      p.addStep(Step.training('fit', { code, entry, image: GPU_IMAGE, resources: { cpu: 4, memoryGiB: 16, gpu: 1 } }));
    }),
  },
  {
    id: 'fan-out',
    description: 'Static fan-out over literal items (forEach), joined by dependsOn',
    build: () => pipelineWith('fan-out', (p) => {
      const each = Step.script('each', { code, entry, forEach: ['a', 'b', 'c'] });
      p.addStep(each, Step.script('after', { code, entry, dependsOn: [each] }));
    }),
  },
  {
    id: 'collected-outputs',
    description: "A later step reads every forEach item's output (a directory per item)",
    build: () => pipelineWith('collected', (p) => {
      const each = Step.script('each', { code, entry, forEach: ['a', 'b'], outputs: ['part'] });
      p.addStep(each, Step.script('merge', { code, entry, inputs: { parts: each.collect('part') }, outputs: ['merged'] }));
    }),
  },
  {
    id: 'collected-metrics',
    description: "A later step reads every forEach item's metrics (<item>/metrics.json)",
    build: () => pipelineWith('collected-metrics', (p) => {
      const each = Step.script('each', { code, entry, forEach: ['a', 'b'], metrics: ['score'] });
      p.addStep(each, Step.script('best', { code, entry, inputs: { scores: each.collectMetrics() }, metrics: ['score'] }));
    }),
  },
  {
    id: 'training-fan-out',
    description: 'A training step fanned out over forEach, its models collected by a later step',
    build: () => pipelineWith('training-fan-out', (p) => {
      const fit = Step.training('fit', { code, entry, forEach: ['small', 'large'], metrics: ['score'] });
      p.addStep(fit, Step.script('pick', { code, entry, inputs: { models: fit.collect('model') }, outputs: ['choice'] }));
    }),
  },
  {
    id: 'external-data',
    description: 'A step reads data that exists before the run (DataSource.fromUri)',
    build: () => pipelineWith('external', (p) => {
      p.addStep(Step.script('read', { code, entry, inputs: { raw: DataSource.fromUri('s3://example-data/iris/') }, outputs: ['copy'] }));
    }),
  },
  {
    id: 'timeout',
    description: 'A step stopped after a time limit',
    build: () => pipelineWith('timeout', (p) => {
      p.addStep(Step.script('bounded', { code, entry, timeoutSeconds: 600 }));
    }),
  },
  {
    id: 'env-and-arguments',
    description: 'Extra environment variables and command-line arguments for a script',
    build: () => pipelineWith('env', (p) => {
      p.addStep(Step.script('configured', { code, entry, env: { LOG_LEVEL: 'debug' }, arguments: ['--mode', 'full'] }));
    }),
  },
  {
    id: 'tuning',
    description: 'A tuning step over a training trial; a condition on its best metric; its best model and parameters read later',
    build: () => pipelineWith('tuning', (p) => {
      const data = Step.script('prepare', { code, entry, outputs: ['data'] });
      const trial = Step.training('trial', { code, entry, inputs: { data: data.output('data') }, metrics: ['accuracy'] });
      const hpo = Step.tune('hpo', {
        trial,
        objective: Objective.maximize('accuracy'),
        space: { C: Range.logUniform(0.001, 100), depth: Range.integer(2, 8), kernel: Range.categorical(['rbf', 'linear']) },
        maxTrials: 6,
        parallelTrials: 2,
      });
      const report = Step.script('report', { code, entry, inputs: { model: hpo.bestModel(), parameters: hpo.bestParameters() } });
      p.addStep(data, hpo, report, Step.condition('gate', {
        when: Condition.gte(hpo.bestMetric('accuracy'), Value.number(0.9)),
        then: [Step.registerModel('register', { model: hpo.bestModel(), group: 'tuned' })],
      }));
    }),
  },
  {
    id: 'feature-snapshots',
    description: 'A commit step makes the next version of a feature table; a later step reads one committed version, named by a string parameter',
    build: () => pipelineWith('snapshots', (p) => {
      const store = 's3://example-data/feature-snapshots/';
      const hour = Step.script('hour', { code, entry, outputs: ['rows'] });
      const commit = FeatureSnapshot.commitStep('commit', { table: 'customers', data: hour.output('rows'), partition: Value.string('2026-12-03T10'), store });
      p.addStep(hour, commit, Step.script('read', {
        code, entry, dependsOn: [commit],
        inputs: { features: FeatureSnapshot.read('customers', { version: p.parameter('snapshot'), store }) },
      }));
    }, { snapshot: Parameter.string('latest') }),
  },
];

/** How an engine handles one feature. */
export type Support =
  | { readonly supported: true; readonly how: string; readonly partly?: boolean }
  | { readonly supported: false; readonly error: RegExp; readonly why: string };

/** One engine's handling of every feature, by feature id. */
export type Column = { readonly [featureId: string]: Support };

export function supported(how: string): Support {
  return { supported: true, how };
}

/** Compiles, but the engine honours the feature only in part; `how` says what it does instead. */
export function partly(how: string): Support {
  return { supported: true, how, partly: true };
}

export function unsupported(why: string, error: RegExp): Support {
  return { supported: false, why, error };
}

/**
 * Declares one engine's column as Jest tests: every feature must be listed, a supported one must
 * compile, an unsupported one must fail at synth time with the declared error.
 */
export function describeConformance(engine: string, column: Column, compile: (p: Pipeline) => unknown): void {
  describe(`${engine} conformance`, () => {
    test('lists every feature', () => {
      expect(Object.keys(column).sort()).toEqual(FEATURES.map((f) => f.id).sort());
    });
    for (const feature of FEATURES) {
      const support = column[feature.id];
      if (!support) {
        continue;
      }
      if (support.supported) {
        test(`${feature.id}: ${support.how}`, () => {
          expect(compile(feature.build())).toBeDefined();
        });
      } else {
        test(`${feature.id}: synth-time error (${support.why})`, () => {
          expect(() => compile(feature.build())).toThrow(support.error);
        });
      }
    }
  });
}
