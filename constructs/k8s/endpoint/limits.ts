/**
 * The ranges a k8s.CanaryEndpoint allows. The linear step range is the AWS construct's (SageMaker's
 * 10–50 %), so one rollout means the same on both clouds; the canary range is wider than SageMaker's
 * 1–50 % because Argo Rollouts' setWeight and KServe's canaryTrafficPercent take any share, and a
 * 100 % canary would be allAtOnce.
 */
export const ENDPOINT_LIMITS = {
  canaryPercent: { min: 1, max: 99 },
  linearPercent: { min: 10, max: 50 },
  /** Knative's queue-proxy owns these ports in a KServe (Serverless) pod (knative.dev/serving reserved ports). */
  knativeReservedPorts: [8012, 8013, 8022, 9090, 9091],
};

/** The base name is a DNS-1035 label short enough for '<name>-canary-analysis' and pod names. */
export const ENDPOINT_NAME_MAX = 40;
