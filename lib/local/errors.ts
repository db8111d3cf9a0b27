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
