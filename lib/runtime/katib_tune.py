"""cdk-mlops tuning step on Kubernetes: runs a Katib Experiment and hands on its best trial.

    python3 katib_tune.py --experiment '<Experiment JSON>' --name-prefix hpo --step hpo --port 8470 \
        --input train=/mlops/inputs/train --trial-env MLOPS_PARAM_X=1 \
        --model-dir <out> --parameters-dir <out> --metric-file accuracy=<out>

It names the Experiment <prefix>-<hash of MLOPS_RUN_ID and the step> (one per run and step; a retry of the step
first deletes the one its earlier attempt created), serves the step's inputs to the trials and
receives their models on --port (HTTP, with a bearer token made for this run: Katib's trial pods
are not Argo's or KFP's, so artifact passing does not reach them), adds the server's address, the
token and the run-time variables to the trial container's environment, creates the Experiment
through the API server the pod runs next to (the service account's token and CA), and polls it:
  Succeeded: copies the best trial's model to --model-dir, writes its hyperparameters to
             --parameters-dir/parameters.json and its objective metric to the --metric-file;
  Failed:    exits 1 with Katib's reason and message.
Models of finished trials that are not the best so far are deleted as it goes. SIGTERM (the step
cancelled or timed out) deletes the Experiment, which stops its trials.
Exit status 0 on success, 1 with the reason on stderr. Standard library only (Python 3.8+).
"""
import argparse
import hashlib
import hmac
import http.server
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import sys
import tarfile
import tempfile
import threading
import time
import urllib.error
import urllib.request

SERVICE_ACCOUNT = "/var/run/secrets/kubernetes.io/serviceaccount"
PREFIX = "[mlops-tune]"
API = "/apis/kubeflow.org/v1beta1/namespaces/%s/experiments"
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
# The checks in extract() are the filter; 'data' (Python >= 3.12) keeps later versions from warning.
EXTRACT = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}


class TuneError(Exception):
    """A failure the step reports in one line and exits 1 on."""


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="katib_tune.py", description="Runs a Katib Experiment and writes its best trial's outputs")
    parser.add_argument("--experiment", required=True, help="the Experiment, JSON, without name and namespace")
    parser.add_argument("--name-prefix", required=True)
    parser.add_argument("--step", required=True, help="the tuning step's name, for messages")
    parser.add_argument("--port", type=int, default=8470, help="where the trials fetch inputs and hand back models")
    parser.add_argument("--input", action="append", default=[], metavar="NAME=DIR", help="an input directory the trials receive")
    parser.add_argument("--trial-env", action="append", default=[], metavar="NAME=VALUE", help="a variable added to the trial container")
    parser.add_argument("--model-dir", required=True)
    parser.add_argument("--parameters-dir", required=True)
    parser.add_argument("--metric-file", required=True, metavar="NAME=PATH")
    parser.add_argument("--work-dir", default=None, help="where trial models are kept until the end; default: a temp dir")
    parser.add_argument("--poll-seconds", type=float, default=10.0)
    parser.add_argument("--run-id", default=os.environ.get("MLOPS_RUN_ID"))
    parser.add_argument("--advertise", default=None, help="the address trials reach this pod at; default: the pod's IP")
    parser.add_argument("--namespace", default=None, help="default: the service account's namespace")
    parser.add_argument("--api-server", default=None, help="default: https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT")
    parser.add_argument("--token-file", default=os.path.join(SERVICE_ACCOUNT, "token"))
    parser.add_argument("--ca-file", default=os.path.join(SERVICE_ACCOUNT, "ca.crt"))
    return parser.parse_args(argv)


def split_pair(text, flag):
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise TuneError("%s %r: expected NAME=VALUE" % (flag, text))
    return name, value


class Api:
    """The Kubernetes API server, through the pod's service account."""

    def __init__(self, args):
        if args.api_server:
            self.base = args.api_server.rstrip("/")
        else:
            host, port = os.environ.get("KUBERNETES_SERVICE_HOST"), os.environ.get("KUBERNETES_SERVICE_PORT", "443")
            if not host:
                raise TuneError("KUBERNETES_SERVICE_HOST is not set: this step must run in a Kubernetes pod (or pass --api-server)")
            self.base = "https://%s:%s" % ("[%s]" % host if ":" in host else host, port)
        try:
            with open(args.token_file) as f:
                self.token = f.read().strip()
        except OSError as e:
            raise TuneError("cannot read the service account token %s (%s): the step pod needs automountServiceAccountToken" % (args.token_file, e.strerror))
        self.context = ssl.create_default_context(cafile=args.ca_file if os.path.exists(args.ca_file) else None) if self.base.startswith("https:") else None
        self.namespace = args.namespace
        if self.namespace is None:
            try:
                with open(os.path.join(SERVICE_ACCOUNT, "namespace")) as f:
                    self.namespace = f.read().strip()
            except OSError:
                raise TuneError("cannot read the pod's namespace from %s/namespace (pass --namespace)" % SERVICE_ACCOUNT)

    def call(self, method, path, body=None, missing_ok=False):
        url = self.base + path
        data = json.dumps(body, sort_keys=True).encode("utf-8") if body is not None else None
        headers = {"Authorization": "Bearer " + self.token, "Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(req, context=self.context, timeout=30) as response:
                return json.loads(response.read().decode("utf-8") or "{}")
        except urllib.error.HTTPError as e:
            if e.code == 404 and missing_ok:
                return None
            raise TuneError(self.explain(method, path, e))
        except urllib.error.URLError as e:
            raise TuneError("%s %s: cannot reach the API server (%s); the step pod needs egress to it (MlPipeline apiServer)" % (method, url, e.reason))

    def explain(self, method, path, error):
        try:
            message = json.loads(error.read().decode("utf-8", "replace")).get("message", "")
        except (ValueError, AttributeError):
            message = ""
        detail = " (%s)" % message if message else ""
        if error.code in (401, 403):
            return ("%s %s: %d %s%s; the step's service account needs create, get and delete on experiments.kubeflow.org in namespace %s: "
                    "apply the Role that MlPipeline renders for a pipeline with a tuning step, or grant them to your own account" % (method, path, error.code, error.reason, detail, self.namespace))
        if error.code == 404:
            return "%s %s: 404 Not Found%s; is Katib (kubeflow.org/v1beta1 Experiment) installed in the cluster?" % (method, path, detail)
        return "%s %s: HTTP %d %s%s" % (method, path, error.code, error.reason, detail)


def make_server(args, token, inputs, models_dir, experiment_name):
    """The trials' side door: GET /inputs/<name> (a tar stream), PUT /models/<trial> (a tar)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, fmt, *values):
            print("%s %s %s" % (PREFIX, self.address_string(), fmt % values), flush=True)

        def authorised(self):
            given = self.headers.get("Authorization", "")
            if hmac.compare_digest(given.encode("utf-8"), ("Bearer " + token).encode("utf-8")):
                return True
            self.send_error(401, "a trial of this run's Experiment sends its bearer token")
            return False

        def do_GET(self):
            if not self.authorised():
                return
            match = re.match(r"^/inputs/([A-Za-z0-9_]+)$", self.path)
            if not match or match.group(1) not in inputs:
                self.send_error(404, "no such input (the step has: %s)" % ", ".join(sorted(inputs)))
                return
            directory = inputs[match.group(1)]
            self.send_response(200)
            self.send_header("Content-Type", "application/x-tar")
            self.end_headers()
            with tarfile.open(fileobj=self.wfile, mode="w|") as archive:
                for entry in sorted(os.listdir(directory)) if os.path.isdir(directory) else []:
                    archive.add(os.path.join(directory, entry), arcname=entry)

        def do_PUT(self):
            if not self.authorised():
                return
            match = re.match(r"^/models/([a-z0-9-]+)$", self.path)
            trial = match.group(1) if match else ""
            if not trial.startswith(experiment_name + "-") or not DNS_LABEL.match(trial):
                self.send_error(404, "not a trial of Experiment %s" % experiment_name)
                return
            size = int(self.headers.get("Content-Length") or "0")
            staging = tempfile.mkdtemp(dir=models_dir, prefix=".upload-")
            try:
                with tempfile.TemporaryFile() as f:
                    remaining = size
                    while remaining > 0:
                        chunk = self.rfile.read(min(remaining, 1 << 20))
                        if not chunk:
                            raise ValueError("the upload ended early")
                        f.write(chunk)
                        remaining -= len(chunk)
                    f.seek(0)
                    with tarfile.open(fileobj=f, mode="r:") as archive:
                        extract(archive, staging)
                target = os.path.join(models_dir, trial)
                shutil.rmtree(target, ignore_errors=True)
                os.rename(staging, target)
            except (ValueError, tarfile.TarError, OSError) as e:
                shutil.rmtree(staging, ignore_errors=True)
                self.send_error(400, "the model of %s is not a usable tar archive (%s)" % (trial, e))
                return
            self.send_response(204)
            self.end_headers()

    server = http.server.ThreadingHTTPServer(("", args.port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def extract(archive, target):
    root = os.path.realpath(target)
    members = archive.getmembers()
    for member in members:
        path = os.path.realpath(os.path.join(target, member.name))
        if not (path == root or path.startswith(root + os.sep)) or member.issym() or member.islnk() or member.isdev():
            raise ValueError("entry %r is outside the directory, or a link or device" % member.name)
    archive.extractall(target, members=members, **EXTRACT)


def pod_address(api):
    """The pod's own IP: the local end of a route towards the API server (no packet is sent)."""
    host = urllib.request.urlparse(api.base).hostname
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect((host, 443))
            return s.getsockname()[0]
    except OSError:
        return socket.gethostbyname(socket.gethostname())


def prepare(experiment, name, namespace, variables):
    experiment = json.loads(json.dumps(experiment))
    experiment.setdefault("metadata", {}).update({"name": name, "namespace": namespace})
    template = experiment["spec"]["trialTemplate"]
    containers = template["trialSpec"]["spec"]["template"]["spec"]["containers"]
    primary = next(c for c in containers if c["name"] == template["primaryContainerName"])
    primary.setdefault("env", []).extend({"name": k, "value": v} for k, v in variables)
    return experiment


def condition(experiment, kind):
    for c in (experiment.get("status") or {}).get("conditions") or []:
        if c.get("type") == kind and c.get("status") == "True":
            return c
    return None


def metric_value(observation, metric):
    for m in (observation or {}).get("metrics") or []:
        if m.get("name") == metric:
            for key in ("latest", "max", "min"):
                if m.get(key) not in (None, "", "unavailable"):
                    return float(m[key])
    return None


def typed(value, parameter_type):
    if parameter_type == "int":
        return int(float(value))
    if parameter_type == "double":
        return float(value)
    return value


def prune(status, models_dir, best):
    finished = set()
    for key in ("succeededTrialList", "failedTrialList", "killedTrialList", "earlyStoppedTrialList", "metricsUnavailableTrialList"):
        finished.update(status.get(key) or [])
    for trial in finished - {best}:
        shutil.rmtree(os.path.join(models_dir, trial), ignore_errors=True)


def write_outputs(args, spec, status, models_dir):
    metric, metric_file = split_pair(args.metric_file, "--metric-file")
    optimal = status.get("currentOptimalTrial") or {}
    best = optimal.get("bestTrialName")
    if not best:
        raise TuneError("Experiment succeeded without a best trial (no trial reported %r); check the trials' logs" % metric)
    value = metric_value(optimal.get("observation"), metric)
    if value is None:
        raise TuneError("the best trial %s has no value of %r in its observation" % (best, metric))
    types = {p["name"]: p.get("parameterType") for p in spec.get("parameters") or []}
    parameters = {a["name"]: typed(a["value"], types.get(a["name"])) for a in optimal.get("parameterAssignments") or []}
    model = os.path.join(models_dir, best)
    if not os.path.isdir(model):
        raise TuneError("the best trial %s handed no model back to the step (see its pod's log)" % best)
    os.makedirs(args.model_dir, exist_ok=True)
    for entry in os.listdir(model):
        source = os.path.join(model, entry)
        (shutil.copytree if os.path.isdir(source) else shutil.copy2)(source, os.path.join(args.model_dir, entry))
    os.makedirs(args.parameters_dir, exist_ok=True)
    with open(os.path.join(args.parameters_dir, "parameters.json"), "w") as f:
        json.dump(parameters, f, indent=2, sort_keys=True)
    os.makedirs(os.path.dirname(os.path.abspath(metric_file)), exist_ok=True)
    with open(metric_file, "w") as f:
        f.write(json.dumps(value))
    print("%s best trial %s: %s=%s with %s" % (PREFIX, best, metric, json.dumps(value), json.dumps(parameters, sort_keys=True)), flush=True)


def delete_and_wait(api, path, name):
    if api.call("DELETE", path, missing_ok=True) is None:
        return
    print("%s deleting Experiment %s from an earlier attempt" % (PREFIX, name), flush=True)
    for _ in range(120):
        if api.call("GET", path, missing_ok=True) is None:
            return
        time.sleep(1)
    raise TuneError("Experiment %s from an earlier attempt is still being deleted after 120s" % name)


def tune(args):
    api = Api(args)
    if not args.run_id:
        raise TuneError("MLOPS_RUN_ID is not set: the engine gives every step the run's id")
    spec = json.loads(args.experiment)
    # The step's name in the hash: two steps whose prefixes collide still get two Experiments.
    name = "%s-%s" % (args.name_prefix, hashlib.sha256(("%s/%s" % (args.run_id, args.step)).encode("utf-8")).hexdigest()[:8])
    inputs = dict(split_pair(p, "--input") for p in args.input)
    variables = [split_pair(p, "--trial-env") for p in args.trial_env]
    work = args.work_dir or tempfile.mkdtemp(prefix="mlops-tune-")
    models_dir = os.path.join(work, "models")
    os.makedirs(models_dir, exist_ok=True)
    token = secrets.token_hex(24)
    server = make_server(args, token, inputs, models_dir, name)
    address = args.advertise or pod_address(api)
    url = "http://%s:%d" % ("[%s]" % address if ":" in address else address, server.server_address[1])
    variables = [("MLOPS_TUNE_SERVER", url), ("MLOPS_TUNE_TOKEN", token), ("MLOPS_RUN_ID", args.run_id)] + variables
    path = API % api.namespace
    one = "%s/%s" % (path, name)

    def stop(signum, frame):
        sys.stderr.write("%s step stopped (signal %d): deleting Experiment %s\n" % (PREFIX, signum, name))
        try:
            api.call("DELETE", one, missing_ok=True)
        finally:
            os._exit(143)

    signal.signal(signal.SIGTERM, stop)
    try:
        delete_and_wait(api, one, name)
        api.call("POST", path, prepare(spec, name, api.namespace, variables))
        print("%s step %r: created Experiment %s/%s; trials reach this pod at %s" % (PREFIX, args.step, api.namespace, name, url), flush=True)
        seen = None
        while True:
            experiment = api.call("GET", one)
            status = experiment.get("status") or {}
            optimal = (status.get("currentOptimalTrial") or {}).get("bestTrialName")
            prune(status, models_dir, optimal)
            progress = tuple(status.get(k, 0) for k in ("trialsSucceeded", "trialsFailed", "trialsRunning"))
            if progress != seen:
                seen = progress
                print("%s %s: %d succeeded, %d failed, %d running" % ((PREFIX, name) + progress), flush=True)
            failed = condition(experiment, "Failed")
            if failed:
                raise TuneError("Experiment %s failed: %s: %s" % (name, failed.get("reason", "Failed"), failed.get("message", "")))
            if condition(experiment, "Succeeded"):
                write_outputs(args, experiment.get("spec") or spec["spec"], status, models_dir)
                return
            time.sleep(args.poll_seconds)
    finally:
        server.shutdown()
        server.server_close()


def main(argv):
    try:
        tune(parse_args(argv))
    except TuneError as e:
        sys.stderr.write("%s %s\n" % (PREFIX, e))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
