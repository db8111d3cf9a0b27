/** Kubernetes quantities for the model's resource numbers. */

/** vCPUs as a CPU quantity: whole cores as '2', else millicores rounded up as Kubernetes does ('1500m'). */
export function cpuQuantity(cpu: number): string {
  const milli = Math.ceil(cpu * 1000 - 1e-9);
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

/** GiB as a binary quantity in the largest exact unit ('4Gi', '512Mi'), rounded up to whole KiB. */
export function gibQuantity(gib: number): string {
  if (Number.isInteger(gib)) {
    return `${gib}Gi`;
  }
  const mib = gib * 1024;
  if (Number.isInteger(mib)) {
    return `${mib}Mi`;
  }
  return `${Math.ceil(gib * 1024 * 1024 - 1e-9)}Ki`;
}

/** A Kubernetes quantity as text ('512Mi', '0.5', '250m'): what a construct prop of that kind takes. */
export const QUANTITY = /^[0-9]+(\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$/;
