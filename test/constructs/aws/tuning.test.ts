/**
 * aws.MlPipeline with a tuning step (the katib-gated-deploy example) on SageMaker: the template
 * passes cfn-lint and botocore, the execution role may run the tuning job and its trials, and the
 * trial tarball is an asset the role reads, named in the Tuning step.
 */
import { Stack } from 'aws-cdk-lib';
import { MlPipeline, Orchestrator } from '../../../constructs/aws';
import { gatedDeployPipeline } from '../../../examples/katib-gated-deploy/pipeline';
import { cfnLint, checkSageMakerArguments, nagFindings, sageMakerDefinitions, templateOf, testApp } from '../../support/aws';

type Json = { [key: string]: any };

const ENV = { account: '123456789012', region: 'eu-west-1' };

function synth(nag = false) {
  const app = testApp({ nag });
  const stack = new Stack(app, 'Tuned', { env: ENV });
  new MlPipeline(stack, 'Pipeline', { pipeline: gatedDeployPipeline(), orchestrator: Orchestrator.sageMaker() });
  return { app, stack };
}

describe('a tuning pipeline on SageMaker', () => {
  const template = templateOf(synth().stack);
  const statements: Json[] = Object.values<Json>(template.Resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.PolicyName === 'MlPipelineExecution')
    .flatMap((r) => r.Properties.PolicyDocument.Statement);
  const bySid = (sid: string) => statements.find((s) => s.Sid === sid);

  test('cfn-lint finds no error and the definition fits botocore', () => {
    expect(cfnLint({ Tuned: template })).toEqual([]);
    const definitions = sageMakerDefinitions(template);
    expect(Object.keys(definitions)).toHaveLength(1);
    expect(checkSageMakerArguments(definitions)).toEqual([]);
  });

  test('the execution role runs tuning jobs, their training jobs, and passes itself to them', () => {
    expect(bySid('RunHyperParameterTuningJobs')).toEqual({
      Sid: 'RunHyperParameterTuningJobs',
      Effect: 'Allow',
      Action: [
        'sagemaker:CreateHyperParameterTuningJob', 'sagemaker:DescribeHyperParameterTuningJob',
        'sagemaker:ListTrainingJobsForHyperParameterTuningJob', 'sagemaker:StopHyperParameterTuningJob', 'sagemaker:AddTags',
      ],
      Resource: 'arn:aws:sagemaker:eu-west-1:123456789012:hyper-parameter-tuning-job/*',
    });
    expect(bySid('RunTrainingJobs')?.Action).toEqual(['sagemaker:CreateTrainingJob', 'sagemaker:DescribeTrainingJob', 'sagemaker:StopTrainingJob', 'sagemaker:AddTags']);
    expect(bySid('PassThisRoleToJobs')).toMatchObject({ Action: 'iam:PassRole', Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } } });
    expect(bySid('PublishTrainingMetrics')).toBeDefined();
  });

  test("the trial tarball is an asset named in the Tuning step, and the role reads that object", () => {
    const definition = Object.values(sageMakerDefinitions(template))[0] as Json;
    const hpo = definition.Steps.find((s: Json) => s.Name === 'hpo');
    const submit: string = hpo.Arguments.TrainingJobDefinition.StaticHyperParameters.sagemaker_submit_directory;
    const key = /^s3:\/\/cdk-hnb659fds-assets-123456789012-eu-west-1\/([0-9a-f]{64}\.gz)$/.exec(submit)?.[1];
    expect(key).toBeDefined();
    expect(bySid('ReadStepCode')?.Resource).toContain(`arn:aws:s3:::cdk-hnb659fds-assets-123456789012-eu-west-1/${key}`);
    // The trial runs from its tarball only: the code archive of its directory is not shipped for it.
    expect(hpo.Arguments.TrainingJobDefinition.InputDataConfig.map((c: Json) => c.ChannelName)).toEqual(['train', 'test']);
  });

  test('the four cdk-nag packs have no unacknowledged finding', () => {
    const { app } = synth(true);
    expect(nagFindings(app).map((f) => `${f.rule} ${f.path}`)).toEqual([]);
  });
});
