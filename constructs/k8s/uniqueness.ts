import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';

/**
 * One object name per cluster: two constructs of an app that emit an object of the same API group,
 * kind, namespace and name would overwrite each other on `kubectl apply` (one wins, silently).
 * Every cdk-mlops construct that emits objects registers as their owner; at synth, each owner
 * checks every ApiObject of the app (its own, other owners', and the user's), generically, so a new
 * kind of object is covered without a list.
 */
export interface ObjectOwner {
  /** For messages: "MlPipeline 'Iris'". */
  readonly title: string;
  /** Where the owner's object names come from, e.g. "the pipeline name 'Iris', lowercased". */
  readonly nameOrigin: string;
  /** The base name its objects derive from. */
  readonly baseName: string;
  /** The name the base name was derived from, as given (before lowercasing). */
  readonly givenName: string;
  /** How to make this owner's names distinct. */
  readonly fix: string;
  /** Creates the owner's objects if it creates them lazily (idempotent). */
  renderObjects(): void;
}

const OWNER = Symbol.for('cdk-mlops.k8s.ObjectOwner');

/** Marks `scope` as the owner of every ApiObject under it and checks their names at synth. */
export function registerObjectOwner(scope: IConstruct, owner: ObjectOwner): void {
  Object.defineProperty(scope, OWNER, { value: owner });
}

function ownerOf(c: IConstruct): ObjectOwner | undefined {
  return (c as unknown as { [OWNER]?: ObjectOwner })[OWNER];
}

/** Cluster-scoped built-in kinds, which a namespaced chart's namespace does not apply to. */
const CLUSTER_SCOPED = new Set([
  'Namespace', 'Node', 'PersistentVolume', 'StorageClass', 'PriorityClass', 'ClusterRole', 'ClusterRoleBinding',
  'CustomResourceDefinition', 'ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration', 'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding', 'APIService', 'RuntimeClass', 'IngressClass', 'CSIDriver', 'VolumeAttachment',
]);

interface Emitted {
  readonly object: ApiObject;
  /** The construct that owns the object: a registered owner, or the object itself. */
  readonly emitter: IConstruct;
  readonly owner?: ObjectOwner;
}

function keyOf(o: ApiObject): { key: string; text: string } {
  const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
  const namespace = CLUSTER_SCOPED.has(o.kind) ? undefined : o.metadata.namespace;
  const text = `${o.kind} '${o.name}'${namespace !== undefined ? ` in namespace '${namespace}'` : ' (cluster-scoped)'}`;
  return { key: JSON.stringify([group, o.kind, namespace ?? null, o.name]), text: `${text} (${o.apiVersion})` };
}

/**
 * The collisions `scope` (a registered owner) is the one to report: those among its own objects,
 * those with objects no owner emits, and those with another owner that comes before it in the
 * tree (of two owners, the later one reports, once).
 */
export function collisionProblems(scope: IConstruct): string[] {
  const self = ownerOf(scope);
  if (!self) {
    return [];
  }
  scope.node.root.node.findAll().forEach((c) => ownerOf(c)?.renderObjects());
  const order = new Map(scope.node.root.node.findAll().map((c, i) => [c, i]));
  const groups = new Map<string, { text: string; emitted: Emitted[] }>();
  for (const c of order.keys()) {
    if (!ApiObject.isApiObject(c)) {
      continue;
    }
    const emitter = [...c.node.scopes].reverse().find((s) => ownerOf(s) !== undefined) ?? c;
    const { key, text } = keyOf(c);
    const group = groups.get(key) ?? { text, emitted: [] };
    group.emitted.push({ object: c, emitter, owner: ownerOf(emitter) });
    groups.set(key, group);
  }

  const mine: string[] = [];
  const byOther = new Map<IConstruct, { other?: ObjectOwner; objects: string[] }>();
  for (const { text, emitted } of groups.values()) {
    if (emitted.length < 2) {
      continue;
    }
    const own = emitted.filter((e) => e.emitter === scope);
    if (own.length > 1) {
      mine.push(`${text}, from ${own.map((e) => `'${e.object.node.path}'`).join(' and ')}`);
    }
    if (own.length === 0) {
      continue;
    }
    for (const e of emitted) {
      if (e.emitter !== scope && (!e.owner || order.get(e.emitter)! < order.get(scope)!)) {
        const entry = byOther.get(e.emitter) ?? { other: e.owner, objects: [] };
        if (!entry.objects.includes(text)) {
          entry.objects.push(text);
        }
        byOther.set(e.emitter, entry);
      }
    }
  }

  const problems: string[] = [];
  if (mine.length > 0) {
    problems.push(`${self.title} emits ${mine.length === 1 ? 'an object' : `${mine.length} objects`} twice: ${mine.join('; ')}; \`kubectl apply\` keeps only one of each, silently. ${self.fix}`);
  }
  for (const [emitter, { other, objects }] of byOther) {
    const who = other ? `${other.title} ('${emitter.node.path}')` : `the ApiObject '${emitter.node.path}'`;
    const count = objects.length === 1 ? 'an object' : `${objects.length} objects`;
    const what = `${count} with the same API group, kind, namespace and name`;
    const sameBase = other && other.baseName === self.baseName
      ? ` Both derive their names from the base name '${self.baseName}': this one from ${self.nameOrigin}, the other from ${other.nameOrigin}${self.givenName !== other.givenName ? ` ('${self.givenName}' and '${other.givenName}' differ only in case, and Kubernetes names are lowercase)` : ''}.`
      : '';
    problems.push(`${self.title} ('${scope.node.path}') and ${who} both emit ${what}: ${objects.join('; ')}; \`kubectl apply\` keeps only one of each, silently.${sameBase} ${self.fix}`);
  }
  return problems;
}

