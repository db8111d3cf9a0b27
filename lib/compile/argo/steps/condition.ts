import { ArgoStep, ArgoStepHandler } from './handler';

/**
 * A condition has neither template nor task: its branches' tasks carry it as `when` (see
 * when.ts), and a step that waits for it waits for what it reads and for its branch tasks.
 */
export const CONDITION_STEP: ArgoStepHandler = {
  compile(): ArgoStep {
    return { templates: [] };
  },
};
