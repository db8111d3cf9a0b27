import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';

/**
 * Gives objects created during validation the ordering cdk8s gives every other object.
 *
 * cdk8s turns construct dependencies (`a.node.addDependency(b)`) into dependencies between the
 * ApiObjects under `a` and `b`; `Chart.toJson()` (which `Testing.synth` calls) does that before it
 * runs validations, so the objects `scope` creates in its validation would be left out. This adds
 * the same edges for them, with cdk8s' rule: objects count where they belong to the chart of the
 * construct that declared (or received) the dependency. Run it right after creating the objects.
 */
export function linkLateObjects(scope: IConstruct): void {
  const objectsOf = (c: IConstruct) => c.node.findAll().filter((x): x is ApiObject => ApiObject.isApiObject(x) && Chart.of(x) === Chart.of(c));
  const mine = new Set(scope.node.findAll().filter(ApiObject.isApiObject));
  if (mine.size === 0) {
    return;
  }
  const around = new Set<IConstruct>(scope.node.scopes);
  const ours = (c: IConstruct) => objectsOf(c).filter((o) => mine.has(o));
  for (const source of scope.node.root.node.findAll()) {
    for (const target of source.node.dependencies) {
      // Something depends on scope or on a construct around it: its objects come after ours.
      if (around.has(target)) {
        for (const from of objectsOf(source).filter((x) => !mine.has(x))) {
          ours(target).forEach((o) => from.node.addDependency(o));
        }
      }
      // Scope or a construct around it depends on something: ours come after its objects.
      if (around.has(source)) {
        for (const to of objectsOf(target).filter((x) => !mine.has(x))) {
          ours(source).forEach((o) => o.node.addDependency(to));
        }
      }
    }
  }
}
