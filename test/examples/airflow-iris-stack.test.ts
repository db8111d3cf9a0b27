import { Stack, Token, Tokenization } from 'aws-cdk-lib';
import { AirflowIrisStack, START_DATE } from '../../examples/airflow-iris/aws';
import { dagAst, execDag, pyCompileProblems } from '../support/airflow';
import { cfnLint, nagFindings, templateOf, testApp } from '../support/aws';

/** A CloudFormation expression as short readable text: Ref X -> X, GetAtt A.B -> A.B, joins spelled out. */
function expression(value: any): string {
  if (typeof value === 'string') {
    return value;
  }
  if (value.Ref !== undefined) {
    return value.Ref;
  }
  if (value['Fn::GetAtt'] !== undefined) {
    return value['Fn::GetAtt'].join('.');
  }
  if (value['Fn::Join'] !== undefined) {
    return value['Fn::Join'][1].map(expression).join(value['Fn::Join'][0]);
  }
  if (value['Fn::Sub'] !== undefined) {
    return value['Fn::Sub'];
  }
  if (value['Fn::FindInMap'] !== undefined) {
    return `FindInMap(${value['Fn::FindInMap'].map(expression).join(', ')})`;
  }
  return JSON.stringify(value);
}

/** The DAG file as the stack deploys it, each deploy-time value written as <its CloudFormation expression>. */
function deployedSource(stack: Stack, source: string): string {
  return Tokenization.reverseString(source).tokens.reduce(
    (text, token) => text.split(token.toString()).join(`<${expression(stack.resolve(token))}>`), source);
}

test('the DAG the stack deploys: a daily timetable from START_DATE with catchup, three SageMaker tasks in a chain', () => {
  const app = testApp();
  const stack = new AirflowIrisStack(app, 'AirflowIris');
  const template = templateOf(stack);
  const source = deployedSource(stack, stack.pipeline.definition.source);
  expect(Token.isUnresolved(source)).toBe(false);
  // The code archive's name is its content hash: it changes with the launcher, which is not this file's subject.
  expect(source.replace(/[0-9a-f]{64}\.zip/g, '<code archive>.zip')).toMatchSnapshot();
  expect(pyCompileProblems(source)).toBe('');
  const ast = dagAst(source);
  expect(ast.top_level).toEqual([]);
  expect(ast.task_order).toEqual(['extract', 'clean', 'train']);
  expect(ast.edges).toEqual({ clean: ['extract'], train: ['clean'] });
  expect(ast.tasks.extract.kind).toBe('SageMakerProcessingOperator');
  expect(ast.tasks.clean.kind).toBe('SageMakerProcessingOperator');
  expect(ast.tasks.train.kind).toBe('SageMakerTrainingOperator');
  const run = execDag(source);
  expect(run.dag).toMatchObject({
    schedule: { timetable: 'CronDataIntervalTimetable', cron: '0 0 * * *', timezone: 'UTC' },
    start_date: { datetime: START_DATE.toISOString().replace('.000Z', '+00:00') },
    catchup: true,
    max_active_runs: 1,
  });
  // The run's data interval reaches every step: that is what picks the day's rows and partition.
  for (const id of ['extract', 'clean']) {
    expect(run.tasks[id].kwargs.config.Environment).toMatchObject({
      MLOPS_DATA_INTERVAL_START: '{{ data_interval_start }}',
      MLOPS_DATA_INTERVAL_END: '{{ data_interval_end }}',
    });
  }
  // No SageMaker pipeline: the DAG file goes into the environment's bucket under dags/.
  expect(Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::SageMaker::Pipeline')).toEqual([]);
  const deployments = Object.values<any>(template.Resources).filter((r) => r.Type === 'Custom::CDKBucketDeployment');
  expect(deployments).toHaveLength(1);
  expect(deployments[0].Properties).toMatchObject({ DestinationBucketKeyPrefix: 'dags/', Prune: false });
  expect(deployments[0].Properties.DestinationBucketName).toEqual({ Ref: expect.stringMatching(/^AirflowDags/) });
  expect(cfnLint({ AirflowIris: template })).toEqual([]);
});

test("the stack has no unacknowledged findings in cdk-nag's AwsSolutions, HIPAA, NIST 800-53 R5 and PCI DSS 3.2.1 packs", () => {
  const app = testApp({ nag: true });
  new AirflowIrisStack(app, 'AirflowIris');
  expect(nagFindings(app)).toEqual([]);
});
