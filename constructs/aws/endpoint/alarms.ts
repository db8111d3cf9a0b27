import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';

export const NAMESPACE = 'AWS/SageMaker';

/** A metric of one endpoint variant in AWS/SageMaker. */
export function variantMetric(endpointName: string, variantName: string, metricName: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: NAMESPACE,
    metricName,
    dimensionsMap: { EndpointName: endpointName, VariantName: variantName },
    period: Duration.minutes(1),
    statistic: 'Sum',
    ...props,
  });
}

/** Percent of a variant's invocations that answered 5xx (0 when there were none). */
export function errorRateMetric(endpointName: string, variantName: string, period: Duration = Duration.minutes(1)): cloudwatch.MathExpression {
  // Ids are unique per variant, so one graph can show several variants' rates.
  const id = variantName.replace(/-/g, '_');
  return new cloudwatch.MathExpression({
    expression: `IF(invocations_${id} > 0, 100 * errors_${id} / invocations_${id}, 0)`,
    usingMetrics: {
      [`errors_${id}`]: variantMetric(endpointName, variantName, 'Invocation5XXErrors', { period }),
      [`invocations_${id}`]: variantMetric(endpointName, variantName, 'Invocations', { period }),
    },
    label: `${variantName} 5xx %`,
    period,
  });
}

/** The rollback alarms of one variant, as `rollbackOn` asks. */
export function rollbackAlarms(scope: Construct, endpointName: string, variantName: string, p99LatencyMs: number | undefined, errorRatePercent: number | undefined): cloudwatch.Alarm[] {
  const alarms: cloudwatch.Alarm[] = [];
  if (errorRatePercent !== undefined) {
    alarms.push(new cloudwatch.Alarm(scope, `${variantName}ErrorRate`, {
      alarmDescription: `Rolls back the deployment: ${variantName} 5xx rate above ${errorRatePercent} %`,
      metric: errorRateMetric(endpointName, variantName),
      threshold: errorRatePercent,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }));
  }
  if (p99LatencyMs !== undefined) {
    alarms.push(new cloudwatch.Alarm(scope, `${variantName}P99Latency`, {
      alarmDescription: `Rolls back the deployment: ${variantName} p99 ModelLatency above ${p99LatencyMs} ms`,
      // ModelLatency is reported in microseconds.
      metric: variantMetric(endpointName, variantName, 'ModelLatency', { statistic: 'p99' }),
      threshold: p99LatencyMs * 1000,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }));
  }
  return alarms;
}

/** A dashboard of the endpoint: traffic, errors and latency per variant, and the rollback alarms. */
export function endpointDashboard(scope: Construct, endpointName: string, variantNames: string[], alarms: cloudwatch.IAlarm[]): cloudwatch.Dashboard {
  const per = (metric: string, statistic: string) => variantNames.map((v) => variantMetric(endpointName, v, metric, { statistic, label: v }));
  const dashboard = new cloudwatch.Dashboard(scope, 'Dashboard', { defaultInterval: Duration.hours(3) });
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({ title: 'Invocations per variant', left: per('Invocations', 'Sum'), width: 8 }),
    new cloudwatch.GraphWidget({ title: '5xx rate (%)', left: variantNames.map((v) => errorRateMetric(endpointName, v)), width: 8 }),
    new cloudwatch.GraphWidget({ title: 'ModelLatency p99 (µs)', left: per('ModelLatency', 'p99'), width: 8 }),
  );
  if (alarms.length > 0) {
    dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Rollback alarms', alarms, width: 24 }));
  }
  return dashboard;
}
