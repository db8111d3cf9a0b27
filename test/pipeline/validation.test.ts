import * as path from 'path';
import {
  CachePolicy,
  Code,
  Condition,
  Parameter,
  Pipeline,
  PipelineValidationError,
  RetryPolicy,
  Step,
  Value,
} from '../../lib';
import { problemsOf } from '../support/problems';

const code = Code.fromDirectory(path.join(__dirname, '..', 'fixtures', 'steps'));
const entry = 'noop.py';


/** Each case breaks one rule; the message names where, what was given, the rule, and a fix. */
describe('bad input gives one clear synth-time error per problem', () => {
  test('duplicate step names', () => {
    const p = new Pipeline('dupes');
    p.addStep(Step.script('prep', { code, entry }), Step.script('prep', { code, entry }));
    expect(problemsOf(p)).toEqual([
      "step name 'prep' is used by two steps (script step 'prep' and script step 'prep'); step names must be unique, rename one",
    ]);
  });

  test('a cycle through dependsOn is listed step by step', () => {
    const p = new Pipeline('cyclic');
    const a = Step.script('a', { code, entry });
    const b = Step.script('b', { code, entry, dependsOn: [a] });
    const c = Step.script('c', { code, entry, dependsOn: [b] });
    a.addDependsOn(c);
    p.addStep(a, b, c);
    expect(problemsOf(p)).toEqual([
      "steps form a cycle: 'a' -> 'b' -> 'c' -> 'a' (each waits for the one before it); remove one of these dependencies",
    ]);
  });

  test('a step that depends on itself', () => {
    const p = new Pipeline('selfish');
    const a = Step.script('a', { code, entry });
    a.addDependsOn(a);
    p.addStep(a);
    expect(problemsOf(p)).toContain("step 'a': depends on itself; remove it from its own dependsOn");
  });

  test('a reference to a step that was never added', () => {
    const p = new Pipeline('orphan');
    const extract = Step.script('extract', { code, entry, outputs: ['raw'] });
    p.addStep(Step.script('train', { code, entry, inputs: { data: extract.output('raw') } }));
    expect(problemsOf(p)).toEqual([
      "step 'train': input 'data' reads step 'extract', which is not in the pipeline; add it with pipeline.addStep(...) or to a condition branch",
    ]);
  });

  test('a reference to an output the producer does not declare', () => {
    const p = new Pipeline('outputs');
    const extract = Step.script('extract', { code, entry, outputs: ['raw'] });
    p.addStep(extract, Step.script('train', { code, entry, inputs: { data: extract.output('clean') } }));
    expect(problemsOf(p)).toEqual([
      "step 'train': input 'data' reads output 'clean' of 'extract', which declares only 'raw'; add 'clean' to its outputs or read another one",
    ]);
  });

  test('a reference to a metric the producer does not declare', () => {
    const p = new Pipeline('metrics');
    const evaluate = Step.script('evaluate', { code, entry, metrics: ['accuracy'] });
    p.addStep(evaluate, Step.condition('gate', {
      when: Condition.gte(evaluate.metric('f1'), Value.number(0.8)),
      then: [Step.script('ship', { code, entry })],
    }));
    expect(problemsOf(p)).toEqual([
      "step 'gate': reads metric 'f1' of 'evaluate', which declares only 'accuracy'; add it to that step's metrics",
    ]);
  });

  test('a reference to a parameter the pipeline does not define', () => {
    const p = new Pipeline('params', { parameters: { minAccuracy: Parameter.number(0.9) } });
    p.addStep(Step.script('train', { code, entry, params: { epochs: p.parameter('epochs') } }));
    expect(problemsOf(p)).toEqual([
      "step 'train': reads parameter 'epochs', which the pipeline does not define (defined: 'minAccuracy'); add it to the pipeline's parameters or fix the name",
    ]);
  });

  test('the model of a step that is not a training step', () => {
    const p = new Pipeline('models');
    const prep = Step.script('prep', { code, entry, outputs: ['model'] });
    p.addStep(prep, Step.registerModel('register', { model: prep.output('model'), group: 'g' }));
    expect(problemsOf(p)).toEqual([
      "step 'register': input 'model' reads prep.outputs.model, a dataset, but expects a model; pass a training step's model(), e.g. { model: train.model() }",
    ]);
  });

  test('pipeline, step and parameter names SageMaker would reject', () => {
    const p = new Pipeline('churn model', { parameters: { 'min-accuracy': Parameter.number(0.9) } });
    p.addStep(Step.script('train model', { code, entry }));
    expect(problemsOf(p)).toEqual([
      `pipeline name "churn model" is invalid (allowed: letters, digits and '-', starting and ending with a letter or digit, max 256 chars); rename it, e.g. "churn-model"`,
      `parameter name "min-accuracy" is invalid (allowed: a letter, then letters, digits or '_', max 64 chars); rename it, e.g. "min_accuracy"`,
      `step 'train model': step name "train model" is invalid (allowed: letters, digits, '-' and '_', 1 to 64 chars); rename it, e.g. "train-model"`,
    ]);
  });

  test('a step name over 64 characters', () => {
    const p = new Pipeline('long');
    p.addStep(Step.script('s'.repeat(65), { code, entry }));
    expect(problemsOf(p)[0]).toMatch(/step name "s{65}" is invalid \(allowed: .*1 to 64 chars\); rename it, e.g. "s{64}"/);
  });

  test('a parameter default of the wrong type', () => {
    const p = new Pipeline('defaults', {
      parameters: {
        epochs: Parameter.integer(2.5),
        rate: Parameter.number('fast' as unknown as number),
        kind: Parameter.string('x', { allowedValues: ['a', 'b'] }),
      },
    });
    p.addStep(Step.script('train', { code, entry }));
    expect(problemsOf(p)).toEqual([
      "parameter 'epochs': default 2.5 is not an integer; give a default of type integer or use Parameter.number(...)",
      "parameter 'rate': default 'fast' is not a number; give a default of type number or use Parameter.string(...)",
      "parameter 'kind': default 'x' is not one of the allowed values 'a', 'b'; make the default one of them or extend allowedValues",
    ]);
  });

  test('comparing a string metric with a number', () => {
    const p = new Pipeline('types');
    const evaluate = Step.script('evaluate', { code, entry, stringMetrics: ['grade'] });
    p.addStep(evaluate, Step.condition('gate', {
      when: Condition.eq(evaluate.metric('grade'), Value.number(1)),
      then: [Step.script('ship', { code, entry })],
    }));
    expect(problemsOf(p)).toEqual([
      "step 'gate': condition 'evaluate.grade == 1' compares evaluate.grade (string) with 1 (number); both sides need the same type (numbers compare with numbers)",
    ]);
  });

  test('ordering a string parameter with >=', () => {
    const p = new Pipeline('ordering', { parameters: { tier: Parameter.string('gold') } });
    const evaluate = Step.script('evaluate', { code, entry, metrics: ['accuracy'] });
    p.addStep(evaluate, Step.condition('gate', {
      when: Condition.or(Condition.gte(p.parameter('tier'), Value.string('silver')), Condition.lt(evaluate.metric('accuracy'), Value.number(0.5))),
      then: [Step.script('ship', { code, entry })],
    }));
    expect(problemsOf(p)).toEqual([
      "step 'gate': condition 'param:tier >= \"silver\"' compares param:tier (string) with '>=', which needs numbers; compare numbers, or use Condition.eq / ne / isIn for strings",
    ]);
  });

  test('isIn with candidates of another type, and a literal of the wrong type', () => {
    const p = new Pipeline('isin');
    const evaluate = Step.script('evaluate', { code, entry, stringMetrics: ['grade'] });
    p.addStep(evaluate, Step.condition('gate', {
      when: Condition.and(
        Condition.isIn(evaluate.metric('grade'), [Value.string('a'), Value.number(2)]),
        Condition.gt(Value.integer(1.5), Value.number(1)),
      ),
      then: [Step.script('ship', { code, entry })],
    }));
    expect(problemsOf(p)).toEqual([
      "step 'gate': literal 1.5 is not a valid integer; use Value.integer(...) with a matching value",
      "step 'gate': condition 'evaluate.grade in [\"a\", 2]' tests evaluate.grade (string) against 2 (number); all values need the same type",
    ]);
  });

  test('an empty branch', () => {
    const p = new Pipeline('branches');
    const evaluate = Step.script('evaluate', { code, entry, metrics: ['accuracy'] });
    p.addStep(evaluate, Step.condition('gate', {
      when: Condition.gt(evaluate.metric('accuracy'), Value.number(0.5)),
      then: [],
      otherwise: [Step.fail('stop', { message: 'too low' })],
    }));
    expect(problemsOf(p)).toEqual(["step 'gate': branch 'then' is empty; give it at least one step or leave it out"]);
  });

  test('a condition with no branch at all', () => {
    const p = new Pipeline('nobranch');
    const evaluate = Step.script('evaluate', { code, entry, metrics: ['accuracy'] });
    p.addStep(evaluate, Step.condition('gate', { when: Condition.gt(evaluate.metric('accuracy'), Value.number(0.5)) }));
    expect(problemsOf(p)).toEqual(["step 'gate': has neither 'then' nor 'otherwise' steps; give at least one branch"]);
  });

  test('a step outside a branch reading a step that may be skipped', () => {
    const p = new Pipeline('visibility');
    const evaluate = Step.script('evaluate', { code, entry, metrics: ['accuracy'] });
    const retrain = Step.script('retrain', { code, entry, outputs: ['data'] });
    p.addStep(evaluate, Step.condition('gate', {
      when: Condition.lt(evaluate.metric('accuracy'), Value.number(0.5)),
      then: [retrain],
    }), Step.script('report', { code, entry, inputs: { data: retrain.output('data') } }));
    expect(problemsOf(p)).toEqual([
      "step 'report': input 'data' reads step 'retrain', which runs only in the 'then' branch of 'gate' and may be skipped; move 'report' into that branch or read something outside it",
    ]);
  });

  test('a condition that reads one of its own branch steps', () => {
    const p = new Pipeline('selfcondition');
    const inner = Step.script('inner', { code, entry, metrics: ['score'] });
    p.addStep(Step.condition('gate', { when: Condition.gt(inner.metric('score'), Value.number(1)), then: [inner] }));
    const problems = problemsOf(p);
    expect(problems).toContain("step 'gate': reads or waits for 'inner', one of its own branch steps; a condition is decided before its branches run");
    expect(problems.some((m) => m.startsWith('steps form a cycle:'))).toBe(true);
  });

  test('the same step object added twice', () => {
    const p = new Pipeline('twice');
    const a = Step.script('a', { code, entry });
    p.addStep(a, a);
    expect(problemsOf(p)).toEqual([
      "step 'a' is added twice (at top level and at top level); a step object belongs in one place, create a second step for the second place",
    ]);
  });

  test('retry and cache policies out of range, and bad resources', () => {
    const p = new Pipeline('policies');
    p.addStep(Step.script('a', {
      code,
      entry,
      retry: RetryPolicy.of({ maxRetries: -1, backoffRate: 0.5 }),
      cache: CachePolicy.enabled({ expireAfterHours: 0 }),
      resources: { cpu: 0, gpu: 0.5 },
      timeoutSeconds: 0,
    }));
    expect(problemsOf(p)).toEqual([
      "step 'a': resources.cpu 0 is invalid (allowed: a number > 0)",
      "step 'a': resources.gpu 0.5 is invalid (allowed: a whole number >= 0)",
      "step 'a': retry maxRetries -1 is invalid (allowed: a whole number >= 0); e.g. RetryPolicy.of({ maxRetries: 2 })",
      "step 'a': retry backoffRate 0.5 is invalid (allowed: a number >= 1; 1 means a constant wait)",
      "step 'a': cache expireAfterHours 0 is invalid (allowed: a number > 0); omit it for no expiry",
      "step 'a': timeoutSeconds 0 is invalid (allowed: a whole number >= 1)",
    ]);
  });

  test('reading from a fanned-out step', () => {
    const p = new Pipeline('fanout');
    const each = Step.script('each', { code, entry, forEach: ['a', 'b'], outputs: ['part'], metrics: ['score'] });
    p.addStep(each, Step.script('join', { code, entry, inputs: { part: each.output('part') } }), Step.condition('gate', {
      when: Condition.gt(each.metric('score'), Value.number(0)),
      then: [Step.fail('stop', { message: 'x' })],
    }));
    expect(problemsOf(p)).toEqual([
      "step 'join': input 'part' reads from 'each', which fans out over forEach and writes one copy per item; read all of them with each.collect('part'), or wait for the runs with dependsOn",
      "step 'gate': reads metric 'score' of 'each', which fans out over forEach and has one value per item; read metrics of a step that runs once, or pass each.collectMetrics() to a step as an input",
    ]);
  });

  test('a missing entry script, a reserved env name and case-colliding names', () => {
    const p = new Pipeline('scripts');
    p.addStep(Step.script('a', {
      code,
      entry: 'missing.py',
      env: { MLOPS_STEP: 'x', 'bad-name': 'y' },
      outputs: ['data', 'Data'],
      forEach: [],
    }));
    expect(problemsOf(p)).toEqual([
      `step 'a': entry "missing.py" is not a file in ${JSON.stringify(code.directory)}; check the name or the code directory`,
      "step 'a': env name 'MLOPS_STEP' is invalid (allowed: letters, digits and '_', not starting with a digit, and not starting with the reserved MLOPS_); rename it",
      "step 'a': env name 'bad-name' is invalid (allowed: letters, digits and '_', not starting with a digit, and not starting with the reserved MLOPS_); rename it",
      "step 'a': forEach is empty; list at least one item or remove forEach",
      "step 'a': output names 'data' and 'Data' differ only in case and would share one MLOPS_ variable; rename one",
    ]);
  });

  test('an entry with no known runtime, and a code directory that does not exist', () => {
    const p = new Pipeline('runtimes');
    p.addStep(
      Step.script('a', { code, entry: 'noop.rb' }),
      Step.script('b', { code: Code.fromDirectory('/nonexistent/steps'), entry }),
    );
    expect(problemsOf(p)).toEqual([
      `step 'a': entry "noop.rb" has no known runtime (allowed: a '.py' script run with python3, or a '.sh' script run with sh); rename it or wrap it in a .py or .sh script`,
      `step 'b': code directory "/nonexistent/steps" does not exist; pass an existing directory to Code.fromDirectory (use path.join(__dirname, ...) for paths next to your module)`,
    ]);
  });

  test('a pipeline with no steps', () => {
    expect(problemsOf(new Pipeline('empty'))).toEqual(['has no steps; add some with pipeline.addStep(...)']);
  });

  test('all problems are reported at once', () => {
    const p = new Pipeline('many problems', { parameters: { x: Parameter.integer(0.5) } });
    p.addStep(Step.script('a b', { code, entry }), Step.fail('stop', { message: '' }));
    const e = (() => {
      try {
        p.graph();
      } catch (err) {
        return err as PipelineValidationError;
      }
      throw new Error('expected an error');
    })();
    expect(e.problems).toHaveLength(4);
    expect(e.message.split('\n')).toHaveLength(5);
  });
});
