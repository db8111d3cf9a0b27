/**
 * An error of a local run that the user can act on: what went wrong and, where there is one, the
 * command or change that fixes it. The CLI prints `message`, then `fix`.
 */
export class LocalRunError extends Error {
  /** What to do about it, e.g. the command that creates the venv. */
  public readonly fix?: string;

  constructor(message: string, fix?: string) {
    super(fix ? `${message}\n  fix: ${fix}` : message);
    this.name = 'LocalRunError';
    this.fix = fix;
  }
}

/** Errors that mean the file system has no room left (or the user's quota is used up). */
export function isDiskFull(e: unknown): e is NodeJS.ErrnoException {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** 'writing <file> failed (ENOSPC: no space left on device)': what failed, and where. */
export function diskFullDetail(e: NodeJS.ErrnoException): string {
  const what = e.syscall ? `${e.syscall}${e.path ? ` ${e.path}` : ''}` : (e.path ?? 'a write');
  const reason = e.code === 'EDQUOT' ? 'EDQUOT: disk quota exceeded' : 'ENOSPC: no space left on device';
  return `${what} failed (${reason})`;
}

/**
 * The file system holding the run directory is full. `runId` is set when the run can be resumed
 * once there is room (its run.json was written); when it is not, nothing was started.
 */
export class DiskFullError extends LocalRunError {
  constructor(
    public readonly failure: NodeJS.ErrnoException,
    public readonly runsDir: string,
    public readonly runId?: string,
    verb: 'started' | 'resumed' = 'started',
  ) {
    super(
      runId
        ? `the disk is full: run '${runId}' could not be ${verb} (${diskFullDetail(failure)}); its directory ${runsDir}/${runId} is kept, and the run can be resumed`
        : `the disk is full: no run could be started in ${runsDir} (${diskFullDetail(failure)}); nothing was written`,
      runId
        ? `free space on the file system that holds ${runsDir} (df -h ${runsDir}) and resume the run, or start a new run with --runs-dir on a disk with room`
        : `free space on the file system that holds ${runsDir} (df -h ${runsDir}), or start the run with --runs-dir on a disk with room`,
    );
    this.name = 'DiskFullError';
  }
}
