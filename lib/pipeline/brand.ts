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
