import * as path from 'path';
import { Branch, CachePolicy, Code, Condition, Pipeline, RetryPolicy, Step, Value } from '../../lib';
import { irisPipeline } from '../../examples/iris/pipeline';

const code = Code.fromDirectory(path.join(__dirname, '..', 'fixtures', 'steps'));
const entry = 'noop.py';

test('Iris: steps in dependency order, branches scoped to their condition', () => {
  const graph = irisPipeline().graph();
  expect(graph.nodes.map((n) => [n.step.name, n.upstream.map((u) => u.name), n.scope.map((s) => `${s.condition.name}:${s.branch}`)])).toEqual([
    ['extract', [], []],
    ['clean', ['extract'], []],
    ['train', ['clean'], []],
    ['evaluate', ['clean', 'train'], []],
    ['accuracy-gate', ['evaluate'], []],
    ['register', ['train'], ['accuracy-gate:then']],
    ['too-inaccurate', [], ['accuracy-gate:otherwise']],
  ]);
  const gate = graph.nodes[4].step as never;
  expect(graph.branchMembers(gate, Branch.THEN).map((n) => n.step.name)).toEqual(['register']);
  expect(graph.branchMembers(gate, Branch.OTHERWISE).map((n) => n.step.name)).toEqual(['too-inaccurate']);
  expect(graph.topLevel().map((n) => n.step.name)).toEqual(['extract', 'clean', 'train', 'evaluate', 'accuracy-gate']);
});

test('order follows dependencies, not the order steps were added, and ties keep declaration order', () => {
  const p = new Pipeline('order');
  const late = Step.script('late', { code, entry, outputs: ['x'] });
  const b = Step.script('b', { code, entry });
  const a = Step.script('a', { code, entry });
  const reader = Step.script('reader', { code, entry, inputs: { x: late.output('x') } });
  p.addStep(reader, b, a, late);
  expect(p.graph().nodes.map((n) => n.step.name)).toEqual(['b', 'a', 'late', 'reader']);
});

test('the same pipeline built twice gives the same order (determinism)', () => {
  const names = () => irisPipeline().graph().nodes.map((n) => n.step.name).join(',');
  expect(names()).toBe(names());
});

test('effective policies: step settings over pipeline defaults, resources field by field', () => {
  const p = new Pipeline('defaults', {
    defaultResources: { cpu: 1, memoryGiB: 2 },
    defaultRetry: RetryPolicy.of({ maxRetries: 2 }),
    defaultCache: CachePolicy.enabled(),
  });
  const a = Step.script('a', { code, entry, resources: { memoryGiB: 8, gpu: 1 }, retry: RetryPolicy.none() });
  const b = Step.script('b', { code, entry, cache: CachePolicy.disabled() });
  const gate = Step.condition('gate', { when: Condition.eq(Value.boolean(true), Value.boolean(true)), then: [Step.fail('f', { message: 'm' })] });
  p.addStep(a, b, gate);
  const [na, nb, ngate] = p.graph().nodes;
  expect(na.resources).toEqual({ cpu: 1, memoryGiB: 8, gpu: 1 });
  expect(na.retry?.maxRetries).toBe(0);
  expect(na.cache?.isEnabled).toBe(true);
  expect(nb.resources).toEqual({ cpu: 1, memoryGiB: 2 });
  expect(nb.retry?.maxRetries).toBe(2);
  expect(nb.cache?.isEnabled).toBe(false);
  expect(ngate.resources).toBeUndefined();
  expect(ngate.retry).toBeUndefined();
});

test('without defaults, container steps get no retries and caching off', () => {
  const p = new Pipeline('plain');
  p.addStep(Step.script('a', { code, entry }));
  const [node] = p.graph().nodes;
  expect(node.retry).toBeUndefined();
  expect(node.cache?.isEnabled).toBe(false);
  expect(node.resources).toEqual({});
});

test('nested conditions: inner branch steps carry both scopes, outermost first', () => {
  const p = new Pipeline('nested');
  const e = Step.script('e', { code, entry, metrics: ['m'] });
  const deep = Step.script('deep', { code, entry });
  p.addStep(e, Step.condition('outer', {
    when: Condition.gt(e.metric('m'), Value.number(0)),
    then: [Step.condition('inner', { when: Condition.gt(e.metric('m'), Value.number(1)), otherwise: [deep] })],
  }));
  const node = p.graph().node(deep);
  expect(node.scope.map((s) => `${s.condition.name}:${s.branch}`)).toEqual(['outer:then', 'inner:otherwise']);
});

test('a retry delay grows by the backoff rate', () => {
  const r = RetryPolicy.of({ maxRetries: 3, intervalSeconds: 5, backoffRate: 3 });
  expect([1, 2, 3].map((n) => r.delaySeconds(n))).toEqual([5, 15, 45]);
});

test('sorting thousands of steps stays fast enough for the compilers (linear-ish, no O(n^2))', () => {
  const p = new Pipeline('big');
  let prev = Step.script('s0', { code, entry, outputs: ['o'] });
  p.addStep(prev);
  for (let i = 1; i < 3000; i++) {
    const next = Step.script(`s${i}`, { code, entry, outputs: ['o'], inputs: { i: prev.output('o') } });
    p.addStep(next);
    prev = next;
  }
  const graph = p.graph();
  expect(graph.nodes).toHaveLength(3000);
  expect(graph.nodes[2999].step.name).toBe('s2999');
});
