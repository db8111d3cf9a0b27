import { Chart, Testing } from 'cdk8s';
import { execFileSync } from 'child_process';
import * as path from 'path';
import { CanaryEndpoint, ModelServer, ServedModel } from '../../../../constructs/k8s/endpoint';
import { handOffTarget } from '../../../../constructs/k8s/endpoint/hand-off-target';
import { ModelServerKind } from '../../../../constructs/k8s/endpoint/model-server';
import { Engine, MlPipeline, NetworkEndpoint } from '../../../../constructs/k8s';
import { HAND_OFF_PATH } from '../../../../lib/runtime/paths';
import { Code, Pipeline, Step } from '../../../../lib';

/**
 * Re-deploying an endpoint after a pipeline handed it a model keeps that model.
 *
 * `kubectl apply` of a custom resource (a Rollout, an InferenceService: no strategic-merge schema)
 * sends a JSON merge patch computed by jsonmergepatch.CreateThreeWayJSONMergePatch(original =
 * the last-applied-configuration annotation, modified = the manifest, current = the live object):
 * every value of `modified` that differs from `current` is set (lists whole), and every key of
 * `original` missing from `modified` is deleted; keys only `current` has are kept. kubectl needs a
 * server even for --dry-run=client, so this test computes that patch itself, on the synthesized
 * manifest and the live object after the hand-off's own patch (computed by hand_off.py's
 * merge_patch), and applies it with RFC 7386. Server-side apply is modelled too: a manager's
 * re-apply removes only fields it applied before and applies no more; the hand-off's annotations
 * belong to its own field manager.
 */

jest.spyOn(console, 'warn').mockImplementation(() => undefined);

type Json = { [key: string]: any };
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const isMap = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

/** RFC 7386 JSON merge patch, as the API server applies it. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isMap(patch)) {
    return clone(patch);
  }
  const result: Json = isMap(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[key];
    } else {
      result[key] = mergePatch(result[key], value);
    }
  }
  return result;
}

/** What differs from `from` to `to`: changed and added values (deletions left out). */
function additions(from: unknown, to: Json): Json {
  const patch: Json = {};
  for (const [key, value] of Object.entries(to)) {
    const current = isMap(from) ? from[key] : undefined;
    if (isMap(value) && isMap(current)) {
      const inner = additions(current, value);
      if (Object.keys(inner).length > 0) {
        patch[key] = inner;
      }
    } else if (JSON.stringify(value) !== JSON.stringify(current)) {
      patch[key] = clone(value);
    }
  }
  return patch;
}

/** Keys of `from` that `to` no longer has, as nulls. */
function deletions(from: Json, to: unknown): Json {
  const patch: Json = {};
  for (const [key, value] of Object.entries(from)) {
    const next = isMap(to) ? to[key] : undefined;
    if (next === undefined) {
      patch[key] = null;
    } else if (isMap(value) && isMap(next)) {
      const inner = deletions(value, next);
      if (Object.keys(inner).length > 0) {
        patch[key] = inner;
      }
    }
  }
  return patch;
}

/** The object as kubectl apply sends it: the manifest with its last-applied-configuration annotation. */
function withLastApplied(manifest: Json): Json {
  const applied = clone(manifest);
  applied.metadata.annotations = { ...(applied.metadata.annotations ?? {}), [LAST_APPLIED]: JSON.stringify(manifest) };
  return applied;
}

/** `kubectl apply` (client side) of `manifest` onto `live`: the three-way JSON merge patch, applied. */
function kubectlApply(live: Json, manifest: Json): Json {
  const original = JSON.parse(live.metadata.annotations[LAST_APPLIED]);
  const modified = withLastApplied(manifest);
  const patch = mergePatch(deletions(original, modified), additions(live, modified));
  return mergePatch(live, patch) as Json;
}

/** Every leaf path of an object (lists are atomic, as in a CRD without list-type markers). */
function leaves(value: unknown, prefix: string[] = []): string[][] {
  return isMap(value) && Object.keys(value).length > 0 ? Object.entries(value).flatMap(([k, v]) => leaves(v, [...prefix, k])) : [prefix];
}

/** Server-side apply by one manager: removes what it applied before and no longer applies, then sets what it applies. */
function serverSideApply(live: Json, previous: Json, manifest: Json): Json {
  const now = new Set(leaves(manifest).map((p) => p.join('\0')));
  let result = clone(live);
  for (const owned of leaves(previous).filter((p) => !now.has(p.join('\0')))) {
    result = mergePatch(result, owned.reduceRight<unknown>((inner, key) => ({ [key]: inner }), null)) as Json;
  }
  return mergePatch(result, manifest) as Json;
}

/** The patch hand_off.py sends, from its own merge_patch. */
function handOffPatch(annotationsPath: string[], uri: string, version: string): Json {
  const program = [
    'import importlib.util, json, sys',
    'spec = importlib.util.spec_from_file_location("hand_off", sys.argv[1])',
    'module = importlib.util.module_from_spec(spec)',
    'spec.loader.exec_module(module)',
    'print(json.dumps(module.merge_patch(sys.argv[2], {module.URI_ANNOTATION: sys.argv[3], module.VERSION_ANNOTATION: sys.argv[4]})))',
  ].join('\n');
  return JSON.parse(execFileSync('python3', ['-c', program, HAND_OFF_PATH, annotationsPath.join('.'), uri, version], { encoding: 'utf8' }));
}

function endpointManifest(server: ModelServer, kind: string): Json {
  const chart = new Chart(Testing.app(), 'c', { namespace: 'ml' });
  const pipeline = new Pipeline('iris');
  const train = Step.training('train', { code: Code.fromDirectory(path.join(__dirname, '../../../../examples/iris/steps')), entry: 'train.py' });
  pipeline.addStep(train, Step.registerModel('register', { model: train.model(), group: 'iris' }));
  const ml = new MlPipeline(chart, 'IrisPipeline', { pipeline, engine: Engine.argo({ defaultImage: 'python:3.12-slim', artifactRepositoryBucket: 'mlops' }), networkPolicies: false });
  new CanaryEndpoint(chart, 'Iris', {
    model: ServedModel.fromPipeline(ml, { image: 'registry.example.com/iris-serving:1', readinessPath: '/ready' }),
    server, replicas: 10, egress: [NetworkEndpoint.ipBlock('10.0.0.0/16', [443])],
  });
  return Testing.synth(chart).find((o) => o.kind === kind)!;
}

const annotationsAt = (object: Json, at: string[]): Json | undefined => at.reduce<any>((o, k) => o?.[k], object);

describe.each([
  ['Rollout', ModelServer.argoRollouts(), ModelServerKind.ARGO_ROLLOUTS],
  ['InferenceService', ModelServer.kserve(), ModelServerKind.KSERVE],
] as const)('%s: re-deploying after a hand-off keeps the handed-over model', (kind, server, serverKind) => {
  const manifest = endpointManifest(server, kind);
  const at = handOffTarget(serverKind, 'iris', 'ml').annotationsPath;
  const uri = 's3://mlops/models/iris/20261203-101500-iris-x/model';
  // First deploy, then the pipeline's hand-off.
  const deployed = withLastApplied(manifest);
  const live = mergePatch(deployed, handOffPatch(at, uri, '20261203-101500-iris-x')) as Json;

  test('the hand-off changes the pod template (so a canary runs) and nothing else', () => {
    expect(annotationsAt(live, at)).toEqual({ 'mlops.cdk.io/model-uri': uri, 'mlops.cdk.io/model-version': '20261203-101500-iris-x' });
    const withoutAnnotations = clone(live);
    delete annotationsAt(withoutAnnotations, at.slice(0, -1))![at[at.length - 1]];
    expect(withoutAnnotations).toEqual(deployed);
  });

  test('kubectl apply of the same manifest keeps the handed-over model, and sends no change at all', () => {
    const original = JSON.parse(live.metadata.annotations[LAST_APPLIED]);
    const modified = withLastApplied(manifest);
    expect(mergePatch(deletions(original, modified), additions(live, modified))).toEqual({});
    expect(kubectlApply(live, manifest)).toEqual(live);
  });

  test('kubectl apply of a changed manifest (another replica count) keeps it too', () => {
    const changed = { ...clone(manifest), spec: { ...clone(manifest.spec), ...(kind === 'Rollout' ? { replicas: 20 } : {}) } };
    if (kind === 'InferenceService') {
      changed.spec.predictor.minReplicas = changed.spec.predictor.maxReplicas = 20;
    }
    const after = kubectlApply(live, changed);
    expect(annotationsAt(after, at)).toEqual(annotationsAt(live, at));
    expect(kind === 'Rollout' ? after.spec.replicas : after.spec.predictor.minReplicas).toBe(20);
  });

  test('server-side apply of the same manifest by another field manager keeps it', () => {
    expect(annotationsAt(serverSideApply(live, manifest, manifest), at)).toEqual(annotationsAt(live, at));
  });

  test('control: a hand-off that patched a field the manifest sets (the container env) would be rolled back', () => {
    const containersOf = (o: Json) => (kind === 'Rollout' ? o.spec.template.spec : o.spec.predictor);
    const envPatched = clone(deployed);
    containersOf(envPatched).containers[0].env = [{ name: 'MLOPS_MODEL_URI', value: uri }];
    expect(containersOf(kubectlApply(envPatched, manifest)).containers[0].env).toEqual(containersOf(manifest).containers[0].env);
  });
});
