import { Testing } from 'cdk8s';
import * as YAML from 'yaml';
import { FeatureStoreStack } from '../../examples/feature-store/aws';
import { FeatureStoreChart } from '../../examples/feature-store/k8s';
import { cfnLint, nagFindings, templateOf, testApp } from '../support/aws';
import { broadEgressProblems, podSecurityProblems, resourceProblems, validateManifests } from '../support/k8s';

jest.spyOn(console, 'warn').mockImplementation(() => undefined);

type Json = { [key: string]: any };

describe('examples/feature-store on AWS', () => {
  test('snapshot; cfn-lint clean; the four cdk-nag packs have no unacknowledged finding', () => {
    const app = testApp({ nag: true });
    const stack = new FeatureStoreStack(app, 'FeatureStore');
    const template = templateOf(stack);
    expect(template).toMatchSnapshot();
    expect(cfnLint({ FeatureStore: template }, 'Warning')).toEqual([]);
    expect(nagFindings(app).map((f) => `${f.rule} ${f.path}`)).toEqual([]);
  });

  test('one feature group with both stores under KMS, retained; the writer and reader roles get their grants', () => {
    const template = templateOf(new FeatureStoreStack(testApp(), 'FeatureStore'));
    const groups = Object.values(template.Resources as Json).filter((r: Json) => r.Type === 'AWS::SageMaker::FeatureGroup');
    expect(groups).toHaveLength(1);
    const group = groups[0] as Json;
    expect(group.DeletionPolicy).toBe('Retain');
    expect(group.Properties.OnlineStoreConfig).toEqual(expect.objectContaining({ EnableOnlineStore: true, TtlDuration: { Unit: 'Weeks', Value: 1 }, SecurityConfig: { KmsKeyId: expect.anything() } }));
    expect(group.Properties.OfflineStoreConfig).toEqual(expect.objectContaining({ TableFormat: 'Iceberg', S3StorageConfig: expect.objectContaining({ KmsKeyId: expect.anything() }) }));
    const actions = (role: string) => Object.values(template.Resources as Json)
      .filter((r: Json) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((ref: Json) => ref.Ref?.startsWith(role)))
      .flatMap((p: Json) => p.Properties.PolicyDocument.Statement.flatMap((s: Json) => [s.Action].flat()));
    expect(actions('FeatureJobRole')).toEqual(expect.arrayContaining(['sagemaker:PutRecord']));
    expect(actions('FeatureJobRole')).not.toContain('sagemaker:GetRecord');
    expect(actions('TrainingRole')).toEqual(expect.arrayContaining(['sagemaker:GetRecord']));
    expect(actions('TrainingRole')).not.toContain('sagemaker:PutRecord');
  });
});

describe('examples/feature-store on Kubernetes', () => {
  const objects: Json[] = Testing.synth(new FeatureStoreChart(Testing.app(), 'feature-store'));

  test('snapshot; every manifest validates; pods are restricted and sized; egress is narrow', () => {
    expect(YAML.stringify(objects)).toMatchSnapshot();
    expect(validateManifests(objects)).toEqual([]);
    expect(objects.flatMap((o) => [...podSecurityProblems(o), ...resourceProblems(o), ...broadEgressProblems(o)])).toEqual([]);
  });

  test('Redis, the feature server and the hourly materialization, from one generated Feast repository', () => {
    expect(objects.map((o) => o.kind).sort()).toEqual(expect.arrayContaining(['ConfigMap', 'StatefulSet', 'Deployment', 'CronJob', 'PersistentVolumeClaim', 'NetworkPolicy']));
    expect(objects.find((o) => o.kind === 'CronJob')!.spec.schedule).toBe('0 * * * *');
  });
});
