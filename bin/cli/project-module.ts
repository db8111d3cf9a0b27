import { CliError } from './errors';

/**
 * The path of a package some commands need and the package does not depend on (tsx, the AWS SDK),
 * looked up in the user's project first, then beside the CLI; undefined when neither has it.
 */
export function resolveFromProject(request: string, cwd: string): string | undefined {
  try {
    return require.resolve(request, { paths: [cwd, __dirname] });
  } catch {
    return undefined;
  }
}

/** Loads such a package, or says which package to install for what. */
export function requireFromProject<T>(request: string, cwd: string, neededFor: string, packageName: string): T {
  const resolved = resolveFromProject(request, cwd);
  if (resolved === undefined) {
    throw new CliError(`${neededFor} needs the package ${packageName}, which is not installed in ${cwd}`, `install it in your project: npm install --save-dev ${packageName}`);
  }
  return require(resolved) as T;
}
