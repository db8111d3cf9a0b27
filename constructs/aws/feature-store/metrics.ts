import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/** The Feature Store runtime operations whose metrics carry the FeatureGroupName dimension. */
export enum FeatureStoreOperation {
  GET_RECORD = 'GetRecord',
  PUT_RECORD = 'PutRecord',
  DELETE_RECORD = 'DeleteRecord',
}

/** Options of a feature group metric: which runtime operation. */
export interface FeatureStoreMetricOptions extends cloudwatch.MetricOptions {
  /** The operation. @default - the metric's usual one (GetRecord for reads and latency, PutRecord for writes) */
  readonly operation?: FeatureStoreOperation;
}

/**
 * One metric of a feature group in AWS/SageMaker, by FeatureGroupName and OperationName (the
 * dimensions the SageMaker CloudWatch reference gives Feature Store's consumption and operational
 * metrics for non-batch operations). Sum over 1 minute unless given.
 */
export function featureGroupMetric(featureGroupName: string, metricName: string, operation: FeatureStoreOperation, props: cloudwatch.MetricOptions): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/SageMaker',
    metricName,
    dimensionsMap: { FeatureGroupName: featureGroupName, OperationName: operation },
    statistic: 'Sum',
    period: Duration.minutes(1),
    ...props,
  });
}
