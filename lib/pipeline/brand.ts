/**
 * Identity that survives two copies of the package. A user's module and the `mlops` CLI may load
 * different copies of cdk-mlops (the compiled build and the sources, or two installs), and
 * `instanceof` fails across copies. Each model class carries a `Symbol.for` key on its prototype
 * instead, as aws-cdk-lib does for `Construct.isConstruct`: the key is the same in every copy.
 */

const KEY = Symbol.for('cdk-mlops.brand-key');

/** Any class, whatever its constructor's visibility. */
type AnyClass<T = object> = { readonly prototype: T; readonly name: string };

/** Marks `cls` (and its subclasses) with the brand `name`, e.g. 'cdk-mlops.ScriptStep'. */
export function brand(cls: AnyClass, name: string): void {
  const symbol = Symbol.for(name);
  Object.defineProperty(cls.prototype, symbol, { value: true, enumerable: false });
  Object.defineProperty(cls, KEY, { value: symbol, enumerable: false });
}

/**
 * The brands of the two tracking servers, so that each cloud's MlPipeline can name the other
 * cloud's server when it is given one (the construct families may not import each other).
 */
export const AWS_TRACKING_SERVER_BRAND = 'cdk-mlops.aws.MlflowTrackingServer';
export const K8S_TRACKING_SERVER_BRAND = 'cdk-mlops.k8s.MlflowServer';

/** True when `value` carries the brand `name`: for classes another construct family owns (it may not import them). */
export function hasBrand(value: unknown, name: string): boolean {
  return typeof value === 'object' && value !== null && (value as { [k: symbol]: unknown })[Symbol.for(name)] === true;
}

/** True when `value` is an instance of `cls` from any copy of the package (by brand, not instanceof). */
export function isA<T extends object>(value: unknown, cls: AnyClass<T>): value is T {
  // Called for every step and value of every compile: one property read on the class, no own-key check
  // (only branded model classes are passed here).
  const symbol = (cls as unknown as { [KEY]?: symbol })[KEY];
  if (symbol === undefined) {
    throw new Error(`internal: class ${cls.name} has no brand; call brand(${cls.name}, 'cdk-mlops.${cls.name}') after it`);
  }
  return typeof value === 'object' && value !== null && (value as { [k: symbol]: unknown })[symbol] === true;
}
