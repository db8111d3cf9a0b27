/** Shared pieces of the CanaryEndpoint tests: a stack to put endpoints in, sources, template queries. */
import { Stack } from 'aws-cdk-lib';
import { CanaryEndpoint, CanaryEndpointProps, ModelSource } from '../../../constructs/aws';
import { testApp } from './index';

export const IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/iris-serving:1';
export const MODEL_DATA = 's3://iris-models/iris/model.tar.gz';

/** The Iris model from an artifact. */
export function irisArtifact(): ModelSource {
  return ModelSource.fromArtifact(IMAGE, MODEL_DATA);
}

/** A stack in a test app (nag on when asked). */
export function endpointStack(nag = false): Stack {
  return new Stack(testApp({ nag }), 'S', { env: { account: '123456789012', region: 'eu-west-1' } });
}

/** One endpoint 'Ep' in a fresh stack, with the Iris artifact unless props say otherwise. */
export function endpointIn(props: Partial<CanaryEndpointProps> = {}): { stack: Stack; endpoint: CanaryEndpoint } {
  const stack = endpointStack();
  const endpoint = new CanaryEndpoint(stack, 'Ep', { model: irisArtifact(), ...props });
  return { stack, endpoint };
}

/** The resources of one type in a template, by logical ID. */
export function resourcesOf(template: any, type: string): { [id: string]: any } {
  return Object.fromEntries(Object.entries<any>(template.Resources).filter(([, r]) => r.Type === type));
}

/** The only resource of a type in a template (fails when there are more or none). */
export function only(template: any, type: string): any {
  const found = Object.values(resourcesOf(template, type));
  if (found.length !== 1) {
    throw new Error(`expected one ${type}, found ${found.length}`);
  }
  return found[0];
}
