import * as path from 'path';
import { createHash } from 'crypto';
import { CfnResource, CustomResource, Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The folder the handlers' asset is made of (index.js; the runtime ships the SDK). */
export const HANDLER_DIR = path.join(__dirname, 'handler');
const RUNTIME = lambda.Runtime.NODEJS_22_X;

function handlerFunction(scope: Construct, id: string, entry: string, description: string, timeout: Duration, key: kms.IKey, environment?: { [key: string]: string }): lambda.Function {
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, { retention: logs.RetentionDays.ONE_YEAR, encryptionKey: key });
  // Its own role with only its log group, instead of AWSLambdaBasicExecutionRole (all log groups).
  const role = new iam.Role(scope, `${id}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: description });
  role.addToPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
  return new lambda.Function(scope, id, {
    role,
    runtime: RUNTIME,
    handler: `index.${entry}`,
    code: lambda.Code.fromAsset(HANDLER_DIR),
    description,
    timeout,
    memorySize: 256,
    // One at a time: two approvals must not call UpdateEndpoint concurrently (the second would fail anyway).
    reservedConcurrentExecutions: 1,
    logGroup,
    environment,
  });
}

/**
 * The model package ARN a group's newest (approved) package has when the stack deploys.
 *
 * CloudFormation calls the resolver only when its properties change, so `revision` lists the
 * resources whose change makes CloudFormation update the endpoint: their digest is a property.
 * Any deploy that updates the endpoint then resolves the newest package again, and so keeps the
 * model an approval rolled out instead of going back to the one resolved at an earlier deploy; a
 * deploy that leaves the endpoint alone does not touch it.
 */
export class LatestModelPackage extends Construct {
  /** The resolved ModelPackageArn (a deploy-time value). */
  public readonly modelPackageArn: string;
  public readonly function: lambda.Function;
  private readonly revisionOf: CfnResource[] = [];

  constructor(scope: Construct, id: string, group: string, approvedOnly: boolean, key: kms.IKey) {
    super(scope, id);
    const fn = this.function = handlerFunction(this, 'Resolver', 'handler', `Resolves the newest ${approvedOnly ? 'approved ' : ''}model package of ${group}`, Duration.minutes(2), key);
    // ListModelPackages has no resource-level permissions (IAM authorizes it on '*' only).
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['sagemaker:ListModelPackages'], resources: ['*'] }));
    const resource = new CustomResource(this, 'Resource', {
      serviceToken: fn.functionArn,
      resourceType: 'Custom::LatestModelPackage',
      properties: {
        ModelPackageGroupName: group,
        ApprovedOnly: String(approvedOnly),
        EndpointRevision: Lazy.string({ produce: () => this.revision() }),
      },
    });
    this.modelPackageArn = resource.getAttString('ModelPackageArn');
  }

  /** Resolve the newest package again whenever one of these resources changes. */
  public resolveAgainWhenChanged(...resources: CfnResource[]): void {
    this.revisionOf.push(...resources);
  }

  private revision(): string {
    const stack = Stack.of(this);
    const rendered = this.revisionOf.map((r) => stack.resolve((r as unknown as { _toCloudFormation(): object })._toCloudFormation()));
    return createHash('sha256').update(JSON.stringify(rendered)).digest('hex').slice(0, 16);
  }
}

export interface ApprovalRolloutProps {
  readonly group: string;
  readonly approvedOnly: boolean;
  readonly endpointName: string;
  readonly endpointArn: string;
  readonly executionRole: iam.IRole;
  /** The endpoint's key (log group encryption, endpoint config volumes). */
  readonly key: kms.IKey;
  /** The UpdateEndpoint DeploymentConfig, as the API spells it (PascalCase). */
  readonly deploymentConfig: object;
}

/**
 * An EventBridge rule on 'SageMaker Model Package State Change' to Approved in one group, whose
 * Lambda creates a model and endpoint config for the new package and calls UpdateEndpoint with
 * the endpoint's own DeploymentConfig (same rollout, same rollback alarms).
 */
export class ApprovalRollout extends Construct {
  public readonly rule: events.Rule;
  public readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: ApprovalRolloutProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.function = handlerFunction(this, 'Deployer', 'onApproval', `Rolls out newly approved packages of ${props.group}`, Duration.minutes(5), props.key, {
      MODEL_PACKAGE_GROUP: props.group,
      APPROVED_ONLY: String(props.approvedOnly),
      ENDPOINT_NAME: props.endpointName,
      DEPLOYMENT_CONFIG: stack.toJsonString(props.deploymentConfig),
    });
    const arn = (resource: string, name: string) => stack.formatArn({ service: 'sagemaker', resource, resourceName: name });
    this.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['sagemaker:ListModelPackages'], resources: ['*'] }));
    this.function.addToRolePolicy(new iam.PolicyStatement({
      actions: ['sagemaker:DescribeModelPackage'],
      resources: [arn('model-package', `${props.group.toLowerCase()}/*`)],
    }));
    this.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['sagemaker:DescribeEndpoint', 'sagemaker:UpdateEndpoint'], resources: [props.endpointArn] }));
    this.function.addToRolePolicy(new iam.PolicyStatement({
      actions: ['sagemaker:DescribeEndpointConfig', 'sagemaker:CreateEndpointConfig', 'sagemaker:DescribeModel', 'sagemaker:CreateModel'],
      // The names are generated (CloudFormation's, and this function's copies), so any in the account and region.
      resources: [arn('endpoint-config', '*'), arn('model', '*')],
    }));
    this.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [props.executionRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } } }));
    this.rule = new events.Rule(this, 'OnApproval', {
      description: `Rolls out model packages approved in ${props.group}`,
      eventPattern: {
        source: ['aws.sagemaker'],
        detailType: ['SageMaker Model Package State Change'],
        detail: { ModelPackageGroupName: [props.group], ModelApprovalStatus: ['Approved'] },
      },
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 2 })],
    });
  }
}
