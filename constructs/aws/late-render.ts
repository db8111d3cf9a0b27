import { AspectPriority, Aspects, IAspect, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Runs `render` once at synth time, before anything reads the construct tree, so a construct can
 * create resources from a model that may still be edited after the construct was made.
 *
 * Why an aspect: aws-cdk-lib synthesizes in this order: aspects, then prepareApp (cross-stack
 * references and DependsOn are computed from the tree), then validation (`node.addValidation`),
 * then the templates. A Lazy value is resolved during prepare and synthesis and must not create
 * constructs; constructs created in a validation would miss prepare (references, dependencies)
 * and CDK has no public prepare hook (constructs 10 dropped onPrepare). Aspects are the last point
 * where the tree may grow, and aws-cdk-lib itself creates resources from them (aws-ecs Cluster adds
 * its capacity provider associations in an aspect). Problems found while rendering go to CDK
 * validation, which reports them with the construct path.
 *
 * The aspect is added to the construct's stack, which is visited before its children, so
 * stack-level singletons that rendering makes (BucketDeployment's handler, the image mapping) are
 * still visited by every other aspect (Tags, user checks). It is also added to the construct
 * itself, in case the stack was visited already (the construct was made by another aspect).
 * MUTATING priority: it runs before read-only aspects look at the tree.
 */
export function renderAtSynth(scope: IConstruct, render: () => void): void {
  let done = false;
  const aspect: IAspect = {
    visit: () => {
      if (!done) {
        done = true;
        render();
      }
    },
  };
  Aspects.of(Stack.of(scope)).add(aspect, { priority: AspectPriority.MUTATING });
  Aspects.of(scope).add(aspect, { priority: AspectPriority.MUTATING });
}
