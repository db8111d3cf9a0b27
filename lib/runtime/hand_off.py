"""cdk-mlops endpoint hand-off: points a Kubernetes model endpoint at a newly registered model.

    python3 hand_off.py --object-path /apis/argoproj.io/v1alpha1/namespaces/ml/rollouts/iris \
        --annotations-path spec.template.metadata.annotations --uri s3://bucket/models/iris/V/model --version V

A pipeline runs it after a register step succeeds. It GETs the endpoint's object (a Rollout or an
InferenceService) and PATCHes (JSON merge patch) two annotations of its pod template,
mlops.cdk.io/model-uri and mlops.cdk.io/model-version, which the server pods read through the
downward API. That changes the pod template, so Argo Rollouts runs its canary steps and analysis
(KServe makes a canary revision). The endpoint's manifest never sets these annotations, so a later
`kubectl apply` of it keeps the handed-over model.

It talks to the API server the pod runs next to: https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT
with the service account's token and CA (--api-server, --token-file and --ca-file override them).
Exit status 0 on success (also when the object already serves this URI), 1 with the reason on stderr.
Standard library only (Python 3.8+).
"""
import argparse
import json
import os
import ssl
import sys
import urllib.error
import urllib.request

SERVICE_ACCOUNT = "/var/run/secrets/kubernetes.io/serviceaccount"
URI_ANNOTATION = "mlops.cdk.io/model-uri"
VERSION_ANNOTATION = "mlops.cdk.io/model-version"
PREFIX = "[mlops-hand-off]"
# Named in the object's managedFields as the owner of the two annotations; a server-side apply by
# another manager (kubectl, cdk8s) that does not set them leaves them alone.
FIELD_MANAGER = "mlops-hand-off"


class HandOffError(Exception):
    """A failure the step reports in one line and exits 1 on."""


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="hand_off.py", description="Hands a registered model to a Kubernetes endpoint")
    parser.add_argument("--object-path", required=True, help="API path of the endpoint's object")
    parser.add_argument("--annotations-path", required=True, help="dotted path of the pod-template annotations in the object")
    parser.add_argument("--uri", required=True, help="the registered model's URI")
    parser.add_argument("--version", required=True, help="the registered version")
    parser.add_argument("--api-server", default=None, help="default: https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT")
    parser.add_argument("--token-file", default=os.path.join(SERVICE_ACCOUNT, "token"))
    parser.add_argument("--ca-file", default=os.path.join(SERVICE_ACCOUNT, "ca.crt"))
    return parser.parse_args(argv)


def api_server(args):
    if args.api_server:
        return args.api_server.rstrip("/")
    host, port = os.environ.get("KUBERNETES_SERVICE_HOST"), os.environ.get("KUBERNETES_SERVICE_PORT", "443")
    if not host:
        raise HandOffError("KUBERNETES_SERVICE_HOST is not set: this step must run in a Kubernetes pod (or pass --api-server)")
    return "https://%s:%s" % ("[%s]" % host if ":" in host else host, port)


def read_token(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError as e:
        raise HandOffError("cannot read the service account token %s (%s): the pod needs automountServiceAccountToken" % (path, e.strerror))


def merge_patch(annotations_path, annotations):
    patch = annotations
    for key in reversed(annotations_path.split(".")):
        patch = {key: patch}
    return patch


def annotations_of(obj, annotations_path):
    for key in annotations_path.split("."):
        obj = obj.get(key) if isinstance(obj, dict) else None
    return obj if isinstance(obj, dict) else {}


def explain(method, url, error, object_path):
    try:
        message = json.loads(error.read().decode("utf-8", "replace")).get("message", "")
    except (ValueError, AttributeError):
        message = ""
    detail = " (%s)" % message if message else ""
    if error.code == 404:
        return "%s %s: 404 Not Found%s; the endpoint's object does not exist: apply the endpoint's manifest first (kubectl apply -f ...), then run the pipeline again" % (method, object_path, detail)
    if error.code in (401, 403):
        return ("%s %s: %d %s%s; the hand-off's service account may only get and patch this one object: apply the Role and RoleBinding "
                "the manifest holds for it (names ending in -hand-off)" % (method, object_path, error.code, error.reason, detail))
    return "%s %s: HTTP %d %s%s" % (method, url, error.code, error.reason, detail)


def request(args, base, token, method, body=None):
    url = base + args.object_path + ("?fieldManager=" + FIELD_MANAGER if method == "PATCH" else "")
    headers = {"Authorization": "Bearer " + token, "Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body, sort_keys=True).encode("utf-8")
        headers["Content-Type"] = "application/merge-patch+json"
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    context = None
    if url.startswith("https:"):
        context = ssl.create_default_context(cafile=args.ca_file if os.path.exists(args.ca_file) else None)
    try:
        with urllib.request.urlopen(req, context=context, timeout=30) as response:
            return json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as e:
        raise HandOffError(explain(method, url, e, args.object_path))
    except urllib.error.URLError as e:
        raise HandOffError("%s %s: cannot reach the API server (%s); the pod needs egress to it (MlPipeline apiServer)" % (method, url, e.reason))


def hand_off(args):
    base, token = api_server(args), read_token(args.token_file)
    current = annotations_of(request(args, base, token, "GET"), args.annotations_path)
    if current.get(URI_ANNOTATION) == args.uri and current.get(VERSION_ANNOTATION) == args.version:
        print("%s %s already serves version %s (%s)" % (PREFIX, args.object_path, args.version, args.uri))
        return
    patch = merge_patch(args.annotations_path, {URI_ANNOTATION: args.uri, VERSION_ANNOTATION: args.version})
    request(args, base, token, "PATCH", patch)
    print("%s %s now serves version %s (%s); was %s" % (PREFIX, args.object_path, args.version, args.uri, current.get(VERSION_ANNOTATION) or "none"))


def main(argv):
    args = parse_args(argv)
    try:
        hand_off(args)
    except HandOffError as e:
        sys.stderr.write("%s %s\n" % (PREFIX, e))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
