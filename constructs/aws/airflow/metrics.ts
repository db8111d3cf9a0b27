import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/** The Airflow component an MWAA metric is reported for (its Function dimension). */
export enum AirflowMetricFunction {
  SCHEDULER = 'Scheduler',
  EXECUTOR = 'Executor',
  DAG_PROCESSING = 'DAG Processing',
}

/** Options of an environment metric: which component. */
export interface AirflowMetricOptions extends cloudwatch.MetricOptions {
  /** The component (the Function dimension). @default - the metric's own (Scheduler for heartbeats, Executor for task counts, DAG Processing for parse times) */
  readonly component?: AirflowMetricFunction;
}

/**
 * One Apache Airflow metric of an environment in the AmazonMWAA namespace, by Function and
 * Environment (the dimensions the MWAA User Guide's "Apache Airflow environment metrics in
 * CloudWatch" gives the scheduler, executor and DAG processing metrics). Sum over 1 minute unless given.
 */
export function environmentMetric(environmentName: string, metricName: string, fn: AirflowMetricFunction, props: cloudwatch.MetricOptions): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AmazonMWAA',
    metricName,
    dimensionsMap: { Function: fn, Environment: environmentName },
    statistic: 'Sum',
    period: Duration.minutes(1),
    ...props,
  });
}
