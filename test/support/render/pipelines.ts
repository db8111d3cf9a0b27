import * as path from 'path';
import { Code, Condition, Parameter, Pipeline, RetryPolicy, Step, Value } from '../../../lib';

/** Pipelines that exercise the diagram renderers beyond Iris. */
const code = Code.fromDirectory(path.join(__dirname, '..', '..', 'fixtures', 'steps'));
const entry = 'noop.py';

/**
 * A condition nested in another's branch, a forEach fan-out joined by dependsOn, a plain
 * dependsOn, and a step in a branch that also reads from outside the branch.
 */
export function nestedPipeline(): Pipeline {
  const p = new Pipeline('nested', {
    parameters: { minScore: Parameter.number(0.8), region: Parameter.string('eu', { allowedValues: ['eu', 'us'] }) },
    defaultRetry: RetryPolicy.of({ maxRetries: 2 }),
  });
  const shard = Step.script('shard', { code, entry, forEach: ['eu-west-1', 'us-east-1', 'ap-south-1'] });
  const prepare = Step.script('prepare', { code, entry, outputs: ['features', 'labels'], dependsOn: [shard] });
  const train = Step.training('train', {
    code,
    entry,
    inputs: { features: prepare.output('features'), labels: prepare.output('labels') },
    metrics: ['loss'],
    resources: { cpu: 4, memoryGiB: 16, gpu: 1 },
  });
  const evaluate = Step.script('evaluate', { code, entry, inputs: { model: train.model() }, metrics: ['score', 'drift'] });
  const audit = Step.script('audit', { code, entry, dependsOn: [evaluate] });
  const publish = Step.script('publish', { code, entry, inputs: { model: train.model() }, outputs: ['card'] });
  const inner = Step.condition('drift-check', {
    when: Condition.lt(evaluate.metric('drift'), Value.number(0.1)),
    then: [publish, Step.registerModel('register', { model: train.model(), group: 'nested-models', dependsOn: [publish] })],
    otherwise: [Step.fail('drifted', { message: 'Data drift too high' })],
  });
  const outer = Step.condition('score-gate', {
    when: Condition.and(Condition.gte(evaluate.metric('score'), p.parameter('minScore')), Condition.lt(train.metric('loss'), Value.number(1))),
    then: [inner],
    otherwise: [Step.fail('too-weak', { message: 'Score below minScore' })],
  });
  p.addStep(shard, prepare, train, evaluate, audit, outer);
  return p;
}

/** Text that breaks naive Mermaid or XML output. */
export const HOSTILE_TEXT =
  'style:<x>; "q" <script>alert(1)</script> & #1; 100% %%{init: {"theme":"dark"}}%% [a] {b} (c) |d| `e` end\u0001\nnext';

/**
 * Step names Mermaid cannot take as ids as they are ('end', 'subgraph', '-'), names that clash
 * once '-' becomes '_', and hostile text in conditions, messages and forEach items.
 */
export function hostilePipeline(): Pipeline {
  const p = new Pipeline('hostile-1', { description: HOSTILE_TEXT, parameters: { label: Parameter.string('a"b') } });
  const end = Step.script('end', { code, entry, metrics: ['score'], stringMetrics: ['verdict'] });
  const dash = Step.script('a-b', { code, entry, forEach: ['"quoted"', '<angle>', 'x]y', '#35;', 'plain'] });
  const underscore = Step.script('a_b', { code, entry, outputs: ['out'], dependsOn: [dash] });
  const gate = Step.condition('subgraph', {
    when: Condition.or(
      Condition.gte(end.metric('score'), Value.number(0.5)),
      Condition.isIn(end.metric('verdict'), [Value.string('"yes" & <ok>'), Value.string(']) --> x')]),
      Condition.not(Condition.eq(end.metric('verdict'), p.parameter('label'))),
    ),
    then: [Step.script('class', { code, entry, inputs: { data: underscore.output('out') } })],
    otherwise: [Step.fail('1st--fail_', { message: HOSTILE_TEXT })],
  });
  p.addStep(end, dash, underscore, gate);
  return p;
}

/** Names at their length limits: a 256-character pipeline name, 64-character step and output names. */
export function longNamesPipeline(): Pipeline {
  const p = new Pipeline(`long-${'x'.repeat(250)}`);
  const producer = Step.script(`produce-${'p'.repeat(56)}`, { code, entry, outputs: [`o${'u'.repeat(63)}`] });
  const consumer = Step.script(`consume-${'c'.repeat(56)}`, { code, entry, inputs: { data: producer.output(`o${'u'.repeat(63)}`) }, metrics: ['score'] });
  const gate = Step.condition(`gate-${'g'.repeat(59)}`, {
    when: Condition.gte(consumer.metric('score'), Value.number(0.5)),
    then: [Step.script('ok', { code, entry })],
  });
  p.addStep(producer, consumer, gate);
  return p;
}
