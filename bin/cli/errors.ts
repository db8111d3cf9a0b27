/** A problem with what the user asked for: printed as `mlops <command>: <message>`, exit code 2. */
export class CliError extends Error {
  constructor(message: string, public readonly fix?: string, public readonly exitCode = 2) {
    super(fix ? `${message}\n  fix: ${fix}` : message);
    this.name = 'CliError';
  }
}
