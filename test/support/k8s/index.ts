export { askedForAnywhere, broadEgressProblems, EGRESS_ANNOTATION } from './egress';
export { podSecurityProblems, podsOf, resourceProblems } from './pods';
export type { PodSecurityOptions, PodView } from './pods';
export { argoDefinition, customResourceValidators, kubernetesDefinition, kubernetesDefinitionFor, timings } from './schemas';
export { describe as describeObject, labelProblems, metadataProblems, validateManifest, validateManifests } from './validate';
export type { Manifest, ValidationOptions } from './validate';
