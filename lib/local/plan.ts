import { ArtifactType } from '../pipeline/artifacts';
import { PipelineValidationError } from '../pipeline/errors';
import { sourceHandler, stepHandler } from '../pipeline/handlers';
import { Pipeline } from '../pipeline/pipeline';
import { Step } from '../pipeline/step';
import { CacheMode, LocalRunPlan, NO_RETRY, PlannedInput, PlannedStep, PlanOptions } from './planned';
import { LOCAL_SOURCES, SourcePlanContext } from './sources';
import { LOCAL_STEPS, LocalStepHandler, StepPlanContext } from './steps';

export * from './planned';

/** How the local runner names itself in the standard "not supported" problems. */
export const LOCAL_ENGINE = 'the local runner';

/**
 * Validates a pipeline and plans its local run without running anything: each step's handler
 * (by kind, from LOCAL_STEPS), each input's resolver (by data source kind, from LOCAL_SOURCES),
 * parameter values, retry and cache settings. A kind without a handler, a source that cannot be
 * read here or bad parameters throw one PipelineValidationError naming every problem.
 */
export function planLocalRun(pipeline: Pipeline, options: PlanOptions = {}): LocalRunPlan {
  const graph = pipeline.graph();
  const parameters = pipeline.resolveParameters({ ...(options.parameters ?? {}) });
  const cacheMode = options.cacheMode ?? CacheMode.POLICY;
  const warnings: string[] = [];
  const problems: string[] = [];
  const handlers = new Map<Step, LocalStepHandler | undefined>();
  for (const node of graph.nodes) {
    handlers.set(node.step, stepHandler(LOCAL_STEPS, node.step, LOCAL_ENGINE, problems));
  }
  const portPath = (producer: Step, port: string, type: ArtifactType) => handlers.get(producer)?.portPath(producer, port, type);

  const steps: PlannedStep[] = [];
  for (const node of graph.nodes) {
    const step = node.step;
    const handler = handlers.get(step);
    if (handler === undefined) {
      continue;
    }
    const own = (message: string) => problems.push(`step '${step.name}': ${message}`);
    const inputs: PlannedInput[] = [];
    for (const [name, source] of Object.entries(step.inputs())) {
      const resolver = sourceHandler(LOCAL_SOURCES, step, name, source, LOCAL_ENGINE, problems);
      const context: SourcePlanContext = { input: name, portPath, hasHandler: (s) => handlers.get(s) !== undefined, problem: own, parameters };
      const read = resolver?.plan(source, context);
      if (read !== undefined) {
        inputs.push({ name, source, read });
      }
    }
    const context: StepPlanContext = { pipeline, parameters, cacheMode, problem: own, warn: (w) => warnings.push(w) };
    const details = handler.plan(node, context);
    steps.push({
      name: step.name,
      kind: step.kind,
      step,
      node,
      handler,
      upstream: node.upstream.map((s) => s.name),
      scope: node.scope.map((b) => ({ condition: b.condition.name, branch: b.branch })),
      inputs,
      ports: directoryPorts(step, handler),
      params: {},
      retry: NO_RETRY,
      ...details,
    });
  }
  if (problems.length > 0) {
    throw new PipelineValidationError(`Pipeline '${pipeline.name}' (local runner)`, problems);
  }
  return { pipeline, graph, parameters, steps, warnings };
}

function directoryPorts(step: Step, handler: LocalStepHandler): { [port: string]: string } {
  const ports: { [port: string]: string } = {};
  for (const [port, type] of Object.entries(step.outputPorts())) {
    const at = handler.portPath(step, port, type);
    if (at !== undefined) {
      ports[port] = at;
    }
  }
  return ports;
}
