import { Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import { acknowledgeComplianceRules, acknowledgeIamFindings, OWN_POLICY_REASON } from '../nag-acknowledgements';

const WILDCARDS = 'Each wildcard is as narrow as the service allows: SageMaker writes endpoint logs to log groups it names ' +
  '/aws/sagemaker/Endpoints/<endpoint>; cloudwatch:PutMetricData, ecr:GetAuthorizationToken and sagemaker:ListModelPackages have no resource-level permissions ' +
  '(PutMetricData is limited to the SageMaker namespaces by condition); kms:GenerateDataKey* and kms:ReEncrypt* are on the one ' +
  'endpoint key; model-package/<group>/* is the packages of the one model package group; endpoint-config/* and model/* are needed ' +
  'because CloudFormation generates those names and the approval deployer creates new ones on each approval.';

/** Acknowledges, with reasons, what cdk-nag reports for a CanaryEndpoint's own resources. Call it once they are complete. */
export function acknowledgeEndpointFindings(endpoint: IConstruct, alarms: cloudwatch.IAlarm[], functions: lambda.Function[]): void {
  acknowledgeIamFindings(endpoint, { wildcardResources: WILDCARDS });
  acknowledgeComplianceRules(endpoint, { IAMNoInlinePolicy: OWN_POLICY_REASON });
  for (const alarm of alarms) {
    if (alarm.node.scope === endpoint) {
      acknowledgeComplianceRules(alarm, {
        CloudWatchAlarmAction: 'SageMaker reads this alarm during deployments (AutoRollbackConfiguration) and rolls back when it fires; ' +
          'that is its action. Add notifications with alarm.addAlarmAction() on endpoint.rollbackAlarms.',
      });
    }
  }
  for (const fn of functions) {
    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Pinned to nodejs22.x on purpose: the handler uses the @aws-sdk/client-sagemaker the runtime ships and is tested against that ' +
        'SDK major; the library moves the runtime in a release, not silently.',
    });
    acknowledgeComplianceRules(fn, {
      LambdaInsideVPC: 'The function only calls the SageMaker API and takes no data; placing it in a VPC would need SageMaker and ' +
        'CloudWatch Logs interface endpoints or a NAT for no reduction in exposure.',
      LambdaDLQ: 'A failed resolution fails the CloudFormation deployment (custom resource), and a failed approval rollout is ' +
        'retried by EventBridge (2 attempts) and shows in the function\'s Errors metric and log; nothing is queued for replay because ' +
        'a stale approval must not be rolled out later.',
    });
  }
}
