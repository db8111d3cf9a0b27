import type { AirflowKubernetesOptions } from '../options';
import { PyExpr } from '../python';
import type { TaskArguments } from './handler';

/**
 * The KubernetesPodOperator arguments every step pod shares: the data and code volumes (the code
 * ConfigMap when there is one), the restricted security contexts, the service account and
 * connection, XCom (where the task returns its metrics or version), logs, and deletion when done.
 */
export function podTaskArguments(k: AirflowKubernetesOptions, configMap: string | undefined, pushXcom: boolean): TaskArguments {
  return [
    ['volumes', new PyExpr(configMap !== undefined ? `pod_volumes(${JSON.stringify(configMap)})` : 'pod_volumes(None)')],
    ['volume_mounts', new PyExpr(configMap !== undefined ? 'POD_MOUNTS_WITH_CODE' : 'POD_MOUNTS')],
    ['security_context', new PyExpr('POD_SECURITY_CONTEXT')],
    ['container_security_context', new PyExpr('CONTAINER_SECURITY_CONTEXT')],
    ['service_account_name', k.serviceAccountName],
    ['kubernetes_conn_id', k.kubernetesConnId],
    ['do_xcom_push', pushXcom],
    ['get_logs', true],
    ['on_finish_action', 'delete_pod'],
  ];
}
