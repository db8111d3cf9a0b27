import { Aws, CfnMapping, Stack, Token } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { Construct } from 'constructs';
import { PipelineValidationError } from '../../lib/pipeline/errors';
import { SKLEARN_REGISTRY_ACCOUNTS, SKLEARN_REPOSITORY, sklearnImageUri } from '../../lib/compile/sagemaker/sklearn-image';

const MAPPING_ID = 'MlopsSklearnImageAccounts';

/** The region's SageMaker scikit-learn image and its ECR repository ARN, for IAM. */
export interface DefaultImage {
  readonly uri: string;
  readonly repositoryArn: string;
}

/**
 * The SageMaker scikit-learn image of the stack's region. In a region-agnostic stack the registry
 * account comes from a CloudFormation mapping (one per stack, rendered only when used), so the
 * same template deploys to any region in the table; a stack with a known region gets the literal.
 */
export function defaultImage(scope: Construct, subject: string): DefaultImage {
  const stack = Stack.of(scope);
  if (!Token.isUnresolved(stack.region) && !(stack.region in SKLEARN_REGISTRY_ACCOUNTS)) {
    throw new PipelineValidationError(subject, [
      `the SageMaker scikit-learn image has no registry in region '${stack.region}' (known: ${Object.keys(SKLEARN_REGISTRY_ACCOUNTS).length} regions); ` +
        'set Orchestrator.sageMaker({ defaultImage: "<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>" })',
    ]);
  }
  const mapping = (stack.node.tryFindChild(MAPPING_ID) as CfnMapping | undefined) ?? new CfnMapping(stack, MAPPING_ID, {
    mapping: Object.fromEntries(Object.entries(SKLEARN_REGISTRY_ACCOUNTS).map(([region, account]) => [region, { account }])),
    lazy: true,
  });
  const account = mapping.findInMap(stack.region, 'account');
  const suffix = Token.isUnresolved(stack.region) ? undefined : RegionInfo.get(stack.region).domainSuffix;
  return {
    uri: sklearnImageUri(account, stack.region, suffix ?? Aws.URL_SUFFIX),
    repositoryArn: stack.formatArn({ service: 'ecr', account, resource: 'repository', resourceName: SKLEARN_REPOSITORY }),
  };
}
