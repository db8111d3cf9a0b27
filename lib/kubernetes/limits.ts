/**
 * etcd refuses requests over 1.5 MiB (its default --max-request-bytes), so no Kubernetes object
 * can be larger; objects are stored as protobuf, whose size the JSON size bounds from above.
 */
export const ETCD_OBJECT_LIMIT = 1.5 * 1024 * 1024;

/** ConfigMaps hold at most 1 MiB of data (the API server's limit, key names included). */
export const CONFIG_MAP_LIMIT = 1024 * 1024;

/** A problem when `object` serialises to more than `limit` bytes, or undefined. */
export function sizeProblem(what: string, object: unknown, limit: number, howToShrink: string): string | undefined {
  const bytes = Buffer.byteLength(JSON.stringify(object), 'utf8');
  if (bytes <= limit) {
    return undefined;
  }
  return `${what} is ${formatBytes(bytes)}, over the ${formatBytes(limit)} Kubernetes (etcd) object size limit; ${howToShrink}`;
}

export function formatBytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return mib >= 0.1 ? `${mib.toFixed(2)} MiB (${bytes} bytes)` : `${bytes} bytes`;
}
