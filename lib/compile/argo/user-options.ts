/** The user and groups step pods run as (a non-root, numeric user). */
export interface ArgoPodUser {
  /** @default 1000 */
  readonly runAsUser?: number;
  /** @default 1000 */
  readonly runAsGroup?: number;
  /** Group that owns the pod's volumes. @default 1000 */
  readonly fsGroup?: number;
}

/** Where Argo stores artifacts when not in the controller's default repository. */
export interface ArgoArtifactRepositoryRef {
  /** ConfigMap in the workflow's namespace that lists artifact repositories. @default 'artifact-repositories' */
  readonly configMap?: string;
  /** Key of the repository in that ConfigMap. @default the ConfigMap's default-v1 annotation */
  readonly key?: string;
}

/**
 * The Argo Workflows line the objects are for. They differ in one place: a memoize cache's
 * `configMap` needs a `key` on v3.7 (ConfigMapKeySelector) and may not have one on v4, and a
 * strict `kubectl apply` rejects either mistake.
 */
export enum ArgoVersion {
  V3_7 = 'v3.7',
  V4 = 'v4',
}
