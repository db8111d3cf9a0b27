/** A Kubernetes toleration, as in a pod spec. */
export interface Toleration {
  readonly key?: string;
  /** 'Exists' or 'Equal'. @default 'Equal' when a value is given, else 'Exists' */
  readonly operator?: string;
  readonly value?: string;
  /** 'NoSchedule', 'PreferNoSchedule' or 'NoExecute'; empty matches all effects. */
  readonly effect?: string;
  readonly tolerationSeconds?: number;
}

/** How steps that ask for GPUs are scheduled; the same for every Kubernetes engine. */
export interface GpuScheduling {
  /** The extended resource a GPU is requested as. @default 'nvidia.com/gpu' */
  readonly resourceName?: string;
  /** Node labels GPU steps must run on, e.g. { 'nvidia.com/gpu.present': 'true' }. */
  readonly nodeSelector?: { [label: string]: string };
  /**
   * Tolerations for the taints of GPU nodes.
   * @default [{ key: <resourceName>, operator: 'Exists', effect: 'NoSchedule' }], the taint GPU node pools commonly carry
   */
  readonly tolerations?: Toleration[];
  /**
   * Refuse to compile a GPU step unless `nodeSelector` sends it to GPU nodes (tolerations only
   * allow nodes, they do not choose them).
   * @default false
   */
  readonly requireNodeSelection?: boolean;
}
