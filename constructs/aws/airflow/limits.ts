/**
 * What Amazon MWAA accepts, from botocore's `mwaa` 2020-07-01 service model (shape patterns,
 * min/max, and the documented valid values of CreateEnvironment) and the MWAA User Guide
 * (environment classes, schedulers, the 25-worker quota).
 */
export const MWAA_LIMITS = {
  /** CreateEnvironment AirflowVersion: "Valid values: 2.7.2, 2.8.1, 2.9.2, 2.10.1, 2.10.3, 2.11.0, and 3.0.6". */
  airflowVersions: ['2.7.2', '2.8.1', '2.9.2', '2.10.1', '2.10.3', '2.11.0', '3.0.6'],
  /** CreateEnvironment EnvironmentClass: "Valid values: mw1.micro, mw1.small, mw1.medium, mw1.large, mw1.xlarge, and mw1.2xlarge". */
  environmentClasses: ['mw1.micro', 'mw1.small', 'mw1.medium', 'mw1.large', 'mw1.xlarge', 'mw1.2xlarge'],
  /** EnvironmentName: pattern [a-zA-Z][0-9a-zA-Z-_]*, 1–80 characters. */
  namePattern: /^[a-zA-Z][0-9a-zA-Z_-]{0,79}$/,
  nameMaxLength: 80,
  /** mw1.micro runs one combined scheduler/worker and does not scale. */
  micro: { workers: 1, schedulers: 1 },
  /** Every other class: 2–5 schedulers (Schedulers, "v2 - accepts values from 2 to 5"); at least 1 worker. */
  schedulers: { min: 2, max: 5 },
  minWorkers: 1,
  /** The default service quota of workers per environment (raisable through a quota request). */
  workerQuota: 25,
  /** ConfigKey pattern and length; ConfigValue is printable ASCII, 1–65536 characters. */
  configKeyPattern: /^[a-z]+([a-z0-9._]*[a-z0-9_]+)?$/,
  configKeyMaxLength: 64,
  configValuePattern: /^[ -~]+$/,
  configValueMaxLength: 65536,
};
