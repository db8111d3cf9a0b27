import { dropUndefined as drop, Json } from '../../json';

export type { Json };
export { dropEmpty, dropUndefined as drop } from '../../json';

/** Inputs or outputs of a task or component; undefined when there are none (proto3 JSON omits them). */
export function taskInputs(artifacts: Json, parameters: Json): Json | undefined {
  const out = drop({
    artifacts: Object.keys(artifacts).length > 0 ? artifacts : undefined,
    parameters: Object.keys(parameters).length > 0 ? parameters : undefined,
  });
  return Object.keys(out).length > 0 ? out : undefined;
}

export function sortedEntries<T>(o: { [key: string]: T }): [string, T][] {
  return Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The same value with every object's keys in sorted order, so equal models give identical JSON. */
export function canonical<T>(value: T): T {
  if (Array.isArray(value)) {
    return value.map(canonical) as unknown as T;
  }
  if (value !== null && typeof value === 'object') {
    // A loop rather than entries/fromEntries: this copies the whole document (thousands of objects).
    const out: Json = {};
    for (const key of Object.keys(value).sort()) {
      const v = canonical((value as Json)[key]);
      if (key === '__proto__') {
        Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      } else {
        out[key] = v;
      }
    }
    return out as T;
  }
  return value;
}
