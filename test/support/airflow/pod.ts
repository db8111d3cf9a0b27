import type { Json } from '.';

/** snake_case model fields (kubernetes.client.models) to the camelCase of the Kubernetes API. */
function camel(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(camel);
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Json)
      .filter(([k]) => k !== 'k8s')
      .map(([k, v]) => [k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()), camel(v)]));
  }
  return value;
}

/**
 * The Pod a KubernetesPodOperator would create from the arguments exec_dag.py recorded (its
 * container is named 'base'; the XCom sidecar it adds is not included), so the Kubernetes schema
 * and Pod Security checks of test/support/k8s can read it.
 */
export function podOf(name: string, kwargs: Json, env: Json = kwargs.env_vars ?? {}): Json {
  const spec: Json = {
    restartPolicy: 'Never',
    securityContext: camel(kwargs.security_context),
    volumes: camel(kwargs.volumes),
    containers: [{
      name: 'base',
      image: kwargs.image,
      command: kwargs.cmds,
      args: kwargs.arguments ?? [],
      env: Object.entries(env).map(([k, v]) => ({ name: k, value: v })),
      resources: camel(kwargs.container_resources),
      securityContext: camel(kwargs.container_security_context),
      volumeMounts: camel(kwargs.volume_mounts),
    }],
  };
  if (kwargs.service_account_name) {
    spec.serviceAccountName = kwargs.service_account_name;
  }
  if (kwargs.node_selector) {
    spec.nodeSelector = kwargs.node_selector;
  }
  if (kwargs.tolerations) {
    spec.tolerations = camel(kwargs.tolerations);
  }
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: kwargs.namespace }, spec };
}
