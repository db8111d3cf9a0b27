import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { acknowledgeComplianceRules } from './nag-acknowledgements';

const REPLICATION_REASON = 'Cross-region replication needs a destination bucket in a region the deployer chooses for data ' +
  'residency, which the library cannot pick; the bucket is versioned and retained, so objects survive overwrites, deletes and ' +
  'stack removal. Pass a bucket with replication as `bucket` where a policy requires a second region.';

/**
 * The resources an MlPipeline keeps its data and alerts in, whatever engine runs it: key,
 * artifact bucket (with its access-log bucket), alert topic and the failure alert rule.
 */

/**
 * A customer managed key with rotation, retained on delete, that the account administers (the
 * same policy kms.Key writes). Written with the L1 class behind an IKey (kms.Key.fromCfnKey, which
 * still takes key policy additions): the L2 Key costs synth time and adds nothing here.
 */
export function createKey(scope: Construct, pipelineName: string): kms.IKey {
  const stack = Stack.of(scope);
  const key = new kms.CfnKey(scope, 'Key', {
    description: `Encrypts the artifacts, job volumes and alerts of ML pipeline ${pipelineName}`,
    enableKeyRotation: true,
    keyPolicy: {
      Version: '2012-10-17',
      Statement: [{
        Sid: 'AccountAdministersKey',
        Effect: 'Allow',
        Principal: { AWS: `arn:${stack.partition}:iam::${stack.account}:root` },
        Action: 'kms:*',
        Resource: '*',
      }],
    },
  });
  key.applyRemovalPolicy(RemovalPolicy.RETAIN);
  return kms.Key.fromCfnKey(key);
}

/**
 * The artifact bucket, and a second bucket for its server access logs. The log bucket is internal
 * plumbing, written with L1 classes (an L2 Bucket costs synth time and adds nothing here).
 */
export function createBucket(scope: Construct, key: kms.IKey): s3.IBucket {
  const logs = new s3.CfnBucket(scope, 'AccessLogs', {
    // S3 server access logging cannot deliver to SSE-KMS buckets.
    bucketEncryption: { serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }] },
    publicAccessBlockConfiguration: { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
    ownershipControls: { rules: [{ objectOwnership: 'BucketOwnerEnforced' }] },
    versioningConfiguration: { status: 'Enabled' },
  });
  logs.applyRemovalPolicy(RemovalPolicy.RETAIN);
  Validations.of(logs).acknowledge({
    id: 'AwsSolutions-S1',
    reason: 'This bucket receives the server access logs of the artifact bucket; logging it too would only log the log delivery.',
  });
  acknowledgeComplianceRules(logs, {
    S3DefaultEncryptionKMS: 'S3 server access logging delivers only to buckets whose default encryption is SSE-S3 (AES256), not ' +
      'SSE-KMS; the log bucket is SSE-S3, SSL-only, blocks public access and accepts log delivery from the artifact bucket only.',
    S3BucketReplicationEnabled: REPLICATION_REASON,
  });
  const bucket = new s3.Bucket(scope, 'Artifacts', {
    encryption: s3.BucketEncryption.KMS,
    encryptionKey: key,
    bucketKeyEnabled: true,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    versioned: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  acknowledgeComplianceRules(bucket, { S3BucketReplicationEnabled: REPLICATION_REASON });
  const prefix = 'artifacts/';
  (bucket.node.defaultChild as s3.CfnBucket).loggingConfiguration = { destinationBucketName: logs.ref, logFilePrefix: prefix };
  new s3.CfnBucketPolicy(scope, 'AccessLogsPolicy', {
    bucket: logs.ref,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'DenyInsecureTransport',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: 's3:*',
          Resource: [logs.attrArn, `${logs.attrArn}/*`],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
        {
          Sid: 'AllowArtifactBucketAccessLogs',
          Effect: 'Allow',
          Principal: { Service: 'logging.s3.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: `${logs.attrArn}/${prefix}*`,
          Condition: { ArnLike: { 'aws:SourceArn': bucket.bucketArn }, StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
        },
      ],
    },
  });
  return bucket;
}

/** The alert topic; with `ownKey`, EventBridge may use the key to publish to it (only via SNS). */
export function createTopic(scope: Construct, pipelineName: string, key: kms.IKey, ownKey: boolean): sns.ITopic {
  const topic = new sns.Topic(scope, 'Alerts', {
    displayName: `ML pipeline ${pipelineName} alerts`,
    masterKey: key,
    enforceSSL: true,
  });
  if (ownKey) {
    key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowEventBridgeToPublishEncryptedAlerts',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
      conditions: { StringEquals: { 'kms:ViaService': `sns.${Stack.of(scope).region}.${Stack.of(scope).urlSuffix}` } },
    }));
  }
  return topic;
}

/**
 * An EventBridge rule on the pipeline's failed executions, publishing a short JSON message to
 * the alert topic. The topic lets EventBridge publish for this rule only (aws:SourceArn).
 */
export function alertOnFailure(scope: Construct, pipelineName: string, pipelineArn: string, topic: sns.ITopic): void {
  const rule = new events.CfnRule(scope, 'ExecutionFailed', {
    description: `Reports failed executions of ML pipeline ${pipelineName}`,
    state: 'ENABLED',
    eventPattern: {
      'source': ['aws.sagemaker'],
      'detail-type': ['SageMaker Model Building Pipeline Execution Status Change'],
      // SageMaker reports the ARN in lower case; match whatever case it arrives in.
      'detail': { currentPipelineExecutionStatus: ['Failed'], pipelineArn: [{ 'equals-ignore-case': pipelineArn }] },
    },
    targets: [{
      id: 'AlertTopic',
      arn: topic.topicArn,
      inputTransformer: {
        inputPathsMap: { status: '$.detail.currentPipelineExecutionStatus', execution: '$.detail.pipelineExecutionArn', time: '$.time' },
        inputTemplate: `{"pipeline":${JSON.stringify(pipelineName)},"status":<status>,"execution":<execution>,"time":<time>}`,
      },
    }],
  });
  topic.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowFailureAlertsFromEventBridge',
    principals: [new iam.ServicePrincipal('events.amazonaws.com')],
    actions: ['sns:Publish'],
    resources: [topic.topicArn],
    conditions: { ArnEquals: { 'aws:SourceArn': rule.attrArn } },
  }));
}
