/** Plain JSON objects as the compiler builds them. */
export type Json = { [key: string]: any };

export function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** The items, or undefined when there are none (Argo omits empty lists). */
export function list<T>(items: T[]): T[] | undefined {
  return items.length > 0 ? items : undefined;
}

/** The object without undefined fields, or undefined when nothing is left. */
export function nonEmpty(o: Json): Json | undefined {
  const kept = dropUndefined(o);
  return Object.keys(kept).length > 0 ? kept : undefined;
}
