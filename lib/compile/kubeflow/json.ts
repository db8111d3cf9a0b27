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
    const entries = Object.entries(value as Json).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v)])) as T;
  }
  return value;
}
