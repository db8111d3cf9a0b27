"""cdk-mlops: submit one run of a pipeline, from a Kubernetes Job (MlPipeline.addRunJob).

    python3 run-pipeline.py CONFIG.json

The run is named after the Job (env MLOPS_RUN_NAME, from the pod's job-name label), so a retried
pod finds the run its first attempt made instead of starting a second one.

- engine "argo": creates the configured Workflow (it references the WorkflowTemplate) through the
  Kubernetes API with the pod's own service account token; AlreadyExists means submitted.
- engine "kubeflow": through the KFP REST API (v2beta1), as kfp-recurring-run.py does: finds the
  pipeline and the version by name, finds or creates the experiment, and creates the run unless
  the experiment already has one of that name.

Python 3.8+, standard library only.
"""
import json
import os
import ssl
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

PREFIX = "[mlops]"
SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"


class NotYet(Exception):
    """Something the apply creates is not visible through the API yet."""


class Api:
    def __init__(self, base, token_path, context=None):
        self.base = base.rstrip("/")
        self.token_path = token_path
        self.context = context

    def call(self, method, path, body=None, query=None):
        query = {k: v for k, v in (query or {}).items() if v not in (None, "")}
        url = self.base + path + ("?" + urllib.parse.urlencode(query) if query else "")
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.token_path and os.path.exists(self.token_path):
            with open(self.token_path) as f:
                headers["Authorization"] = "Bearer " + f.read().strip()
        data = json.dumps(body).encode("utf-8") if body is not None else None
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        with urllib.request.urlopen(request, timeout=30, context=self.context) as response:
            text = response.read().decode("utf-8")
        return json.loads(text) if text.strip() else {}


def retrying(what, deadline, work, first_delay):
    delay = first_delay
    while True:
        try:
            return work()
        except (urllib.error.URLError, NotYet) as e:
            if isinstance(e, urllib.error.HTTPError) and e.code not in (404, 429, 500, 502, 503, 504):
                detail = e.read().decode("utf-8", "replace")[:500]
                raise SystemExit(f"{PREFIX} {what}: HTTP {e.code}: {detail}")
            if time.time() + delay > deadline:
                raise SystemExit(f"{PREFIX} {what}: {e}; gave up")
            print(f"{PREFIX} {what}: {e}; retrying in {delay}s", flush=True)
            time.sleep(delay)
            delay = min(delay * 2, 30.0)


def pages(api, path, key, query):
    token = None
    while True:
        page = api.call("GET", path, query=dict(query, page_size=100, page_token=token))
        yield from page.get(key) or []
        token = page.get("next_page_token")
        if not token:
            return


def submit_argo(cfg, name, retry):
    base = cfg.get("api")
    if not base:
        host = os.environ["KUBERNETES_SERVICE_HOST"]
        host = f"[{host}]" if ":" in host else host
        base = f"https://{host}:{os.environ.get('KUBERNETES_SERVICE_PORT', '443')}"
    ca = cfg.get("caPath", SA_DIR + "/ca.crt")
    context = ssl.create_default_context(cafile=ca) if base.startswith("https") else None
    api = Api(base, cfg.get("tokenPath", SA_DIR + "/token"), context)
    workflow = json.loads(json.dumps(cfg["workflow"]))
    workflow["metadata"]["name"] = name
    namespace = workflow["metadata"]["namespace"]

    def create():
        try:
            return api.call("POST", f"/apis/argoproj.io/v1alpha1/namespaces/{namespace}/workflows", workflow)
        except urllib.error.HTTPError as e:
            if e.code == 409:
                return None
            raise

    created = retry("creating the workflow", create)
    if created is None:
        print(f"{PREFIX} workflow {name} already exists: submitted before", flush=True)
    else:
        print(f"{PREFIX} submitted workflow {name} from template {workflow['spec']['workflowTemplateRef']['name']}", flush=True)


def submit_kubeflow(cfg, name, retry):
    api = Api(cfg["api"], cfg.get("tokenPath"))
    namespace = cfg["namespace"]

    def pipeline_id():
        try:
            found = api.call("GET", "/apis/v2beta1/pipelines/names/" + urllib.parse.quote(cfg["pipelineName"], safe=""), query={"namespace": namespace})
        except urllib.error.HTTPError as e:
            if e.code == 404:
                raise NotYet(f"pipeline {cfg['pipelineName']!r} not found")
            raise
        return found["pipeline_id"]

    pid = retry("finding the pipeline", pipeline_id)

    def version_id():
        for version in pages(api, f"/apis/v2beta1/pipelines/{pid}/versions", "pipeline_versions", {}):
            if cfg["pipelineVersionName"] in (version.get("name"), version.get("display_name")):
                return version["pipeline_version_id"]
        raise NotYet(f"pipeline version {cfg['pipelineVersionName']!r} not found")

    vid = retry("finding the pipeline version", version_id)

    def experiment_id():
        # Filtered here rather than with the API's filter syntax, which differs between KFP releases.
        for experiment in pages(api, "/apis/v2beta1/experiments", "experiments", {"namespace": namespace}):
            if experiment.get("display_name") == cfg["experimentName"]:
                return experiment["experiment_id"]
        body = {"display_name": cfg["experimentName"], "description": "Runs started by cdk-mlops run jobs", "namespace": namespace}
        return api.call("POST", "/apis/v2beta1/experiments", body)["experiment_id"]

    eid = retry("finding the experiment", experiment_id)

    def existing():
        return [run for run in pages(api, "/apis/v2beta1/runs", "runs", {"experiment_id": eid}) if run.get("display_name") == name]

    if retry("listing the experiment's runs", existing):
        print(f"{PREFIX} run {name} already exists: submitted before", flush=True)
        return
    body = {
        "display_name": name,
        "description": cfg.get("description", ""),
        "experiment_id": eid,
        "pipeline_version_reference": {"pipeline_id": pid, "pipeline_version_id": vid},
        "runtime_config": {"parameters": cfg.get("parameters", {})},
    }
    if cfg.get("serviceAccount"):
        body["service_account"] = cfg["serviceAccount"]
    created = retry("creating the run", lambda: api.call("POST", "/apis/v2beta1/runs", body))
    print(f"{PREFIX} created run {created.get('run_id')} ({name}) of {cfg['pipelineVersionName']}", flush=True)


def main(argv):
    with open(argv[0]) as f:
        cfg = json.load(f)
    name = os.environ.get("MLOPS_RUN_NAME") or cfg.get("runName")
    if not name:
        raise SystemExit(f"{PREFIX} no run name: MLOPS_RUN_NAME is not set")
    deadline = time.time() + cfg.get("timeoutSeconds", 600)
    first_delay = float(cfg.get("retryDelaySeconds", 2))

    def retry(what, work):
        return retrying(what, deadline, work, first_delay)

    {"argo": submit_argo, "kubeflow": submit_kubeflow}[cfg["engine"]](cfg, name, retry)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
