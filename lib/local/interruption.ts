import { RunningProcess } from './process';

/**
 * Ctrl-C (an aborted signal) during a run: the running step processes are stopped, waits for a
 * retry end early, and the scheduler is woken so the run can be saved as interrupted.
 */
export class Interruption {
  public interrupted = false;
  /** The step processes running now. */
  public readonly processes = new Set<RunningProcess>();
  /** Wakes the scheduler waiting for a task to end. */
  public wakeUp?: () => void;
  private readonly sleepers = new Set<() => void>();

  public interrupt(): void {
    if (this.interrupted) {
      return;
    }
    this.interrupted = true;
    for (const proc of this.processes) {
      proc.stop();
    }
    this.wakeUp?.();
    this.sleepers.forEach((wake) => wake());
  }

  /** Waits; false when the run was interrupted meanwhile. */
  public sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve(false);
      };
      const timer = setTimeout(() => {
        this.sleepers.delete(wake);
        resolve(!this.interrupted);
      }, ms);
      this.sleepers.add(wake);
    });
  }
}
