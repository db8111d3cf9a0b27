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

from mlops_api import PREFIX, Api, kfp_pipeline_version, pages, retrying

SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount"


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

    pid, vid = kfp_pipeline_version(api, cfg, retry)

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
