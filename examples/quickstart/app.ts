import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { App as K8sApp, Chart } from 'cdk8s';
import { aws, Code, Condition, k8s, Parameter, Pipeline, Schedule, Step } from 'cdk-mlops';

// One pipeline definition ...
const pipeline = new Pipeline('iris', { parameters: { minAccuracy: Parameter.number(0.9) } });
const code = Code.fromDirectory(path.join(__dirname, '..', 'iris', 'steps'));
const extract = Step.script('extract', { code, entry: 'extract.py', outputs: ['raw'] });
const clean = Step.script('clean', { code, entry: 'clean.py', inputs: { raw: extract.output('raw') }, outputs: ['train', 'test'] });
const train = Step.training('train', { code, entry: 'train.py', inputs: { data: clean.output('train') } });
const evaluate = Step.script('evaluate', {
  code, entry: 'evaluate.py', inputs: { model: train.model(), test: clean.output('test') }, outputs: ['report'], metrics: ['accuracy'],
});
pipeline.addStep(extract, clean, train, evaluate, Step.condition('gate', {
  when: Condition.gte(evaluate.metric('accuracy'), pipeline.parameter('minAccuracy')),
  then: [Step.registerModel('register', { model: train.model(), group: 'iris' })],
  otherwise: [Step.fail('too-weak', { message: 'accuracy below minAccuracy' })],
}));

// ... on SageMaker Pipelines, with its role, encrypted bucket, schedule and failure alerts ...
export const awsApp = new App();
new aws.MlPipeline(new Stack(awsApp, 'Ml'), 'Iris', {
  pipeline, orchestrator: aws.Orchestrator.sageMaker(), schedule: Schedule.cron('0 3 * * *'),
});

// ... and on Argo Workflows, with the controller (or k8s.Engine.kubeflow() on a KFP cluster).
export const k8sApp = new K8sApp();
const chart = new Chart(k8sApp, 'ml', { namespace: 'ml' });
// Your API server's addresses (kubectl get endpointslices -l kubernetes.io/service-name=kubernetes):
// the network policies let the controller and the step pods reach it and nothing else.
const apiServer = k8s.NetworkEndpoint.apiServer('10.0.0.1/32');
const argo = new k8s.ArgoWorkflows(chart, 'Argo', {
  apiServer,
  artifactRepository: k8s.ArtifactRepository.s3({
    bucket: 'ml-artifacts', endpoint: 's3.amazonaws.com', region: 'eu-west-1',
    accessKeySecret: { name: 's3-credentials', key: 'accessKey' }, secretKeySecret: { name: 's3-credentials', key: 'secretKey' },
  }),
});
new k8s.MlPipeline(chart, 'Iris', {
  pipeline, engine: k8s.Engine.argo({ controller: argo, defaultImage: 'quay.io/jupyter/scipy-notebook:2024-12-02' }), apiServer,
});
