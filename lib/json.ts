/**
 * Building JSON documents without empty fields, the one set of helpers every compiler and
 * construct uses (engines omit unset fields; canonical proto3 JSON omits empty ones too).
 */

/** A plain JSON object as compilers build it. */
export type Json = { [key: string]: any };

/** The object without its undefined fields. */
export function dropUndefined<T extends object>(o: T): T {
  return keep(o, (v) => v !== undefined);
}

/** The object without undefined, empty-string and empty-array fields, as canonical proto3 JSON has it. */
export function dropEmpty<T extends object>(o: T): T {
  return keep(o, (v) => v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0));
}

/**
 * The own enumerable fields whose value passes `test`, in order: what
 * Object.fromEntries(Object.entries(o).filter(...)) gives, without the entry arrays (compilers
 * call this for every object of documents with thousands of steps).
 */
function keep<T extends object>(o: T, test: (v: unknown) => boolean): T {
  const out: Json = {};
  for (const key of Object.keys(o)) {
    const v = (o as Json)[key];
    if (!test(v)) {
      continue;
    }
    if (key === '__proto__') {
      Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
    } else {
      out[key] = v;
    }
  }
  return out as T;
}

/** The items, or undefined when there are none. */
export function nonEmptyList<T>(items: T[]): T[] | undefined {
  return items.length > 0 ? items : undefined;
}

/** The object without undefined fields, or undefined when nothing is left. */
export function nonEmpty(o: Json): Json | undefined {
  const kept = dropUndefined(o);
  return Object.keys(kept).length > 0 ? kept : undefined;
}
