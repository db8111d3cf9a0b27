import { StepPlanDetails } from './handler';

/** Steps decided in the runner have no process, ports or policies to plan. */
export function planNothing(): StepPlanDetails {
  return {};
}

/** Steps decided in the runner write no directory a later step reads. */
export function noPorts(): undefined {
  return undefined;
}
