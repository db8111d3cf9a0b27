import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, Dependable } from 'constructs';
import { SageMakerRequirements } from '../../../lib/compile/sagemaker/requirements';
import { DefaultImage } from '../default-image';
import { ExecutionPolicyInputs, executionStatements } from '../execution-policy';
import { acknowledgeComplianceRules, acknowledgeWildcardResources, OWN_POLICY_REASON } from '../nag-acknowledgements';
import { OrchestratorContext } from './renderer';

function wildcardReason(externalData: boolean): string {
  return 'Scoped as far as the services allow: SageMaker names jobs per run (processing-job/*, training-job/*), numbers ' +
    'model versions within their group (model-package/<group>/*) and creates a log stream per job ' +
    '(log-group:/aws/sagemaker/<type>Jobs:*); outputs live under the pipeline\'s own bucket prefix (<prefix>/*); ' +
    (externalData ? 'the steps read external data by prefix (s3://<bucket>/<prefix>*, as SageMaker\'s S3Prefix inputs do); ' : '') +
    'ecr:GetAuthorizationToken and cloudwatch:PutMetricData (namespace-conditioned) have no resource-level permissions.';
}

/** The ECR repositories the jobs pull from, from the images the steps run. */
export function imagePermissions(scope: Construct, requirements: SageMakerRequirements, defaultImageUri: string, inferenceImage: string, regionImage: DefaultImage | undefined): { repositoryArns: string[]; anyRepository: boolean } {
  return repositoryPermissions(scope, [
    ...requirements.images,
    ...(requirements.usesDefaultImage ? [defaultImageUri] : []),
    ...(requirements.usesDefaultInferenceImage ? [inferenceImage] : []),
  ], regionImage);
}

/** The ECR repositories of these images (the region's image by its known repository). */
export function repositoryPermissions(scope: Construct, images: string[], regionImage: DefaultImage | undefined): { repositoryArns: string[]; anyRepository: boolean } {
  const stack = Stack.of(scope);
  // The region's image is a deploy-time value whose repository we know; other token images are not.
  const repositoryArns = images.filter((i) => !Token.isUnresolved(i)).map((i) => ecrRepositoryArn(stack, i));
  if (regionImage && images.includes(regionImage.uri)) {
    repositoryArns.push(regionImage.repositoryArn);
  }
  return { repositoryArns, anyRepository: images.some((i) => Token.isUnresolved(i) && i !== regionImage?.uri) };
}

/**
 * Gives the execution role its permissions: an inline AWS::IAM::Policy on our own role (L1, it
 * is internal), or the given role's own policy (addToPrincipalPolicy). A given immutable role
 * takes nothing; a warning lists what it needs. Returns what the pipeline must wait for.
 */
export function grantExecution(context: OrchestratorContext, inputs: ExecutionPolicyInputs, keep: (statement: iam.PolicyStatement) => boolean = () => true): Construct | undefined {
  const scope = context.scope;
  const statements = executionStatements(scope, inputs).filter(keep);
  const reason = wildcardReason(inputs.externalS3Uris.length > 0);
  if (!context.givenRole) {
    const policy = new iam.CfnPolicy(scope, 'ExecutionPolicy', {
      policyName: 'MlPipelineExecution',
      roles: [context.role.roleName],
      policyDocument: new iam.PolicyDocument({ statements, minimize: false }),
    });
    acknowledgeWildcardResources(policy, statements, reason);
    acknowledgeComplianceRules(policy, { IAMNoInlinePolicy: OWN_POLICY_REASON });
    return policy;
  }
  const added = statements.map((statement) => context.role.addToPrincipalPolicy(statement));
  // An immutable role says the statements were added, but its policy dependable is empty; an
  // aws-iam Role fills its dependable only when it splits a large policy: its DefaultPolicy holds them.
  const roots = added.flatMap((a) => (a.policyDependable ? Dependable.of(a.policyDependable).dependencyRoots : []));
  const policy = roots[0] ?? context.role.node.tryFindChild('DefaultPolicy');
  if (added.some((a) => !a.statementAdded) || !policy) {
    Annotations.of(scope).addWarningV2('cdk-mlops:ImmutableRole',
      `the given role takes no policy (it is immutable), so it must already allow: ${[...new Set(statements.flatMap((st) => st.actions))].join(', ')} on this pipeline's bucket prefix, key, jobs and images`);
    return undefined;
  }
  acknowledgeWildcardResources(context.role, statements, reason);
  acknowledgeComplianceRules(policy, {
    IAMNoInlinePolicy: 'The pipeline\'s permissions go on the given role the way aws-cdk-lib grants do (addToPrincipalPolicy: an ' +
      'AWS::IAM::Policy attached to that role only); they name only this pipeline\'s resources and leave with the stack.',
  });
  return policy as Construct;
}

/** The ECR repository ARN of an image URI `<account>.dkr.ecr.<region>.<suffix>/<repo>[:tag|@digest]`. */
function ecrRepositoryArn(stack: Stack, image: string): string {
  const match = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.[^/]+\/([^:@]+)/.exec(image);
  if (!match) {
    throw new Error(`internal: image ${image} passed the ECR check but does not parse`);
  }
  return stack.formatArn({ service: 'ecr', account: match[1], region: match[2], resource: 'repository', resourceName: match[3] });
}
