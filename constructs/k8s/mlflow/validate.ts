import { show } from '../../../lib/pipeline/errors';
import { QUANTITY } from '../../../lib/kubernetes';
import { namespaceProblem } from '../names';
import { MlflowArtifactStore, MlflowArtifactStoreKind } from './artifact-store';
import { MlflowBackendStore } from './backend-store';
import { MlflowServerProps } from './props';

/** Service names are DNS-1035 labels; 40 leaves room for '-postgres-deny-all' and StatefulSet pod names. */
const SERVER_NAME = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
export const SERVER_NAME_MAX = 40;
const HOST = /^[A-Za-z0-9*.[\]:-]+$/;
const ORIGIN = /^https?:\/\/[A-Za-z0-9*.[\]:-]+$/;

export function serverNameOf(id: string, props: MlflowServerProps): string {
  return props.name ?? id.toLowerCase();
}

/** Every problem of the props, each naming the value, what is allowed and the fix. */
export function serverProblems(id: string, props: MlflowServerProps, namespace: string | undefined): string[] {
  const problems: string[] = [];
  const name = serverNameOf(id, props);
  if (typeof name !== 'string' || !SERVER_NAME.test(name) || name.length > SERVER_NAME_MAX) {
    const from = props.name === undefined ? ` (from the construct id '${id}')` : '';
    const fixed = String(name).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+|-+$/g, '').slice(0, SERVER_NAME_MAX).replace(/-+$/, '') || 'mlflow';
    problems.push(`name ${show(name)}${from} is invalid (allowed: a DNS-1035 label: lowercase letters, digits and '-', starting with a letter and ending alphanumeric, at most ${SERVER_NAME_MAX} chars, because it names the Service and, with '-postgres', the StatefulSet); set name, e.g. '${fixed}'`);
  }
  if (namespace === undefined) {
    problems.push("no namespace: the tracking URI 'http://<name>.<namespace>.svc:<port>' names it; set namespace, or give the chart one");
  } else {
    const ns = namespaceProblem(namespace);
    if (ns) {
      problems.push(ns);
    }
  }
  if (!MlflowBackendStore.isMlflowBackendStore(props.backendStore)) {
    problems.push(`backendStore is ${show(props.backendStore)}; use MlflowBackendStore.postgres({ password }) or MlflowBackendStore.fromUri(uri, network)`);
  } else {
    problems.push(...props.backendStore._problems());
  }
  if (!MlflowArtifactStore.isMlflowArtifactStore(props.artifactStore)) {
    problems.push(`artifactStore is ${show(props.artifactStore)}; use MlflowArtifactStore.persistentVolume({ size }) or MlflowArtifactStore.s3({...})`);
  } else {
    problems.push(...props.artifactStore._problems());
  }
  const port = props.port;
  if (port !== undefined && !(Number.isInteger(port) && port >= 1024 && port <= 65535)) {
    problems.push(`port ${show(port)} is invalid (allowed: a whole number 1024-65535; the server runs as non-root, which cannot bind ports below 1024); e.g. 5000`);
  }
  for (const key of ['replicas', 'workers'] as const) {
    const value = props[key];
    if (value !== undefined && !(Number.isInteger(value) && value >= 1)) {
      problems.push(`${key} is ${show(value)}, but it must be a whole number ≥ 1; e.g. 2`);
    }
  }
  const store = props.artifactStore;
  if (MlflowArtifactStore.isMlflowArtifactStore(store) && store.kind === MlflowArtifactStoreKind.PERSISTENT_VOLUME &&
      (props.replicas ?? 1) > 1 && !store._volume?.readWriteMany) {
    problems.push(`replicas is ${props.replicas}, but the artifact volume is ReadWriteOnce, which pods on other nodes cannot mount; set MlflowArtifactStore.persistentVolume({ readWriteMany: true }) on a StorageClass that supports it, use MlflowArtifactStore.s3({...}), or replicas: 1`);
  }
  for (const key of ['cpu', 'memory'] as const) {
    const value = props[key];
    if (value !== undefined && !(typeof value === 'string' && QUANTITY.test(value) && !/^0+(\.0+)?[a-zA-Z]*$/.test(value))) {
      problems.push(`${key} ${show(value)} is not a positive Kubernetes quantity; e.g. ${key === 'cpu' ? "'500m'" : "'1Gi'"}`);
    }
  }
  for (const host of props.allowedHosts ?? []) {
    if (typeof host !== 'string' || !HOST.test(host)) {
      problems.push(`allowedHosts: ${show(host)} is not a host (allowed: a host name or address with an optional ':port', '*' as a wildcard, no ',' or scheme); e.g. 'mlflow.example.com'`);
    } else if (host === '*') {
      problems.push("allowedHosts: '*' accepts any Host header, which turns off MLflow's DNS-rebinding protection; list the hosts clients use, e.g. 'mlflow.example.com'");
    }
  }
  for (const origin of props.corsAllowedOrigins ?? []) {
    if (origin === '*') {
      problems.push("corsAllowedOrigins: '*' lets any web page change MLflow data through a visitor's browser; list the origins the UI is served from, e.g. 'https://mlflow.example.com'");
    } else if (typeof origin !== 'string' || !ORIGIN.test(origin)) {
      problems.push(`corsAllowedOrigins: ${show(origin)} is not an origin (allowed: http:// or https:// and a host with an optional ':port', '*' as a wildcard, no path or ','); e.g. 'https://mlflow.example.com'`);
    }
  }
  const user = props.runAsUser;
  if (user !== undefined && !(Number.isInteger(user) && user >= 1)) {
    problems.push(`runAsUser ${show(user)} is invalid (allowed: a whole number ≥ 1, since the pod runs as non-root); e.g. 1000`);
  }
  return problems;
}
