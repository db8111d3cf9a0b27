import { Parameter, Pipeline, RateUnit, Schedule, Step, Value } from '../../lib';
import { IMAGE_RULES, imageProblem, imageWarnings, splitImage } from '../../lib/pipeline/images';
import { processTextProblem, urlProblem } from '../../lib/pipeline/rules';
import { timeZoneProblem } from '../../lib/pipeline/time-zones';
import { pipelineImageWarnings } from '../../lib/pipeline/image-warnings';
import { FIXTURE_CODE } from '../conformance/features';

const code = FIXTURE_CODE;
const entry = 'noop.py';

function stepProblems(props: { image?: string; env?: { [k: string]: string }; arguments?: string[]; params?: { [k: string]: Value } }): string[] {
  const p = new Pipeline('grammar');
  p.addStep(Step.script('a', { code, entry, ...props }));
  return p.problems();
}

describe('image references follow the OCI distribution grammar', () => {
  test.each([
    'python:3.12-slim',
    'busybox',
    'library/python:3.12',
    'ghcr.io/org/team/app:v1.2.3',
    'localhost:5000/app:dev',
    '[::1]:5000/app:1',
    '123456789012.dkr.ecr.eu-west-1.amazonaws.com/models/churn:2024-01-01',
    `quay.io/org/app@sha256:${'a'.repeat(64)}`,
    `quay.io/org/app:1.0@sha256:${'0'.repeat(64)}`,
    'a__b/c-d/e--f/g.h:_tag',
    '${Token[AWS.AccountId.1]}.dkr.ecr.${Token[AWS.Region.2]}.amazonaws.com/app:v1',
  ])('%s is accepted', (image) => {
    expect(imageProblem('image', image)).toBeUndefined();
  });

  test('upper-case repository letters, with the lower-case name as the fix', () => {
    expect(stepProblems({ image: 'ghcr.io/MyOrg/App:1' })).toEqual([
      `step 'a': image 'ghcr.io/MyOrg/App:1' is not a valid image reference: image repository 'MyOrg/App' is invalid (allowed: ${IMAGE_RULES.repository.allowed}); repositories are lower-case: write 'myorg/app'`,
    ]);
    expect(imageProblem('image', 'Python:3.12')).toBe(
      `image 'Python:3.12' is not a valid image reference: image repository 'Python' is invalid (allowed: ${IMAGE_RULES.repository.allowed}); repositories are lower-case: write 'python'`,
    );
  });

  test('a bad tag, digest, registry or path component', () => {
    expect(imageProblem('image', 'python:-slim')).toBe(
      `image 'python:-slim' is not a valid image reference: image tag '-slim' is invalid (allowed: ${IMAGE_RULES.tag.allowed}); fix the tag, e.g. ':3.12-slim'`,
    );
    expect(imageProblem('image', `python:${'x'.repeat(129)}`)).toMatch(/image tag 'x{129}' is invalid/);
    expect(imageProblem('image', 'python@sha256:abc')).toBe(
      `image 'python@sha256:abc' is not a valid image reference: image digest 'sha256:abc' is invalid (allowed: ${IMAGE_RULES.digest.allowed}); copy the digest as the registry shows it (sha256: 64 lower-case hex digits)`,
    );
    expect(imageProblem('image', `python@sha256:${'A'.repeat(64)}`)).toMatch(/image digest 'sha256:A{64}' is invalid/);
    expect(imageProblem('image', 'python@md5')).toMatch(/image digest 'md5' is invalid/);
    expect(imageProblem('image', 'registry.io:http/app:1')).toBe(
      `image 'registry.io:http/app:1' is not a valid image reference: image registry 'registry.io:http' is invalid (allowed: ${IMAGE_RULES.registry.allowed}); fix the registry host, e.g. '123456789012.dkr.ecr.eu-west-1.amazonaws.com'`,
    );
    expect(imageProblem('image', 'org//app')).toMatch(/image repository 'org\/\/app' is invalid .*; rename the repository$/);
    expect(imageProblem('image', 'a___b')).toMatch(/image repository 'a___b' is invalid/);
    expect(imageProblem('image', 'app-')).toMatch(/image repository 'app-' is invalid/);
    expect(imageProblem('image', `r.io/${'a'.repeat(260)}:1`)).toBe(
      `image 'r.io/${'a'.repeat(260)}:1' is not a valid image reference: its name has 265 characters (allowed: at most 255 characters (registry and repository)); shorten it`,
    );
  });

  test('blank text and non-strings keep the old message', () => {
    expect(stepProblems({ image: 'has space' })).toEqual(["step 'a': image 'has space' is not an image reference; give e.g. 'python:3.12-slim' or omit it"]);
    expect(imageProblem('Argo option defaultImage', 42)).toBe("Argo option defaultImage 42 is not an image reference; give e.g. 'python:3.12-slim' or omit it");
  });

  test('split into parts as the distribution parser does', () => {
    expect(splitImage('localhost:5000/a/b:1@sha256:x')).toEqual({ registry: 'localhost:5000', repository: 'a/b', tag: '1', digest: 'sha256:x' });
    expect(splitImage('library/python')).toEqual({ registry: undefined, repository: 'library/python', tag: undefined, digest: undefined });
  });
});

describe('unpinned images get a warning, not an error', () => {
  test('untagged means :latest', () => {
    expect(imageWarnings("step 'a' image", 'busybox')).toEqual([
      "step 'a' image 'busybox' has no tag, so it means ':latest', which can change between runs; pin it with a version tag (e.g. 'busybox:1.2.3') or a digest ('@sha256:...') so every run uses the same image",
    ]);
  });

  test(':latest', () => {
    expect(imageWarnings('image', 'ghcr.io/org/app:latest')).toEqual([
      "image 'ghcr.io/org/app:latest' uses the ':latest' tag, which can change between runs; pin it with a version tag (e.g. 'ghcr.io/org/app:1.2.3') or a digest ('@sha256:...') so every run uses the same image",
    ]);
  });

  test('a version tag, a digest, a token or an invalid reference: no warning', () => {
    expect(imageWarnings('image', 'python:3.12')).toEqual([]);
    expect(imageWarnings('image', `python@sha256:${'a'.repeat(64)}`)).toEqual([]);
    expect(imageWarnings('image', `python:latest@sha256:${'a'.repeat(64)}`)).toEqual([]);
    expect(imageWarnings('image', '${Token[TOKEN.1]}')).toEqual([]);
    expect(imageWarnings('image', 'Not Valid')).toEqual([]);
  });
});

describe('env values, arguments and string params can be passed to a process', () => {
  test('a NUL byte in an env value, an argument or a literal param', () => {
    expect(stepProblems({ env: { MODE: 'a\0b' }, arguments: ['--x', 'y\0'], params: { tag: Value.string('v\0') } })).toEqual([
      `step 'a': argument 2 "y\\u0000" contains a NUL character, which a process environment or argument cannot hold (allowed: no NUL character ('\\0') and no unpaired UTF-16 surrogate); remove it`,
      `step 'a': param 'tag' value "v\\u0000" contains a NUL character, which a process environment or argument cannot hold (allowed: no NUL character ('\\0') and no unpaired UTF-16 surrogate); remove it`,
      `step 'a': env MODE value "a\\u0000b" contains a NUL character, which a process environment or argument cannot hold (allowed: no NUL character ('\\0') and no unpaired UTF-16 surrogate); remove it`,
    ]);
  });

  test('an unpaired surrogate, and a value that is not text', () => {
    expect(processTextProblem('env X value', 'a\uD800b')).toBe(
      `env X value "a\\ud800b" contains an unpaired UTF-16 surrogate, which has no UTF-8 encoding (allowed: no NUL character ('\\0') and no unpaired UTF-16 surrogate); remove it or fix the string's encoding`,
    );
    expect(stepProblems({ env: { X: 3 as unknown as string } })).toEqual(["step 'a': env X value 3 is not text; give a string"]);
  });

  test('other text passes, emoji and newlines included', () => {
    expect(stepProblems({ env: { X: 'line1\nline2 😀' }, arguments: ['--flag=ä'] })).toEqual([]);
  });
});

describe('time zones are exact tz database names', () => {
  test('the wrong case is refused with the exact name as the fix', () => {
    expect(() => Schedule.daily({ timeZone: 'europe/paris' })).toThrow(
      "Schedule: time zone 'europe/paris' is not spelled as in the tz database (allowed: an IANA tz database name, spelled exactly (case-sensitive), e.g. 'UTC', 'Europe/Paris', 'America/New_York', 'Etc/GMT+5'); schedulers look names up case-sensitively, write 'Europe/Paris'",
    );
    expect(timeZoneProblem('time zone', 'utc')).toMatch(/write 'UTC'$/);
    expect(timeZoneProblem('time zone', 'etc/gmt+5')).toMatch(/write 'Etc\/GMT\+5'$/);
    expect(timeZoneProblem('time zone', 'us/eastern')).toMatch(/write 'US\/Eastern'$/);
    expect(timeZoneProblem('time zone', 'america/port-au-prince')).toMatch(/write 'America\/Port-au-Prince'$/);
  });

  test('a link Intl does not list (it varies by Node version), in the wrong case, still gets its spelling', () => {
    expect(timeZoneProblem('time zone', 'asia/kolkata')).toMatch(/^time zone 'asia\/kolkata' is not spelled as in the tz database .*'Asia\/Kolkata'$/);
  });

  test.each(['UTC', 'Etc/UTC', 'GMT', 'Etc/GMT-14', 'Europe/Paris', 'America/Argentina/Buenos_Aires', 'US/Pacific', 'Asia/Kolkata', 'EST5EDT'])('%s is accepted', (zone) => {
    expect(timeZoneProblem('time zone', zone)).toBeUndefined();
    expect(Schedule.rate(1, RateUnit.DAYS, { timeZone: zone }).timeZone).toBe(zone);
  });

  test('an unknown zone keeps its message', () => {
    expect(() => Schedule.daily({ timeZone: 'Mars/Olympus' })).toThrow("Schedule: time zone 'Mars/Olympus' is not an IANA time zone; use e.g. 'UTC' or 'Europe/Berlin'");
  });
});

describe('URL props parse as URLs with an allowed scheme', () => {
  const schemes = ['http', 'https'];
  test('a URL that does not parse, or has no host', () => {
    expect(urlProblem('Engine.kubeflow option apiUrl', 'ml-pipeline:8888', schemes)).toBe(
      "Engine.kubeflow option apiUrl 'ml-pipeline:8888' is not a URL (allowed: an absolute URL (scheme://host[:port][/path]) with one of the schemes listed: http://, https://); give the full address, e.g. 'http://ml-pipeline.kubeflow.svc:8888'",
    );
    expect(urlProblem('apiUrl', 'not a url', schemes)).toBe(
      "apiUrl 'not a url' is not a URL (allowed: an absolute URL (scheme://host[:port][/path]) with one of the schemes listed: http://, https://); give the full address, e.g. 'http://ml-pipeline.kubeflow.svc:8888'",
    );
    expect(urlProblem('apiUrl', 'http://', schemes)).toMatch(/^apiUrl 'http:\/\/' is not a URL/);
    expect(urlProblem('apiUrl', 42, schemes)).toMatch(/^apiUrl 42 is not a URL/);
  });

  test('a scheme outside the list', () => {
    expect(urlProblem('apiUrl', 'ftp://host/x', schemes)).toMatch(/^apiUrl 'ftp:\/\/host\/x' has scheme 'ftp' \(allowed: .*http:\/\/, https:\/\/\)/);
  });

  test('good URLs, tokens and unset pass', () => {
    expect(urlProblem('apiUrl', 'http://ml-pipeline.kubeflow.svc.cluster.local:8888', schemes)).toBeUndefined();
    expect(urlProblem('apiUrl', 'https://[::1]:8443/api', schemes)).toBeUndefined();
    expect(urlProblem('apiUrl', '${Token[TOKEN.9]}', schemes)).toBeUndefined();
    expect(urlProblem('apiUrl', undefined, schemes)).toBeUndefined();
  });
});

describe('pipelineImageWarnings', () => {
  test('step images, and engine defaults only when a step runs them', () => {
    const p = new Pipeline('warn');
    p.addStep(Step.script('own', { code, entry, image: 'ghcr.io/org/app' }), Step.script('uses-default', { code, entry }));
    expect(pipelineImageWarnings(p, { 'Argo option defaultImage': 'python:latest', 'Argo option utilityImage': undefined })).toEqual([
      "step 'own': image 'ghcr.io/org/app' has no tag, so it means ':latest', which can change between runs; pin it with a version tag (e.g. 'ghcr.io/org/app:1.2.3') or a digest ('@sha256:...') so every run uses the same image",
      "Argo option defaultImage 'python:latest' uses the ':latest' tag, which can change between runs; pin it with a version tag (e.g. 'python:1.2.3') or a digest ('@sha256:...') so every run uses the same image",
    ]);
    const own = new Pipeline('own');
    own.addStep(Step.script('own', { code, entry, image: 'python:3.12' }));
    expect(pipelineImageWarnings(own, { 'Argo option defaultImage': 'python:latest' })).toEqual([]);
  });
});

describe('string parameters hold text a process can take', () => {
  test('a NUL in a default, an allowed value or a value given for a run', () => {
    const p = new Pipeline('params', { parameters: { mode: Parameter.string('a\0', { allowedValues: ['a\0', 'b'] }) } });
    p.addStep(Step.script('s', { code, entry }));
    expect(p.problems()).toEqual([
      `parameter 'mode': default "a\\u0000" contains a NUL character, which a process environment or argument cannot hold (allowed: no NUL character ('\\0') and no unpaired UTF-16 surrogate); remove it`,
      `parameter 'mode': allowed value "a\\u0000" contains a NUL character, which a process environment or argument cannot hold (allowed: no NUL character ('\\0') and no unpaired UTF-16 surrogate); remove it`,
    ]);
    const q = new Pipeline('given', { parameters: { tag: Parameter.string('v1') } });
    expect(() => q.resolveParameters({ tag: 'v\0' })).toThrow(`parameter 'tag': value "v\\u0000" contains a NUL character`);
  });
});
