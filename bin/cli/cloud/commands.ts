import { CliError } from '../errors';
import { CliIO } from '../io';
import { parseParams } from '../params';
import { explainServiceError } from './explain';
import { executionId, pipelineOfExecution, renderExecutions, renderStatus, TERMINAL_STATUSES } from './render';
import { ExecutionDetail, PipelineParameterValue, PipelineService, SageMakerPipelineService, ServiceOptions, StepSummary } from './service';

export interface CloudOptions {
  readonly region?: string;
  readonly endpointUrl?: string;
}

export type ServiceFactory = (options: ServiceOptions) => PipelineService;

export const sageMakerService: ServiceFactory = (options) => new SageMakerPipelineService(options);

function serviceFor(options: CloudOptions, make: ServiceFactory): PipelineService {
  return make({ region: options.region, endpoint: options.endpointUrl });
}

async function call<T>(run: () => Promise<T>, subject: { pipeline?: string; execution?: string }): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw explainServiceError(e, subject);
  }
}

/** `mlops start <pipeline-name> [--param k=v]`: starts an execution with parameter values. */
export async function startCommand(name: string, options: CloudOptions & { readonly param: string[] }, io: CliIO, make: ServiceFactory = sageMakerService): Promise<number> {
  const given = parseParams(options.param);
  const service = serviceFor(options, make);
  let definition: string | undefined;
  try {
    definition = (await service.describePipeline(name)).definition;
  } catch (e) {
    const explained = explainServiceError(e, { pipeline: name });
    if (/does not exist/.test(explained.message)) {
      throw explained;
    }
    // Starting may still be allowed (e.g. no sagemaker:DescribePipeline permission): go on unchecked.
    io.stderr.write(`mlops start: could not read the deployed definition to check the parameters (${explained.message.split('\n')[0]}); starting without that check\n`);
  }
  const parameters = checkParameters(name, definition, given);
  const arn = await call(() => service.start(name, parameters), { pipeline: name });
  io.stdout.write(`Started ${arn}\n  watch it: npx mlops status ${name} --execution ${arn} --wait\n`);
  return 0;
}

/**
 * Checks `--param` values against the parameters of the deployed definition, so a typo fails
 * here instead of as a failed execution. Definitions that cannot be read are not checked.
 */
export function checkParameters(pipeline: string, definition: string | undefined, given: { [name: string]: string }): PipelineParameterValue[] {
  const values = Object.entries(given).map(([name, value]) => ({ name, value }));
  let declared: { Name: string; Type?: string }[] | undefined;
  try {
    declared = definition ? (JSON.parse(definition).Parameters as { Name: string; Type?: string }[]) : undefined;
  } catch {
    declared = undefined;
  }
  if (!Array.isArray(declared)) {
    return values;
  }
  const problems: string[] = [];
  for (const { name, value } of values) {
    const parameter = declared.find((p) => p.Name === name);
    if (!parameter) {
      problems.push(`unknown parameter '${name}' (the deployed pipeline defines: ${declared.length ? declared.map((p) => `'${p.Name}'`).join(', ') : 'none'})`);
      continue;
    }
    const ok =
      parameter.Type === 'Integer' ? /^-?\d+$/.test(value.trim())
        : parameter.Type === 'Float' ? value.trim() !== '' && Number.isFinite(Number(value))
          : parameter.Type === 'Boolean' ? /^(true|false)$/i.test(value.trim())
            : true;
    if (!ok) {
      problems.push(`parameter '${name}': ${JSON.stringify(value)} is not ${parameter.Type === 'Integer' ? 'an' : 'a'} ${parameter.Type}`);
    }
  }
  if (problems.length > 0) {
    throw new CliError(`pipeline '${pipeline}': ${problems.join('; ')}`, 'pass --param name=value for parameters the pipeline defines, with values of their type');
  }
  return values;
}

export interface StatusOptions extends CloudOptions {
  readonly execution?: string;
  readonly wait?: boolean;
  /** Seconds between polls with --wait. */
  readonly interval?: number;
}

/** `mlops status <pipeline-name>`: per-step states of the latest (or a given) execution; `--wait` follows it to the end. */
export async function statusCommand(name: string, options: StatusOptions, io: CliIO, make: ServiceFactory = sageMakerService, signal?: AbortSignal): Promise<number> {
  const service = serviceFor(options, make);
  let arn = options.execution;
  if (arn === undefined) {
    const latest = await call(() => service.listExecutions(name, 1), { pipeline: name });
    if (latest.length === 0) {
      io.stdout.write(renderExecutions(name, []));
      return 0;
    }
    arn = latest[0].arn;
  }
  const intervalMs = (options.interval ?? 10) * 1000;
  let drawnLines = 0;
  let lastSignature = '';
  for (;;) {
    const execution = await call(() => service.describeExecution(arn!), { pipeline: name, execution: arn });
    const steps = await readSteps(service, arn);
    const text = renderStatus(name, execution, steps);
    const signature = JSON.stringify([execution.status, 'error' in steps ? steps.error : steps.map((s) => [s.name, s.status])]);
    if (io.stdout.isTTY && options.wait) {
      if (drawnLines > 0) {
        io.stdout.write(`\x1b[${drawnLines}A\x1b[0J`);
      }
      io.stdout.write(text);
      drawnLines = text.split('\n').length - 1;
    } else if (signature !== lastSignature) {
      io.stdout.write(lastSignature ? `\n${text}` : text);
    }
    lastSignature = signature;
    if (!options.wait || TERMINAL_STATUSES.has(execution.status)) {
      return options.wait ? exitCodeOf(execution) : 0;
    }
    if (!(await pause(intervalMs, signal))) {
      return 130;
    }
  }
}

async function readSteps(service: PipelineService, arn: string): Promise<StepSummary[] | { error: string }> {
  try {
    return await service.listSteps(arn);
  } catch (e) {
    return { error: explainServiceError(e, { execution: arn }).message.replace(/\n\s*fix: /, '; ') };
  }
}

function exitCodeOf(execution: ExecutionDetail): number {
  return execution.status === 'Succeeded' ? 0 : 1;
}

function pause(ms: number, signal?: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve(false);
      return;
    }
    const timer = setTimeout(() => resolve(true), ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve(false);
    }, { once: true });
  });
}

/** `mlops list <pipeline-name>`: executions, latest first. */
export async function listCommand(name: string, options: CloudOptions & { readonly max?: number }, io: CliIO, make: ServiceFactory = sageMakerService): Promise<number> {
  const service = serviceFor(options, make);
  const executions = await call(() => service.listExecutions(name, options.max ?? 20), { pipeline: name });
  io.stdout.write(renderExecutions(name, executions));
  return 0;
}

/** `mlops retry <execution-arn>`: RetryPipelineExecution of a failed execution. */
export async function retryCommand(arn: string, options: CloudOptions, io: CliIO, make: ServiceFactory = sageMakerService): Promise<number> {
  const pipeline = pipelineOfExecution(arn);
  if (!pipeline) {
    throw new CliError(`'${arn}' is not a pipeline execution ARN (arn:aws:sagemaker:<region>:<account>:pipeline/<name>/execution/<id>)`, 'copy the ARN from: npx mlops list <pipeline-name>');
  }
  const service = serviceFor(options, make);
  const execution = await call(() => service.describeExecution(arn), { pipeline, execution: arn });
  if (execution.status !== 'Failed') {
    throw new CliError(
      `execution ${executionId(arn)} of '${pipeline}' is ${execution.status}; only a failed execution can be retried`,
      execution.status === 'Succeeded' || execution.status === 'Stopped' ? `start a new one: npx mlops start ${pipeline}` : `wait for it: npx mlops status ${pipeline} --execution ${arn} --wait`,
      1,
    );
  }
  const retried = await call(() => service.retry(arn), { pipeline, execution: arn });
  io.stdout.write(`Retrying ${retried} from its failed steps\n  watch it: npx mlops status ${pipeline} --execution ${retried} --wait\n`);
  return 0;
}
