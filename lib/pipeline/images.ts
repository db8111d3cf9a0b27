import { show } from './errors';
import { isUnresolvedToken, ValueRule } from './rules';

/**
 * Container image references, by the grammar of the OCI distribution reference
 * (github.com/distribution/reference, reference.go), which Docker, containerd, Kubernetes and
 * SageMaker all parse: `[registry[:port]/]path[:tag][@algorithm:hex]`.
 */
export const IMAGE_RULES = {
  reference: {
    what: 'image',
    allowed: "[registry[:port]/]repository[:tag][@digest], e.g. 'python:3.12-slim' or 'ghcr.io/org/app@sha256:<64 hex>'",
    source: 'distribution/reference grammar (reference.go)',
  },
  repository: {
    what: 'image repository',
    allowed: "lower-case path components of letters and digits, separated by '/', each may contain '.', '_', '__' or runs of '-' between letters or digits",
    source: 'distribution/reference: path-component := alpha-numeric [separator alpha-numeric]*, alpha-numeric := [a-z0-9]+',
  },
  registry: {
    what: 'image registry',
    allowed: "a host name (letters, digits, '-' and '.') or an IP address, optionally ':' and a port number",
    source: 'distribution/reference: domain := host [":" port-number]',
  },
  tag: {
    what: 'image tag',
    allowed: "a letter, digit or '_', then up to 127 letters, digits, '_', '.' or '-'",
    source: 'distribution/reference: tag := [\\w][\\w.-]{0,127}',
  },
  digest: {
    what: 'image digest',
    allowed: "algorithm:hex, e.g. 'sha256:' and 64 lower-case hex digits",
    source: 'distribution/reference: digest := algorithm ":" hex; OCI image-spec descriptor.md (sha256 is 64 hex)',
  },
  nameLength: { what: 'image name', allowed: 'at most 255 characters (registry and repository)', source: 'distribution/reference: NameTotalLengthMax = 255' },
} satisfies { [name: string]: ValueRule };

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const IPV6_HOST = /^\[[a-fA-F0-9:]+\]$/;
const PORT = /^[0-9]+$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:([0-9a-fA-F]{32,})$/;
const KNOWN_DIGEST_LENGTHS: { [algorithm: string]: number } = { sha256: 64, sha512: 128 };

/** An image reference split into its parts, as the distribution reference parser splits it. */
export interface ImageParts {
  readonly registry?: string;
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** The parts of a reference, without checking them (registry only when the first part is a host). */
export function splitImage(image: string): ImageParts {
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  let registry: string | undefined;
  const first = rest.indexOf('/');
  if (first >= 0) {
    const head = rest.slice(0, first);
    if (head.includes('.') || head.includes(':') || head === 'localhost' || head !== head.toLowerCase()) {
      registry = head;
      rest = rest.slice(first + 1);
    }
  }
  return { registry, repository: rest, tag, digest };
}

/**
 * The problem of an image reference, each part checked against its rule, or undefined. `what`
 * starts the message, e.g. "image" or "Argo option defaultImage". Deploy-time tokens pass.
 */
export function imageProblem(what: string, image: unknown): string | undefined {
  const example = "e.g. 'python:3.12-slim'";
  if (typeof image !== 'string' || image.trim() === '' || /\s/.test(image)) {
    return `${what} ${show(image)} is not an image reference; give ${example} or omit it`;
  }
  if (isUnresolvedToken(image)) {
    return undefined;
  }
  const bad = (rule: ValueRule, part: string, fix: string) =>
    `${what} ${show(image)} is not a valid image reference: ${rule.what} ${show(part)} is invalid (allowed: ${rule.allowed}); ${fix}`;
  const parts = splitImage(image);
  const { tag, digest } = parts;
  const hostLike = parts.registry !== undefined && (/[.:]/.test(parts.registry) || parts.registry === 'localhost');
  const registry = hostLike ? parts.registry : undefined;
  const repository = hostLike || parts.registry === undefined ? parts.repository : `${parts.registry}/${parts.repository}`;
  if (registry !== undefined && !registryValid(registry)) {
    return bad(IMAGE_RULES.registry, registry, "fix the registry host, e.g. '123456789012.dkr.ecr.eu-west-1.amazonaws.com'");
  }
  const components = repository.split('/');
  const wrong = components.find((c) => !PATH_COMPONENT.test(c));
  if (wrong !== undefined) {
    const lower = components.map((c) => c.toLowerCase()).join('/');
    const fix = wrong !== wrong.toLowerCase() && components.every((c) => PATH_COMPONENT.test(c.toLowerCase()))
      ? `repositories are lower-case: write ${show(lower)}`
      : 'rename the repository';
    return bad(IMAGE_RULES.repository, repository, fix);
  }
  const name = registry === undefined ? repository : `${registry}/${repository}`;
  if (name.length > 255) {
    return `${what} ${show(image)} is not a valid image reference: its name has ${name.length} characters (allowed: ${IMAGE_RULES.nameLength.allowed}); shorten it`;
  }
  if (tag !== undefined && !TAG.test(tag)) {
    return bad(IMAGE_RULES.tag, tag, "fix the tag, e.g. ':3.12-slim'");
  }
  if (digest !== undefined) {
    const match = DIGEST.exec(digest);
    const algorithm = digest.split(':')[0];
    const expected = KNOWN_DIGEST_LENGTHS[algorithm];
    if (!match || (expected !== undefined && (match[1].length !== expected || /[A-F]/.test(match[1])))) {
      return bad(IMAGE_RULES.digest, digest, `copy the digest as the registry shows it${expected ? ` (${algorithm}: ${expected} lower-case hex digits)` : ''}`);
    }
  }
  return undefined;
}

function registryValid(registry: string): boolean {
  const colon = registry.startsWith('[') ? registry.indexOf(']:') + 1 : registry.lastIndexOf(':');
  const host = colon > 0 ? registry.slice(0, colon) : registry;
  const port = colon > 0 ? registry.slice(colon + 1) : undefined;
  if (port !== undefined && !PORT.test(port)) {
    return false;
  }
  return IPV6_HOST.test(host) || host.split('.').every((c) => DOMAIN_COMPONENT.test(c));
}

/**
 * Synth warnings for an image that is not pinned: no tag and no digest means ':latest', and
 * ':latest' moves, so two runs of the same pipeline may run different code. Empty for a tagged
 * or digest-pinned image, and for text that is no image reference (that is an error elsewhere).
 */
export function imageWarnings(what: string, image: unknown): string[] {
  if (typeof image !== 'string' || isUnresolvedToken(image) || imageProblem(what, image) !== undefined) {
    return [];
  }
  const { tag, digest } = splitImage(image);
  if (digest !== undefined) {
    return [];
  }
  const fix = `pin it with a version tag (e.g. '${image.replace(/:latest$/, '')}:1.2.3') or a digest ('@sha256:...') so every run uses the same image`;
  if (tag === undefined) {
    return [`${what} '${image}' has no tag, so it means ':latest', which can change between runs; ${fix}`];
  }
  if (tag === 'latest') {
    return [`${what} '${image}' uses the ':latest' tag, which can change between runs; ${fix}`];
  }
  return [];
}
