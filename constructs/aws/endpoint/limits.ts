/**
 * The ranges SageMaker allows, from botocore's SageMaker model (min/max) and the
 * DeploymentConfig reference (the 50 % canary and 10–50 % linear ceilings, which the model does not carry).
 */
export const ROLLOUT_LIMITS = {
  canaryPercent: { min: 1, max: 50 },
  linearPercent: { min: 10, max: 50 },
  waitSeconds: { min: 0, max: 3600 },
  maximumExecutionSeconds: { min: 600, max: 28800 },
  terminationWaitSeconds: { min: 0, max: 3600 },
};
