import { Annotations, CfnResource, Lazy, Names, RemovalPolicy, Resource, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import { PipelineValidationError } from '../../../lib/pipeline/errors';
import { featureGroupMetric, FeatureStoreMetricOptions, FeatureStoreOperation } from './metrics';
import { acknowledgeFeatureStoreFindings } from './nag';
import { DEFAULT_GLUE_DATABASE, glueArns, offlineBucket, OfflineLocation, offlineStoreRole } from './offline-store';
import { FeatureStoreTableProps, OnlineStorageType, TableFormat } from './props';
import { guardProblems, replacementFingerprint } from './replacement-guard';
import { Throughput } from './throughput';
import { renderTtl } from './ttl';
import { featureStoreProblems } from './validate';

/**
 * A SageMaker Feature Store feature group (AWS::SageMaker::FeatureGroup): typed features, an
 * online store for serving and/or an offline store (S3 + Glue) for training history, encrypted
 * with a KMS key, retained on delete, and guarded against silent replacement.
 */
export class FeatureStoreTable extends Resource {
  /** The template metadata key under which the feature group records its replacement fingerprint. */
  public static readonly FINGERPRINT_METADATA_KEY = 'cdk-mlops:replacementFingerprint';

  /** The feature group's name. */
  public readonly featureGroupName: string;
  /** The feature group's ARN. */
  public readonly featureGroupArn: string;
  /** The key of the online store and the offline store's files. */
  public readonly encryptionKey: kms.IKey;
  /** The offline store's bucket, when the table has an offline store. */
  public readonly offlineBucket?: s3.IBucket;
  /** The key prefix of the offline store in its bucket. */
  public readonly offlinePrefix?: string;
  /** The role SageMaker writes the offline store with, when the table has one. */
  public readonly offlineStoreRole?: iam.IRole;
  /** The underlying CloudFormation resource. */
  public readonly cfnFeatureGroup: sagemaker.CfnFeatureGroup;
  private readonly online: boolean;
  private readonly offlineLocation?: OfflineLocation;
  private readonly replacingValues: unknown[];

  constructor(scope: Construct, id: string, props: FeatureStoreTableProps) {
    super(scope, id);
    const problems = featureStoreProblems(props);
    if (problems.length > 0) {
      throw new PipelineValidationError(`FeatureStoreTable '${this.node.path}'`, problems);
    }
    const stack = Stack.of(this);
    this.featureGroupName = props.featureGroupName ?? Names.uniqueResourceName(this, { maxLength: 64, separator: '-' });
    // SageMaker reports feature group ARNs in lower case.
    const arnName = Token.isUnresolved(this.featureGroupName) ? this.featureGroupName : this.featureGroupName.toLowerCase();
    this.featureGroupArn = stack.formatArn({ service: 'sagemaker', resource: 'feature-group', resourceName: arnName });
    this.online = props.online !== undefined;
    const key = props.encryptionKey ?? new kms.Key(this, 'Key', {
      enableKeyRotation: true,
      description: `Online and offline store of feature group ${this.node.path}`,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.encryptionKey = key;

    // CfnFeatureGroup types both store configs as `any`, so they are written as CloudFormation spells them.
    let offlineStoreConfig: { [key: string]: unknown } | undefined;
    let ownBucket: s3.Bucket | undefined;
    if (props.offline) {
      ownBucket = props.offline.bucket ? undefined : offlineBucket(this, key);
      const bucket = props.offline.bucket ?? ownBucket!;
      const where: OfflineLocation = {
        bucket,
        prefix: props.offline.prefix ?? 'feature-store',
        database: props.offline.glueDatabase ?? DEFAULT_GLUE_DATABASE,
        table: props.offline.glueDatabase !== undefined ? props.offline.glueTable ?? this.defaultTableName() : undefined,
      };
      this.offlineLocation = where;
      this.offlineBucket = bucket;
      this.offlinePrefix = where.prefix;
      this.offlineStoreRole = offlineStoreRole(this, where, key);
      offlineStoreConfig = {
        S3StorageConfig: { S3Uri: `s3://${bucket.bucketName}/${where.prefix}`, KmsKeyId: key.keyArn },
        DisableGlueTableCreation: false,
        TableFormat: props.offline.tableFormat ?? TableFormat.GLUE,
        DataCatalogConfig: props.offline.glueDatabase !== undefined
          ? { Catalog: 'AwsDataCatalog', Database: where.database, TableName: where.table! }
          : undefined,
      };
    }
    const onlineStoreConfig: { [key: string]: unknown } | undefined = props.online ? {
      EnableOnlineStore: true,
      SecurityConfig: { KmsKeyId: key.keyArn },
      StorageType: props.online.storageType ?? OnlineStorageType.STANDARD,
      TtlDuration: props.online.ttl ? renderTtl(props.online.ttl) : undefined,
    } : undefined;
    const throughput = props.throughput ?? Throughput.onDemand();

    this.cfnFeatureGroup = new sagemaker.CfnFeatureGroup(this, 'Resource', {
      featureGroupName: this.featureGroupName,
      description: props.description,
      recordIdentifierFeatureName: props.recordIdentifier,
      eventTimeFeatureName: props.eventTime,
      featureDefinitions: Object.entries(props.features).map(([featureName, type]) => ({ featureName, featureType: type.kind })),
      onlineStoreConfig,
      offlineStoreConfig,
      roleArn: this.offlineStoreRole?.roleArn,
      throughputConfig: {
        throughputMode: throughput.mode,
        provisionedReadCapacityUnits: throughput.readCapacityUnits,
        provisionedWriteCapacityUnits: throughput.writeCapacityUnits,
      },
    });
    this.cfnFeatureGroup.applyRemovalPolicy(RemovalPolicy.RETAIN);
    // SageMaker checks the role's access to the bucket when it creates the group: wait for the
    // role's policy and the bucket policy (the role and bucket themselves are referenced already).
    const rolePolicy = this.offlineStoreRole?.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
    const bucketPolicy = ownBucket?.policy?.node.defaultChild;
    for (const dependency of [rolePolicy, bucketPolicy]) {
      if (dependency instanceof CfnResource) {
        this.cfnFeatureGroup.node.addDependency(dependency);
      }
    }

    const cfn = this.cfnFeatureGroup;
    this.replacingValues = [
      cfn.featureGroupName, cfn.recordIdentifierFeatureName, cfn.eventTimeFeatureName,
      onlineStoreConfig?.EnableOnlineStore ?? false, onlineStoreConfig?.SecurityConfig, onlineStoreConfig?.StorageType,
      offlineStoreConfig, cfn.roleArn, cfn.description, Lazy.any({ produce: () => cfn.tags.renderTags() }),
    ];
    cfn.addMetadata(FeatureStoreTable.FINGERPRINT_METADATA_KEY, Lazy.string({ produce: () => this.replacementFingerprint() }));
    this.node.addValidation({ validate: () => this.checkReplacement(props) });
    acknowledgeFeatureStoreFindings(this, { data: ownBucket, logs: ownBucket ? this.node.tryFindChild('AccessLogs') : undefined });
  }

  /**
   * The fingerprint of the properties whose change replaces the feature group, as they are now
   * (tags included, so call it once the app is complete). Pin it as `replacementGuard`.
   */
  public replacementFingerprint(): string {
    return replacementFingerprint(Stack.of(this), this.replacingValues);
  }

  /**
   * Lets `grantee` read records: GetRecord and BatchGetRecord on the online store, and the
   * offline store's files (S3 read of the prefix, the key's Decrypt, the Glue table) for queries.
   * Athena also needs its workgroup and result location, which belong to the workgroup.
   */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    const stack = Stack.of(this);
    const actions = ['sagemaker:DescribeFeatureGroup', ...(this.online ? ['sagemaker:GetRecord', 'sagemaker:BatchGetRecord'] : [])];
    let grant = iam.Grant.addToPrincipal({ grantee, actions, resourceArns: [this.featureGroupArn] });
    grant = grant.combine(iam.Grant.addToPrincipal({ grantee, actions: ['kms:Decrypt'], resourceArns: [this.encryptionKey.keyArn] }));
    const where = this.offlineLocation;
    if (where) {
      grant = grant.combine(iam.Grant.addToPrincipal({ grantee, actions: ['s3:GetObject'], resourceArns: [where.bucket.arnForObjects(`${where.prefix}/*`)] }));
      grant = grant.combine(iam.Grant.addToPrincipal({
        grantee,
        actions: ['s3:ListBucket'],
        resourceArns: [where.bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${where.prefix}/*`] } },
      }));
      grant = grant.combine(iam.Grant.addToPrincipal({
        grantee,
        actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions'],
        resourceArns: glueArns(stack, where),
      }));
    }
    return grant;
  }

  /**
   * Lets `grantee` write records: PutRecord and DeleteRecord (SageMaker copies them to the
   * offline store itself), with the key's Encrypt, Decrypt and GenerateDataKey for the online store.
   */
  public grantWrite(grantee: iam.IGrantable): iam.Grant {
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: ['sagemaker:DescribeFeatureGroup', 'sagemaker:PutRecord', 'sagemaker:DeleteRecord'],
      resourceArns: [this.featureGroupArn],
    });
    if (!this.online) {
      return grant;
    }
    return grant.combine(iam.Grant.addToPrincipal({ grantee, actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'], resourceArns: [this.encryptionKey.keyArn] }));
  }

  /** grantRead and grantWrite together. */
  public grantReadWrite(grantee: iam.IGrantable): iam.Grant {
    return this.grantRead(grantee).combine(this.grantWrite(grantee));
  }

  /** A metric of this feature group in AWS/SageMaker for one operation (GetRecord unless given; Sum over 1 minute unless given). */
  public metric(metricName: string, props: FeatureStoreMetricOptions = {}): cloudwatch.Metric {
    const { operation, ...rest } = props;
    return featureGroupMetric(this.featureGroupName, metricName, operation ?? FeatureStoreOperation.GET_RECORD, rest);
  }

  /** Read request units consumed in on-demand mode (GetRecord unless given). */
  public metricConsumedReadRequestsUnits(props: FeatureStoreMetricOptions = {}): cloudwatch.Metric {
    return this.metric('ConsumedReadRequestsUnits', props);
  }

  /** Write request units consumed in on-demand mode (PutRecord unless given). */
  public metricConsumedWriteRequestsUnits(props: FeatureStoreMetricOptions = {}): cloudwatch.Metric {
    return this.metric('ConsumedWriteRequestsUnits', { operation: FeatureStoreOperation.PUT_RECORD, ...props });
  }

  /** Provisioned read capacity units consumed (GetRecord unless given). */
  public metricConsumedReadCapacityUnits(props: FeatureStoreMetricOptions = {}): cloudwatch.Metric {
    return this.metric('ConsumedReadCapacityUnits', props);
  }

  /** Provisioned write capacity units consumed (PutRecord unless given). */
  public metricConsumedWriteCapacityUnits(props: FeatureStoreMetricOptions = {}): cloudwatch.Metric {
    return this.metric('ConsumedWriteCapacityUnits', { operation: FeatureStoreOperation.PUT_RECORD, ...props });
  }

  /** Requests to an operation (GetRecord unless given). */
  public metricInvocations(props: FeatureStoreMetricOptions = {}): cloudwatch.Metric {
    return this.metric('Invocations', props);
  }

  /** Latency of an operation in microseconds (GetRecord and p99 unless given). */
  public metricLatency(props: FeatureStoreMetricOptions = {}): cloudwatch.Metric {
    return this.metric('Latency', { statistic: 'p99', ...props });
  }

  /** Throttled requests of an operation (GetRecord unless given). */
  public metricThrottledRequests(props: FeatureStoreMetricOptions = {}): cloudwatch.Metric {
    return this.metric('ThrottledRequests', props);
  }

  /** 5xx answers of an operation (GetRecord unless given). */
  public metricServerErrors(props: FeatureStoreMetricOptions = {}): cloudwatch.Metric {
    return this.metric('Operation5XXErrors', props);
  }

  private defaultTableName(): string {
    // Glue table names are lower case; SageMaker's own names use '_' for '-'.
    return Token.isUnresolved(this.featureGroupName) ? this.featureGroupName : this.featureGroupName.toLowerCase().replace(/-/g, '_');
  }

  private checkReplacement(props: FeatureStoreTableProps): string[] {
    const current = this.replacementFingerprint();
    if (props.replacementGuard === undefined) {
      Annotations.of(this).addInfo(`replacement fingerprint ${current}: pin it as replacementGuard: '${current}' so that a change ` +
        'which would replace the feature group fails synth');
      return [];
    }
    const problems = guardProblems(props.replacementGuard, current, props.allowReplacement === true);
    if (problems.length === 0 && props.replacementGuard !== current) {
      Annotations.of(this).addInfo(`replacement allowed; after deploying, pin replacementGuard: '${current}'`);
    }
    return problems;
  }
}
