import * as YAML from 'yaml';
import { describe, Manifest } from './validate';

type Json = { [key: string]: any };

/** A pod as it will run: the pod-level spec and every container in it, with where it comes from. */
export interface PodView {
  readonly where: string;
  readonly pod: Json;
  readonly containers: { readonly where: string; readonly container: Json }[];
  /** Problems found while assembling the view (e.g. an Argo executor container left unconfigured). */
  readonly problems: string[];
}

const WORKLOADS: { [kind: string]: (o: Manifest) => Json | undefined } = {
  Pod: (o) => o.spec,
  Deployment: (o) => o.spec?.template?.spec,
  StatefulSet: (o) => o.spec?.template?.spec,
  DaemonSet: (o) => o.spec?.template?.spec,
  ReplicaSet: (o) => o.spec?.template?.spec,
  Job: (o) => o.spec?.template?.spec,
  CronJob: (o) => o.spec?.jobTemplate?.spec?.template?.spec,
};

const ARGO_KINDS = ['Workflow', 'WorkflowTemplate', 'ClusterWorkflowTemplate'];

/**
 * Every pod an object makes. Built-in workloads have one pod template. An Argo workflow makes a
 * pod per container template: the template's container as `main`, plus the `init` and `wait`
 * containers Argo adds, whose settings must come from the workflow's podSpecPatch (otherwise they
 * depend on the controller's configuration, which a manifest cannot promise).
 */
export function podsOf(object: Manifest): PodView[] {
  const at = describe(object);
  const workload = WORKLOADS[object.kind];
  if (workload) {
    const pod = workload(object);
    if (!pod) {
      return [];
    }
    return [{
      where: at,
      pod,
      containers: [...(pod.initContainers ?? []), ...(pod.containers ?? [])].map((c: Json) => ({ where: `${at} container '${c.name}'`, container: c })),
      problems: [],
    }];
  }
  if (object.apiVersion === 'argoproj.io/v1alpha1' && ARGO_KINDS.includes(object.kind)) {
    return argoPods(at, object.spec ?? {});
  }
  if (object.apiVersion === 'argoproj.io/v1alpha1' && object.kind === 'CronWorkflow') {
    return argoPods(at, object.spec?.workflowSpec ?? {});
  }
  return [];
}

function argoPods(at: string, spec: Json): PodView[] {
  const views: PodView[] = [];
  for (const template of spec.templates ?? []) {
    const main = template.container ?? template.script;
    if (!main) {
      continue;
    }
    const where = `${at} template '${template.name}'`;
    const problems: string[] = [];
    const executor = executorContainers([spec.podSpecPatch, template.podSpecPatch]);
    for (const name of ['init', 'wait']) {
      if (!executor.has(name)) {
        problems.push(`${where}: Argo's '${name}' container is not configured by a podSpecPatch, so its security context and resources depend on the controller`);
      }
    }
    views.push({
      where,
      pod: {
        securityContext: { ...(spec.securityContext ?? {}), ...(template.securityContext ?? {}) },
        hostNetwork: spec.hostNetwork,
        volumes: [...(spec.volumes ?? []), ...(template.volumes ?? [])],
      },
      containers: [
        { where: `${where} container 'main'`, container: main },
        ...[...(template.initContainers ?? []), ...(template.sidecars ?? [])].map((c: Json) => ({ where: `${where} container '${c.name}'`, container: c })),
        ...[...executor.entries()].map(([name, c]) => ({ where: `${where} Argo container '${name}'`, container: c })),
      ],
      problems,
    });
  }
  return views;
}

/** The init and wait containers as the podSpecPatches (workflow, then template) leave them. */
function executorContainers(patches: (string | undefined)[]): Map<string, Json> {
  const found = new Map<string, Json>();
  for (const patch of patches) {
    if (!patch) {
      continue;
    }
    const spec = YAML.parse(patch) as Json;
    for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
      if (c.name === 'init' || c.name === 'wait') {
        found.set(c.name, { ...(found.get(c.name) ?? {}), ...c });
      }
    }
  }
  return found;
}

const RESTRICTED_VOLUMES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
const SAFE_SYSCTLS = ['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes'];

export interface PodSecurityOptions {
  /** Also require readOnlyRootFilesystem (not part of the profile; our own default). @default true */
  readonly readOnlyRootFilesystem?: boolean;
}

/**
 * The Pod Security Standards 'restricted' profile (Kubernetes 1.30), checked on every pod an
 * object makes, plus a read-only root filesystem. Returns one message per violation.
 */
export function podSecurityProblems(object: Manifest, options: PodSecurityOptions = {}): string[] {
  const problems: string[] = [];
  for (const view of podsOf(object)) {
    problems.push(...view.problems);
    const pod = view.pod;
    const podSc = pod.securityContext ?? {};
    for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) {
      if (pod[field] === true) {
        problems.push(`${view.where}: ${field} is true`);
      }
    }
    for (const volume of pod.volumes ?? []) {
      const type = Object.keys(volume).find((k) => k !== 'name');
      if (!type || !RESTRICTED_VOLUMES.includes(type)) {
        problems.push(`${view.where}: volume '${volume.name}' of type ${type} is not allowed (restricted allows ${RESTRICTED_VOLUMES.join(', ')})`);
      }
    }
    for (const sysctl of podSc.sysctls ?? []) {
      if (!SAFE_SYSCTLS.includes(sysctl.name)) {
        problems.push(`${view.where}: sysctl ${sysctl.name} is not in the safe set`);
      }
    }
    if (podSc.runAsUser === 0) {
      problems.push(`${view.where}: pod runAsUser is 0 (root)`);
    }
    problems.push(...seLinuxAndAppArmor(view.where, podSc));
    if (podSc.seccompProfile && !['RuntimeDefault', 'Localhost'].includes(podSc.seccompProfile.type)) {
      problems.push(`${view.where}: pod seccompProfile is ${podSc.seccompProfile.type}`);
    }
    for (const { where, container } of view.containers) {
      const sc = container.securityContext ?? {};
      if (sc.privileged === true) {
        problems.push(`${where}: privileged`);
      }
      if (sc.allowPrivilegeEscalation !== false) {
        problems.push(`${where}: allowPrivilegeEscalation is not false`);
      }
      const caps = sc.capabilities ?? {};
      if (!(caps.drop ?? []).includes('ALL')) {
        problems.push(`${where}: capabilities.drop does not include ALL`);
      }
      const added = (caps.add ?? []).filter((c: string) => c !== 'NET_BIND_SERVICE');
      if (added.length > 0) {
        problems.push(`${where}: adds capabilities ${added.join(', ')}`);
      }
      const nonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
      if (nonRoot !== true) {
        problems.push(`${where}: runAsNonRoot is not true (container or pod)`);
      }
      if (sc.runAsUser === 0) {
        problems.push(`${where}: runAsUser is 0 (root)`);
      }
      const seccomp = sc.seccompProfile?.type ?? podSc.seccompProfile?.type;
      if (!['RuntimeDefault', 'Localhost'].includes(seccomp)) {
        problems.push(`${where}: seccompProfile is ${seccomp ?? 'unset'} (needs RuntimeDefault or Localhost on the container or pod)`);
      }
      if (sc.procMount !== undefined && sc.procMount !== 'Default') {
        problems.push(`${where}: procMount is ${sc.procMount}`);
      }
      problems.push(...seLinuxAndAppArmor(where, sc));
      for (const port of container.ports ?? []) {
        if (port.hostPort !== undefined && port.hostPort !== 0) {
          problems.push(`${where}: hostPort ${port.hostPort}`);
        }
      }
      if ((options.readOnlyRootFilesystem ?? true) && sc.readOnlyRootFilesystem !== true) {
        problems.push(`${where}: readOnlyRootFilesystem is not true`);
      }
    }
  }
  return problems;
}

function seLinuxAndAppArmor(where: string, sc: Json): string[] {
  const problems: string[] = [];
  const type = sc.seLinuxOptions?.type;
  if (type !== undefined && !['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t'].includes(type)) {
    problems.push(`${where}: seLinuxOptions.type ${type} is not allowed`);
  }
  if (sc.seLinuxOptions?.user || sc.seLinuxOptions?.role) {
    problems.push(`${where}: seLinuxOptions sets user or role`);
  }
  if (sc.appArmorProfile?.type === 'Unconfined') {
    problems.push(`${where}: appArmorProfile is Unconfined`);
  }
  return problems;
}

/** Every container of every pod must request and limit CPU and memory. */
export function resourceProblems(object: Manifest): string[] {
  const problems: string[] = [];
  for (const view of podsOf(object)) {
    for (const { where, container } of view.containers) {
      for (const kind of ['requests', 'limits']) {
        for (const resource of ['cpu', 'memory']) {
          if (container.resources?.[kind]?.[resource] === undefined) {
            problems.push(`${where}: no ${resource} ${kind}`);
          }
        }
      }
    }
  }
  return problems;
}
