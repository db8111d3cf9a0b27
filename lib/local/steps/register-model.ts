import { RegisterModelStep } from '../../pipeline/steps/register-model-step';
import { PlannedStep } from '../planned';
import { InlineContext, InlineOutcome, LocalStepHandler } from './handler';
import { noPorts, planNothing } from './inline';

/**
 * Register-model steps: copy the model directory into the local registry as the group's next
 * version, with the run's metrics. The registered version is not a directory later steps read here.
 */
export const REGISTER_MODEL_STEP: LocalStepHandler = {
  runsAs: 'inline',
  portPath: noPorts,

  plan: planNothing,

  decide(planned: PlannedStep, context: InlineContext): InlineOutcome {
    const step = planned.step as RegisterModelStep;
    const registered = context.registry.register(context.inputDirectory('model'), {
      group: step.group,
      pipeline: context.pipeline,
      sourceRun: context.runId,
      registeredBy: step.name,
      sourceStep: step.model.producer?.name ?? String(step.model),
      approvalStatus: step.approval,
      metrics: context.runMetrics(),
      image: step.image,
      contentTypes: step.contentTypes,
      responseTypes: step.responseTypes,
    }, step.inference);
    return {
      succeeded: true,
      registered: { group: registered.group, version: registered.version, path: registered.path },
      detail: `${registered.group} version ${registered.version}`,
    };
  },
};
