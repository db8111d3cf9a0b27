import { Schedule } from '../../lib/pipeline/schedule';

export interface RunJobOptions {
  /**
   * Parameter values for the run, as text (read like `--param name=value`), checked against the
   * pipeline's parameters at synth time. @default the parameters' defaults
   */
  readonly parameters?: { [name: string]: string };
  /** Submit a run on this schedule (a CronJob) instead of once (a Job). */
  readonly schedule?: Schedule;
  /**
   * Image of the job's pod; it needs python3.
   * @default Kubeflow: schedulerImage, then utilityImage, then defaultImage; Argo: utilityImage, then defaultImage
   */
  readonly image?: string;
}
