import { processIO } from './cli/io';
import { runCli } from './cli/program';

/**
 * The `mlops` CLI (bin/mlops.js loads this file through tsx). Ctrl-C once stops a local run's
 * steps and saves its state for --resume; a second Ctrl-C quits at once.
 */
export async function main(argv: string[]): Promise<number> {
  const controller = new AbortController();
  let interrupts = 0;
  const onInterrupt = () => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write('\nmlops: stopping (a local run saves its state for --resume; press Ctrl-C again to quit at once)\n');
      controller.abort();
    } else {
      process.stderr.write('\x1b[?25h');
      process.exit(130);
    }
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  try {
    return await runCli(argv, { io: processIO(), signal: controller.signal });
  } finally {
    process.off('SIGINT', onInterrupt);
    process.off('SIGTERM', onInterrupt);
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
