import * as crypto from 'crypto';
import { Stack, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { LIMITS } from '../../../lib/compile/sagemaker/limits';
import { acknowledgeComplianceRules, acknowledgeIamFindings } from '../nag-acknowledgements';
import { DefinitionStorage } from './definition-storage-choice';

export * from './definition-storage-choice';

/**
 * Largest definition kept inline, in bytes of template text: half of CloudFormation's 1 MB
 * template limit, leaving room for the rest of the stack.
 */
export const INLINE_DEFINITION_BUDGET = 512_000;

/** A deploy-time value (token) counts as this many characters when sizing a definition. */
const TOKEN_SIZE_ESTIMATE = 128;

/** A CDK string token as it appears in unresolved text, e.g. `${Token[AWS.Region.9]}`. */
const TOKEN = /\$\{Token\[[^\]]*\]\}/g;

/** Bytes a reference to a deploy-time value takes in template text ({"Fn::GetAtt": [...]}, separators). */
const TOKEN_TEMPLATE_BYTES = 80;

/**
 * The size of a definition without resolving it: `size` is the bytes of template text it takes
 * inline (the JSON text, escaped into a string, each deploy-time value a reference), `characters`
 * what SageMaker receives once the values are filled in (each counted as TOKEN_SIZE_ESTIMATE).
 */
export function definitionSize(definition: object): { size: number; characters: number } {
  const text = JSON.stringify(definition);
  let tokens = 0;
  let tokenText = 0;
  for (const match of text.matchAll(TOKEN)) {
    tokens++;
    tokenText += match[0].length;
  }
  const escaped = Buffer.byteLength(JSON.stringify(text), 'utf8');
  return {
    size: escaped - tokenText + tokens * TOKEN_TEMPLATE_BYTES,
    characters: text.length - tokenText + tokens * TOKEN_SIZE_ESTIMATE,
  };
}

/** Where a definition goes, decided from its size: no resources made. */
export function chooseStorage(pipelineName: string, definition: object, requested: DefinitionStorage): { storage: DefinitionStorage; size: number; problems: string[] } {
  const { size, characters } = definitionSize(definition);
  if (characters > LIMITS.definitionCharacters) {
    return {
      storage: DefinitionStorage.S3,
      size,
      problems: [`pipeline '${pipelineName}' compiles to a SageMaker definition of about ${characters} characters, more than SageMaker accepts (${LIMITS.definitionCharacters}, inline or from S3); split it into smaller pipelines or remove steps`],
    };
  }
  const inline = requested === DefinitionStorage.INLINE || (requested === DefinitionStorage.AUTO && size <= INLINE_DEFINITION_BUDGET);
  if (inline && size > INLINE_DEFINITION_BUDGET) {
    return {
      storage: DefinitionStorage.INLINE,
      size,
      problems: [`definitionStorage is INLINE, but pipeline '${pipelineName}' compiles to ${size} bytes of template text, more than the ${INLINE_DEFINITION_BUDGET}-byte inline budget (half of CloudFormation's 1 MB template limit); use DefinitionStorage.AUTO or DefinitionStorage.S3`],
    };
  }
  return { storage: inline ? DefinitionStorage.INLINE : DefinitionStorage.S3, size, problems: [] };
}

/** The compliance packs' findings on aws-cdk-lib's BucketDeployment handler, which the library does not configure. */
const HANDLER_REASONS = {
  LambdaDLQ: 'The BucketDeployment handler (aws-cdk-lib) is a CloudFormation custom resource: CloudFormation invokes it ' +
    'synchronously during a deployment and fails the deployment when it fails, so there is no lost asynchronous event for a DLQ.',
  LambdaConcurrency: 'The BucketDeployment handler (aws-cdk-lib) runs only when CloudFormation deploys what it copies (a pipeline definition or DAG files), once ' +
    'per deployment, so its concurrency is bounded by the deployments themselves.',
  LambdaInsideVPC: 'The BucketDeployment handler (aws-cdk-lib) only copies an asset between S3 buckets over TLS; it reaches no ' +
    'private resource, and a VPC would add S3 endpoints without narrowing what it can reach.',
  IAMNoInlinePolicy: 'The BucketDeployment handler\'s role and its policy are made by aws-cdk-lib for that handler alone; ' +
    'they grant it the source asset and the destination prefix and leave with the stack.',
  CloudWatchLogGroupEncrypted: 'The BucketDeployment handler\'s log group (aws-cdk-lib) holds only the handler\'s progress ' +
    'messages (which keys it copied), never pipeline data; CloudWatch Logs encrypts it at rest with its own keys.',
};

export interface StoredDefinition {
  /** CloudFormation's PipelineDefinition property (its own key names: the L1 property is untyped). */
  readonly property: object;
  /** What the pipeline resource must wait for (the BucketDeployment), if anything. */
  readonly deployment?: Construct;
}

/**
 * Inline: the definition as JSON text in the template. S3: written to the artifact bucket by a
 * BucketDeployment, which fills in deploy-time values (ARNs, bucket names) when it writes the
 * file; CloudFormation reads the file when it creates or updates the pipeline.
 */
export function storeDefinition(scope: Construct, definition: object, storage: DefinitionStorage, target: { bucket: s3.IBucket; prefix: string; key: kms.IKey }): StoredDefinition {
  const stack = Stack.of(scope);
  const body = stack.toJsonString(definition);
  if (storage === DefinitionStorage.INLINE) {
    return { property: { PipelineDefinitionBody: body } };
  }
  // Token names differ from run to run; the resolved form is stable, so the key changes only with the definition.
  const hash = crypto.createHash('sha256').update(JSON.stringify(stack.resolve(body))).digest('hex').slice(0, 16);
  const key = `${target.prefix}/definition/${hash}.json`;
  const deployment = new s3deploy.BucketDeployment(scope, 'Definition', {
    sources: [s3deploy.Source.jsonData(key, definition)],
    destinationBucket: target.bucket,
    prune: false,
    retainOnDelete: true,
    extract: true,
  });
  target.key.grantEncryptDecrypt(deployment.handlerRole);
  acknowledgeBucketDeployment(deployment);
  return {
    property: { PipelineDefinitionS3Location: { Bucket: target.bucket.bucketName, Key: key } },
    deployment,
  };
}

/** Acknowledges what cdk-nag reports on a BucketDeployment and the stack's handler behind it. */
export function acknowledgeBucketDeployment(deployment: s3deploy.BucketDeployment): void {
  const stack = Stack.of(deployment);
  // BucketDeployment (aws-cdk-lib) brings a Lambda handler whose role and runtime it chooses.
  const handlerReasons = {
    wildcardResources: 'The BucketDeployment handler (aws-cdk-lib) reads its source asset and writes objects under the destination prefix; its grants use object wildcards.',
    managedPolicies: 'The BucketDeployment handler (aws-cdk-lib) writes its logs through AWSLambdaBasicExecutionRole.',
  };
  acknowledgeIamFindings(deployment, handlerReasons);
  for (const handler of stack.node.children.filter((c) => c.node.id.replace(/[^A-Za-z]/g, '').startsWith('CustomCDKBucketDeployment'))) {
    acknowledgeIamFindings(handler, handlerReasons);
    Validations.of(handler).acknowledge({ id: 'AwsSolutions-L1', reason: 'The BucketDeployment handler runtime is chosen by aws-cdk-lib.' });
    acknowledgeComplianceRules(handler, HANDLER_REASONS);
  }
}
