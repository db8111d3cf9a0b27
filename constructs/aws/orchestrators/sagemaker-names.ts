import { CfnResource, RemovalPolicy } from 'aws-cdk-lib';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { show } from '../../../lib/pipeline/errors';
import { claimName, earlierClaim, whereClaimed } from '../named-objects';
import { OrchestratorContext } from './renderer';

/**
 * The SageMaker objects an MlPipeline names: its pipeline (unique per account and region, not
 * shareable) and the model package groups its register-model steps use (shared by design: one
 * stack creates a group once, for every MlPipeline in it that registers into it).
 */

const PIPELINE = 'sagemaker-pipeline';
const GROUP = 'sagemaker-model-package-group';

/** Records the pipeline's name when the construct is created. */
export function claimPipelineName(context: OrchestratorContext): void {
  claimName(context.scope, PIPELINE, context.pipelineName, undefined);
}

/** What is wrong with the pipeline's name given the MlPipelines created before this one. */
export function pipelineNameProblems(context: OrchestratorContext): string[] {
  const name = context.pipelineName;
  const earlier = earlierClaim(context.scope, PIPELINE, name);
  if (!earlier) {
    return [];
  }
  const other = earlier.claim;
  const spelled = earlier.exact ? '' : ` (${show(other.name)} differs only in case, and SageMaker reports pipeline ARNs in lower case)`;
  return [`pipelineName ${show(name)} is also the SageMaker pipeline name of MlPipeline '${other.path}' ${whereClaimed(earlier)}${spelled}; ` +
    `SageMaker pipeline names are unique per account and region, so one of the two would fail to deploy or replace the other; ` +
    `give one of them its own pipelineName, e.g. ${show(`${name}-2`)}`];
}

/** For each group the pipeline registers into: the group this stack already has, or undefined to create it here. */
export interface GroupPlan {
  readonly problems: string[];
  readonly existing: Map<string, sagemaker.CfnModelPackageGroup>;
}

/**
 * Checks the groups against those other MlPipelines created: the same name in this stack is the
 * same group (referenced, not created again); a name that differs only in case, or the same group
 * created by a pipeline in another stack of the same account and region, is an error.
 */
export function planModelPackageGroups(context: OrchestratorContext, groups: string[]): GroupPlan {
  const problems: string[] = [];
  const existing = new Map<string, sagemaker.CfnModelPackageGroup>();
  for (const group of groups) {
    const earlier = earlierClaim<sagemaker.CfnModelPackageGroup>(context.scope, GROUP, group);
    if (!earlier) {
      continue;
    }
    const other = earlier.claim;
    if (earlier.sameStack && earlier.exact) {
      existing.set(group, other.value);
    } else if (earlier.sameStack) {
      problems.push(`model package group ${show(group)} and group ${show(other.name)} of MlPipeline '${other.path}' in this stack differ only in case, ` +
        `which SageMaker does not tell apart (it reports model package group ARNs in lower case); spell the group the same way in both register-model steps`);
    } else if (context.createModelPackageGroups) {
      problems.push(`model package group ${show(group)} is also created by MlPipeline '${other.path}' ${whereClaimed(earlier)}; ` +
        `a group name is unique per account and region, so the second stack would fail to deploy; ` +
        `let one stack create it: set createModelPackageGroups: false on this MlPipeline (its register-model steps still register into the group)`);
    }
  }
  return { problems, existing };
}

/**
 * Creates the groups this stack does not have yet (retained), under this MlPipeline, and makes the
 * pipeline resource wait for every group it registers into, its own or another MlPipeline's.
 */
export function provideModelPackageGroups(context: OrchestratorContext, groups: string[], plan: GroupPlan, pipeline: CfnResource): void {
  groups.forEach((group, i) => {
    let cfnGroup = plan.existing.get(group);
    if (!cfnGroup && context.createModelPackageGroups) {
      cfnGroup = new sagemaker.CfnModelPackageGroup(context.scope, `ModelPackageGroup${i + 1}`, {
        modelPackageGroupName: group,
        modelPackageGroupDescription: `Models registered by ML pipeline ${context.pipelineName}`,
      });
      cfnGroup.applyRemovalPolicy(RemovalPolicy.RETAIN);
      claimName(context.scope, GROUP, group, cfnGroup);
    }
    if (cfnGroup) {
      pipeline.node.addDependency(cfnGroup);
    }
  });
}
