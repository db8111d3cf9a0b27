import { CreatePipelineCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { runCli } from '../../bin/cli/program';
import { ExecutionDetail, PipelineService, ServiceCallError, StepSummary } from '../../bin/cli/cloud/service';
import { runMlops } from '../support/local/cli';
import { captureIO } from '../support/local/capture-io';
import { MotoServer, startMoto } from '../support/local/moto';

/** Never real AWS: every call goes to a moto_server this file starts on 127.0.0.1 and stops by PID. */
const credentials = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1', AWS_EC2_METADATA_DISABLED: 'true' };
let moto: MotoServer;
let savedEnv: NodeJS.ProcessEnv;

beforeAll(async () => {
  savedEnv = { ...process.env };
  Object.assign(process.env, credentials);
  moto = await startMoto();
  const client = new SageMakerClient({ region: 'us-east-1', endpoint: moto.endpoint });
  await client.send(new CreatePipelineCommand({
    PipelineName: 'iris',
    RoleArn: 'arn:aws:iam::123456789012:role/pipeline',
    PipelineDefinition: JSON.stringify({
      Version: '2020-12-01',
      Parameters: [{ Name: 'minAccuracy', Type: 'Float', DefaultValue: 0.9 }, { Name: 'nEstimators', Type: 'Integer', DefaultValue: 100 }],
      Steps: [],
    }),
  }));
  await client.send(new CreatePipelineCommand({
    PipelineName: 'empty',
    RoleArn: 'arn:aws:iam::123456789012:role/pipeline',
    PipelineDefinition: JSON.stringify({ Version: '2020-12-01', Steps: [] }),
  }));
  client.destroy();
}, 60_000);

afterAll(async () => {
  await moto?.stop();
  process.env = savedEnv;
});

async function cli(...argv: string[]) {
  const io = captureIO();
  const code = await runCli([...argv, '--endpoint-url', moto.endpoint], { io });
  return { code, stdout: io.out(), stderr: io.err() };
}

describe('against moto_server', () => {
  test('start with parameters, then list and status show the execution', async () => {
    const started = await cli('start', 'iris', '--param', 'minAccuracy=0.95', '--param', 'nEstimators=50');
    expect(started.stderr).toBe('');
    expect(started.code).toBe(0);
    const arn = /Started (\S+)/.exec(started.stdout)![1];
    expect(arn).toMatch(/^arn:aws:sagemaker:us-east-1:123456789012:pipeline\/iris\/execution\/\w+$/);
    expect(started.stdout).toContain(`watch it: npx mlops status iris --execution ${arn} --wait`);

    const listed = await cli('list', 'iris');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('Executions of iris, latest first:');
    expect(listed.stdout).toContain(arn);

    // moto answers ListPipelineExecutionSteps with HTTP 500 and an HTML page: status says so and still shows the execution.
    const status = await cli('status', 'iris', '--execution', arn, '--wait', '--interval', '0.1');
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`Pipeline iris, execution ${arn.split('/').pop()}`);
    expect(status.stdout).toContain('  status:  Succeeded');
    expect(status.stdout).toContain(
      `Steps: not available: ListPipelineExecutionSteps failed on the service side: HTTP 500 with a body that is not an AWS error response; the endpoint ${moto.endpoint} probably does not implement ListPipelineExecutionSteps (moto, for one, does not); use an endpoint that implements ListPipelineExecutionSteps, or read the result in the SageMaker console`,
    );
  });

  test('status without --execution shows the latest execution', async () => {
    const first = /Started (\S+)/.exec((await cli('start', 'iris')).stdout)![1];
    await new Promise((r) => setTimeout(r, 20));
    const second = /Started (\S+)/.exec((await cli('start', 'iris')).stdout)![1];
    const status = await cli('status', 'iris');
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`arn:     ${second}`);
    expect(status.stdout).not.toContain(first);
  });

  test('start checks --param names and types against the deployed definition', async () => {
    const unknown = await cli('start', 'iris', '--param', 'minAcc=0.5');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("mlops start: pipeline 'iris': unknown parameter 'minAcc' (the deployed pipeline defines: 'minAccuracy', 'nEstimators')");
    const wrongType = await cli('start', 'iris', '--param', 'nEstimators=1.5');
    expect(wrongType.code).toBe(2);
    expect(wrongType.stderr).toContain(`pipeline 'iris': parameter 'nEstimators': "1.5" is not an Integer`);
  });

  test('status of a pipeline that does not exist explains the service error', async () => {
    const r = await cli('status', 'no-such-pipeline');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `mlops status: pipeline 'no-such-pipeline' does not exist in region us-east-1 at ${moto.endpoint} (the service said ValidationException: Could not find pipeline with PipelineName no-such-pipeline.)`,
    );
    expect(r.stderr).toContain('fix: check the name');
  });

  test('start of a pipeline that does not exist says so', async () => {
    const r = await cli('start', 'no-such-pipeline');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("mlops start: pipeline 'no-such-pipeline' does not exist in region us-east-1");
  });

  test('the bin reports the same for a missing pipeline (credentials and region from the environment)', async () => {
    const r = await runMlops(['status', 'no-such-pipeline', '--endpoint-url', moto.endpoint], { env: credentials });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("mlops status: pipeline 'no-such-pipeline' does not exist in region us-east-1");
  });

  test('list of a pipeline without executions says how to start one', async () => {
    const r = await cli('list', 'empty');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Pipeline empty has no executions yet; start one with: npx mlops start empty\n');
  });

  test('retry refuses an execution that did not fail, and explains unknown executions', async () => {
    const arn = /Started (\S+)/.exec((await cli('start', 'iris')).stdout)![1];
    const succeeded = await cli('retry', arn);
    expect(succeeded.code).toBe(1);
    expect(succeeded.stderr).toContain(`execution ${arn.split('/').pop()} of 'iris' is Succeeded; only a failed execution can be retried`);
    expect(succeeded.stderr).toContain('fix: start a new one: npx mlops start iris');

    const unknown = await cli('retry', `${arn}x`);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`execution ${arn}x does not exist in region us-east-1`);

    const notArn = await cli('retry', 'iris');
    expect(notArn.code).toBe(2);
    expect(notArn.stderr).toContain("'iris' is not a pipeline execution ARN");
  });

  test('an endpoint that does not answer is named', async () => {
    const io = captureIO();
    const code = await runCli(['list', 'iris', '--endpoint-url', 'http://127.0.0.1:9'], { io });
    expect(code).toBe(1);
    expect(io.err()).toContain('mlops list: ListPipelineExecutions: could not reach SageMaker in region us-east-1 at http://127.0.0.1:9 (ECONNREFUSED)');
  });
});

/** A scripted PipelineService: executions change status on each describe. */
class FakeService implements PipelineService {
  public retried: string[] = [];
  private describes = 0;
  constructor(private readonly statuses: string[], private readonly steps: StepSummary[][], private readonly retryError?: unknown) {}
  public async describePipeline() {
    return {};
  }
  public async start() {
    return 'arn:aws:sagemaker:eu-west-1:1:pipeline/p/execution/new';
  }
  public async listExecutions() {
    return [{ arn: 'arn:aws:sagemaker:eu-west-1:1:pipeline/p/execution/abc', status: this.statuses[0] }];
  }
  public async describeExecution(arn: string): Promise<ExecutionDetail> {
    const i = Math.min(this.describes++, this.statuses.length - 1);
    return {
      arn,
      status: this.statuses[i],
      startTime: new Date('2026-01-01T10:00:00Z'),
      lastModifiedTime: new Date('2026-01-01T10:03:05Z'),
      failureReason: this.statuses[i] === 'Failed' ? 'Step failure: One or multiple steps failed.' : undefined,
    };
  }
  public async listSteps() {
    return this.steps[Math.min(this.describes - 1, this.steps.length - 1)];
  }
  public async retry(arn: string) {
    if (this.retryError) {
      throw this.retryError;
    }
    this.retried.push(arn);
    return arn;
  }
}

const t = (s: string) => new Date(`2026-01-01T${s}Z`);

describe('with a fake service', () => {
  test('status renders one line per step with state, duration, cache hits, attempts and failure reasons', async () => {
    const service = new FakeService(['Failed'], [[
      { name: 'extract', status: 'Succeeded', startTime: t('10:00:00'), endTime: t('10:00:42'), cacheHit: true },
      { name: 'train', status: 'Failed', startTime: t('10:00:42'), endTime: t('10:03:05'), attempts: 3, failureReason: 'ClientError: AlgorithmError: exit code 1' },
      { name: 'accuracy-gate', status: 'Executing', startTime: t('10:03:05') },
    ]]);
    const io = captureIO();
    const code = await runCli(['status', 'p'], { io, service: () => service });
    expect(code).toBe(0);
    const lines = io.out().split('\n');
    expect(lines[0]).toBe('Pipeline p, execution abc');
    expect(lines).toContain('  status:  Failed');
    expect(lines).toContain('  started: 2026-01-01 10:00:00 UTC (3m05s total)');
    expect(lines).toContain('  failure: Step failure: One or multiple steps failed.');
    expect(lines).toContain('  ✓ extract        Succeeded     42s  cache hit');
    expect(lines).toContain('  ✗ train          Failed      2m23s  3 attempts; ClientError: AlgorithmError: exit code 1');
    expect(lines.some((l) => l.startsWith('  ▶ accuracy-gate  Executing'))).toBe(true);
  });

  test('status --wait follows the execution until it ends; the exit code says whether it succeeded', async () => {
    const steps = (train: string): StepSummary[] => [{ name: 'train', status: train, startTime: t('10:00:00'), endTime: train === 'Executing' ? undefined : t('10:01:00') }];
    const ok = new FakeService(['Executing', 'Executing', 'Succeeded'], [steps('Executing'), steps('Executing'), steps('Succeeded')]);
    const io = captureIO();
    expect(await runCli(['status', 'p', '--wait', '--interval', '0.01'], { io, service: () => ok })).toBe(0);
    // Plain output prints a new block only when something changed.
    expect(io.out().match(/status: {2}Executing/g)).toHaveLength(1);
    expect(io.out()).toContain('status:  Succeeded');
    expect(io.out()).toContain('✓ train  Succeeded   1m00s');

    const failed = new FakeService(['Executing', 'Failed'], [steps('Executing'), steps('Failed')]);
    expect(await runCli(['status', 'p', '--wait', '--interval', '0.01'], { io: captureIO(), service: () => failed })).toBe(1);
  });

  test('status --wait on a terminal redraws the block in place', async () => {
    const service = new FakeService(['Executing', 'Succeeded'], [[{ name: 'a', status: 'Executing' }], [{ name: 'a', status: 'Succeeded' }]]);
    const io = captureIO({ tty: true });
    expect(await runCli(['status', 'p', '--wait', '--interval', '0.01'], { io, service: () => service })).toBe(0);
    expect(io.out()).toMatch(/\x1b\[\d+A\x1b\[0J/);
  });

  test('retry retries a failed execution and says how to watch it', async () => {
    const service = new FakeService(['Failed'], [[]]);
    const io = captureIO();
    const arn = 'arn:aws:sagemaker:eu-west-1:1:pipeline/p/execution/abc';
    expect(await runCli(['retry', arn], { io, service: () => service })).toBe(0);
    expect(service.retried).toEqual([arn]);
    expect(io.out()).toBe(`Retrying ${arn} from its failed steps\n  watch it: npx mlops status p --execution ${arn} --wait\n`);
  });

  test('a RetryPipelineExecution the endpoint does not implement (HTTP 500, not JSON) is explained', async () => {
    const sdkError = Object.assign(new SyntaxError('Unexpected token \'<\', "<!doctype "... is not valid JSON\n  Deserialization error: ...'), { $metadata: { httpStatusCode: 500 } });
    const service = new FakeService(['Failed'], [[]], new ServiceCallError('RetryPipelineExecution', sdkError, 'eu-west-1', 'http://127.0.0.1:5000'));
    const io = captureIO();
    expect(await runCli(['retry', 'arn:aws:sagemaker:eu-west-1:1:pipeline/p/execution/abc'], { io, service: () => service })).toBe(1);
    expect(io.err()).toContain('mlops retry: RetryPipelineExecution failed on the service side: HTTP 500 with a body that is not an AWS error response; the endpoint http://127.0.0.1:5000 probably does not implement RetryPipelineExecution');
  });

  test('start goes on without the parameter check when the definition cannot be read (e.g. no DescribePipeline permission)', async () => {
    const service = new FakeService(['Executing'], [[]]);
    service.describePipeline = async () => {
      throw new ServiceCallError('DescribePipeline', Object.assign(new Error('User is not authorized to perform: sagemaker:DescribePipeline'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }), 'eu-west-1');
    };
    const io = captureIO();
    expect(await runCli(['start', 'p', '--param', 'x=1'], { io, service: () => service })).toBe(0);
    expect(io.err()).toContain('mlops start: could not read the deployed definition to check the parameters (DescribePipeline is not allowed for these credentials');
    expect(io.out()).toContain('Started arn:aws:sagemaker:eu-west-1:1:pipeline/p/execution/new');
  });

  test('missing credentials and region get their own fixes', async () => {
    const noCreds = new FakeService(['Failed'], [[]]);
    noCreds.listExecutions = async () => {
      throw new ServiceCallError('ListPipelineExecutions', Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), 'eu-west-1');
    };
    const io = captureIO();
    expect(await runCli(['list', 'p'], { io, service: () => noCreds })).toBe(1);
    expect(io.err()).toContain('mlops list: ListPipelineExecutions: no AWS credentials found (CredentialsProviderError: Could not load credentials from any providers)');
    expect(io.err()).toContain('fix: set AWS_PROFILE');

    const noRegion = new FakeService(['Failed'], [[]]);
    noRegion.listExecutions = async () => {
      throw new ServiceCallError('ListPipelineExecutions', new Error('Region is missing'));
    };
    const io2 = captureIO();
    expect(await runCli(['list', 'p'], { io: io2, service: () => noRegion })).toBe(1);
    expect(io2.err()).toContain('fix: pass --region (e.g. --region eu-west-1) or set AWS_REGION');
  });
});
