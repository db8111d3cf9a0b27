"""cdk-mlops Katib trial: one trial of a tuning step, in a pod that Katib created.

    sh -c 'python3 -c "$MLOPS_TRIAL_PROGRAM"'     (the trial Job's container; Katib wraps the command)

Katib's trial pods are not Argo's or KFP's, so their artifact passing does not reach them. The
tuning step's own container (katib_tune.py) holds the step's inputs and serves them; this program
  1. downloads each input (MLOPS_TRIAL_INPUTS) from $MLOPS_TUNE_SERVER/inputs/<name> into its
     MLOPS_INPUT_<NAME> directory,
  2. runs the trial step through the launcher (python3 <MLOPS_TRIAL_LAUNCH...>), the
     hyperparameters already in the environment as MLOPS_PARAM_<NAME>,
  3. uploads the model directory (MLOPS_MODEL_DIR) to $MLOPS_TUNE_SERVER/models/$KATIB_TRIAL_NAME,
  4. appends the objective metric to MLOPS_KATIB_METRICS_FILE as one JSON line with the value as
     a string, the format Katib's File collector (format JSON) reads.
Requests carry `Authorization: Bearer $MLOPS_TUNE_TOKEN`. Exit status: the launcher's on its
failure, 1 with the reason on stderr for a hand-over problem. Standard library only (Python 3.8+).
"""
import datetime
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request

PREFIX = "[mlops-trial]"
EXTRACT = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}


class TrialError(Exception):
    """A hand-over failure: the trial fails with this one line."""


def env(name):
    value = os.environ.get(name)
    if not value:
        raise TrialError("%s is not set: this program runs in a Katib trial that the tuning step created" % name)
    return value


def input_var(name):
    return "MLOPS_INPUT_" + name.upper()


def call(method, url, token, body=None, size=None, attempts=5):
    headers = {"Authorization": "Bearer " + token}
    if size is not None:
        headers["Content-Length"] = str(size)
        headers["Content-Type"] = "application/x-tar"
    for attempt in range(1, attempts + 1):
        if body is not None:
            body.seek(0)
        req = urllib.request.Request(url, data=body, headers=headers, method=method)
        try:
            return urllib.request.urlopen(req, timeout=300)
        except urllib.error.HTTPError as e:
            detail = e.read().decode("utf-8", "replace").strip()
            raise TrialError("%s %s: HTTP %d %s%s" % (method, url, e.code, e.reason, " (%s)" % detail if detail else ""))
        except (urllib.error.URLError, OSError) as e:
            if attempt == attempts:
                reason = getattr(e, "reason", e)
                raise TrialError("%s %s: cannot reach the tuning step's container (%s); the trial pods need egress to the step pods on its port (MlPipeline network policies)" % (method, url, reason))
            time.sleep(2 * attempt)


def fetch_inputs(server, token):
    for name in json.loads(os.environ.get("MLOPS_TRIAL_INPUTS") or "[]"):
        target = env(input_var(name))
        os.makedirs(target, exist_ok=True)
        with call("GET", "%s/inputs/%s" % (server, name), token) as response:
            with tarfile.open(fileobj=response, mode="r|") as archive:
                root = os.path.realpath(target)
                for member in archive:
                    path = os.path.realpath(os.path.join(target, member.name))
                    if not (path == root or path.startswith(root + os.sep)) or member.issym() or member.islnk() or member.isdev():
                        raise TrialError("input %r: refusing archive entry %r (outside the directory, or a link or device)" % (name, member.name))
                    # The checks above are the filter; 'data' (Python >= 3.12) keeps later versions from warning.
                    archive.extract(member, target, **EXTRACT)
        print("%s input %r ready at %s" % (PREFIX, name, target), flush=True)


def upload_model(server, token, trial):
    model_dir = env("MLOPS_MODEL_DIR")
    if not os.path.isdir(model_dir):
        raise TrialError("the trial wrote no model directory at %s (MLOPS_MODEL_DIR)" % model_dir)
    with tempfile.TemporaryFile() as f:
        with tarfile.open(fileobj=f, mode="w") as archive:
            for entry in sorted(os.listdir(model_dir)):
                archive.add(os.path.join(model_dir, entry), arcname=entry)
        size = f.tell()
        with call("PUT", "%s/models/%s" % (server, trial), token, body=f, size=size):
            pass
    print("%s model of %s handed to the tuning step (%d bytes)" % (PREFIX, trial, size), flush=True)


def report_objective():
    metric = env("MLOPS_TRIAL_OBJECTIVE")
    with open(env("MLOPS_METRICS_FILE")) as f:
        value = json.load(f)[metric]
    line = {metric: repr(float(value)), "timestamp": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
    path = env("MLOPS_KATIB_METRICS_FILE")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "a") as f:
        f.write(json.dumps(line, sort_keys=True) + "\n")
    print("%s %s=%s" % (PREFIX, metric, line[metric]), flush=True)


def main():
    try:
        server, token, trial = env("MLOPS_TUNE_SERVER").rstrip("/"), env("MLOPS_TUNE_TOKEN"), env("KATIB_TRIAL_NAME")
        fetch_inputs(server, token)
        launch = json.loads(env("MLOPS_TRIAL_LAUNCH"))
        code = subprocess.call([sys.executable] + launch)
        if code != 0:
            return code
        upload_model(server, token, trial)
        report_objective()
    except TrialError as e:
        sys.stderr.write("%s %s\n" % (PREFIX, e))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
