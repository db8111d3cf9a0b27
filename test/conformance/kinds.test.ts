import { compileArgo } from '../../lib/compile/argo';
import { compileKubeflow } from '../../lib/compile/kubeflow';
import { compileSageMaker } from '../../lib/compile/sagemaker';
import { planLocalRun } from '../../lib/local';
import { Pipeline, PipelineValidationError, Step } from '../../lib/pipeline';
import { renderMermaid, renderSvg } from '../../lib/render';
import { testTarget } from '../support/aws/sagemaker-target';
import { TEST_OPTIONS } from '../support/kubeflow';
import { FIXTURE_CODE } from './features';
import { VectorIndexSource, TuningStep } from '../support/extensions';

/**
 * The extension contract on every engine: a step kind or a data source kind that an engine has no
 * handler for is refused at synth time with the same message, naming the step, the kind, the
 * engine and what to do; never compiled or run as something else.
 */
const ENGINES: { name: string; engine: string; compile: (p: Pipeline) => unknown }[] = [
  { name: 'SageMaker', engine: 'SageMaker', compile: (p) => compileSageMaker(p, testTarget()) },
  { name: 'Argo', engine: 'Argo Workflows', compile: (p) => compileArgo(p, { defaultImage: 'python:3.12-slim', codeConfigMapName: () => 'code' }) },
  { name: 'Kubeflow', engine: 'Kubeflow Pipelines', compile: (p) => compileKubeflow(p, TEST_OPTIONS) },
  { name: 'local', engine: 'the local runner', compile: (p) => planLocalRun(p) },
  { name: 'Mermaid', engine: 'the diagram renderer', compile: (p) => renderMermaid(p) },
  { name: 'SVG', engine: 'the diagram renderer', compile: (p) => renderSvg(p) },
];


/** The problems a compile reports, whether it throws or (renderSvg) rejects. */
async function problemsOf(compile: () => unknown): Promise<string[]> {
  try {
    await compile();
  } catch (e) {
    expect(PipelineValidationError.isPipelineValidationError(e)).toBe(true);
    return (e as PipelineValidationError).problems;
  }
  throw new Error('expected a synth-time error');
}

describe.each(ENGINES)('$name', ({ engine, compile }) => {
  test('refuses a step kind it has no handler for, with the standard message', async () => {
    const p = new Pipeline('custom-kind');
    p.addStep(new TuningStep('tune', { code: FIXTURE_CODE, entry: 'noop.py' }));
    const problems = await problemsOf(() => compile(p));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(
      `^step 'tune': step kind 'tuning' is not supported on ${engine} \\(it runs ('[a-z-]+', )*'[a-z-]+' steps\\); remove the step, or run the pipeline on an engine that has a handler for 'tuning' steps$`,
    ));
  });

  test('refuses a data source kind it has no resolver for, with the standard message', async () => {
    const p = new Pipeline('custom-source');
    p.addStep(Step.script('read', { code: FIXTURE_CODE, entry: 'noop.py', inputs: { features: new VectorIndexSource() } }));
    const problems = await problemsOf(() => compile(p));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(
      `^step 'read': input 'features' reads features@v3, a data source of kind 'vector-index', which ${engine} cannot read \\(it reads ('[a-z-]+', )*'[a-z-]+'\\); read another kind of source, or run the pipeline on an engine that reads this one$`,
    ));
  });
});
