/** The uid and gid of the `postgres` user in the official (Debian) Postgres images. */
export const POSTGRES_USER_ID = 999;
export const POSTGRES_PORT = 5432;
export const DEFAULT_POSTGRES_IMAGE = 'postgres:17.10';
export const DEFAULT_MLFLOW_IMAGE = 'ghcr.io/mlflow/mlflow:v3.17.0-full';
/** Where MlflowArtifactStore.persistentVolume is mounted, and so the `--artifacts-destination`. */
export const ARTIFACTS_MOUNT = '/mlflow/artifacts';
