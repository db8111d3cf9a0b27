import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * The names the AWS family gives objects that a service keeps unique per account and region
 * (SageMaker pipelines, model package groups), recorded for the whole app in the order the
 * constructs claimed them, so that the later of two constructs claiming one name can be told
 * which construct has it, in which stack. The record hangs on the app's root under a
 * `Symbol.for` key, so two copies of cdk-mlops in one app share it.
 */

const KEY = Symbol.for('cdk-mlops.aws.NamedObjects');

/** One construct's claim on a name. */
export interface NameClaim<T> {
  /** The name as written. */
  readonly name: string;
  /** The claiming construct's path (for messages). */
  readonly path: string;
  readonly stack: Stack;
  /** What the claimant made under the name, for others to reference. */
  readonly value: T;
}

/** An earlier claim on the same object, as the service compares names. */
export interface NameCollision<T> {
  readonly claim: NameClaim<T>;
  /** Also the same stack. */
  readonly sameStack: boolean;
  /** The names are equal as written (not only without case). */
  readonly exact: boolean;
}

type Registry = Map<string, NameClaim<unknown>[]>;

function claimsOf<T>(scope: IConstruct, kind: string): NameClaim<T>[] {
  const root = scope.node.root as unknown as { [KEY]?: Registry };
  if (!root[KEY]) {
    Object.defineProperty(root, KEY, { value: new Map(), enumerable: false });
  }
  const registry = root[KEY]!;
  if (!registry.has(kind)) {
    registry.set(kind, []);
  }
  return registry.get(kind)! as NameClaim<T>[];
}

/** Records that `scope` gives a `kind` object (e.g. 'sagemaker-pipeline') the name `name`. */
export function claimName<T>(scope: IConstruct, kind: string, name: string, value: T): void {
  if (!Token.isUnresolved(name)) {
    claimsOf<T>(scope, kind).push({ name, path: scope.node.path, stack: Stack.of(scope), value });
  }
}

/** SageMaker reports its ARNs in lower case, so names that differ only in case denote one resource. */
export function sameWithoutCase(claimed: string, name: string): boolean {
  return claimed.toLowerCase() === name.toLowerCase();
}

/**
 * The first claim, other than `scope`'s own and made before it, on the object `name` denotes for
 * a construct in `scope`'s stack: names compared by `same` (without case by default), in the same
 * stack, or in another stack whose account and region are known and the same.
 */
export function earlierClaim<T>(scope: IConstruct, kind: string, name: string, same = sameWithoutCase): NameCollision<T> | undefined {
  if (Token.isUnresolved(name)) {
    return undefined;
  }
  const stack = Stack.of(scope);
  for (const claim of claimsOf<T>(scope, kind)) {
    if (!same(claim.name, name) || !sameEnvironment(claim.stack, stack)) {
      continue;
    }
    return claim.path === scope.node.path ? undefined : { claim, sameStack: claim.stack === stack, exact: claim.name === name };
  }
  return undefined;
}

/** Where the earlier claim is, for a message: "in this stack" or "in stack 'X' (account 1, region r)". */
export function whereClaimed(collision: NameCollision<unknown>): string {
  const s = collision.claim.stack;
  return collision.sameStack ? 'in this stack' : `in stack '${s.node.path}' (the same account ${s.account} and region ${s.region})`;
}

function sameEnvironment(a: Stack, b: Stack): boolean {
  if (a === b) {
    return true;
  }
  const known = [a.account, a.region, b.account, b.region].every((v) => !Token.isUnresolved(v));
  return known && a.account === b.account && a.region === b.region;
}
