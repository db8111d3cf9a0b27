"""cdk-mlops: keep one Kubeflow Pipelines recurring run in step with a PipelineVersion.

KFP keeps recurring runs in its database, not as Kubernetes objects, so a manifest cannot hold
one. This script runs as a Job after `kubectl apply`: it finds the pipeline and the version by
name through the KFP REST API (v2beta1), and makes sure exactly one recurring run with the given
display name exists and carries the given fingerprint (in its description); stale ones are deleted.

    python3 kfp-recurring-run.py CONFIG.json

Python 3.8+, standard library only.
"""
import json
import sys
import time

from mlops_api import PREFIX, RETRIED_STATUSES, Api, kfp_pipeline_version, pages, retrying


def main(argv):
    with open(argv[0]) as f:
        cfg = json.load(f)
    api = Api(cfg["api"], cfg.get("tokenPath"))
    deadline = time.time() + cfg.get("timeoutSeconds", 600)
    namespace = cfg["namespace"]
    first_delay = float(cfg.get("retryDelaySeconds", 2))

    def retry(what, work):
        # A conflict while creating means another attempt raced this one: look again.
        return retrying(what, deadline, work, first_delay, RETRIED_STATUSES + (409,))

    pid, vid = kfp_pipeline_version(api, cfg, retry)
    marker = f"[mlops:{cfg['fingerprint']}]"

    def existing():
        # Filtered here rather than with the API's filter syntax, which differs between KFP releases.
        runs = pages(api, "/apis/v2beta1/recurringruns", "recurringRuns", {"namespace": namespace})
        return [run for run in runs if run.get("display_name") == cfg["displayName"]]

    current = retry("listing recurring runs", existing)
    keep = None
    for run in current:
        ref = run.get("pipeline_version_reference") or {}
        if keep is None and marker in (run.get("description") or "") and ref.get("pipeline_version_id") == vid:
            keep = run
            continue
        print(f"{PREFIX} deleting stale recurring run {run['recurring_run_id']}", flush=True)
        retry("deleting a stale recurring run", lambda: api.call("DELETE", "/apis/v2beta1/recurringruns/" + run["recurring_run_id"]))
    if keep is not None:
        print(f"{PREFIX} recurring run {keep['recurring_run_id']} is up to date", flush=True)
        return 0

    body = {
        "display_name": cfg["displayName"],
        "description": (cfg.get("description", "") + " " + marker).strip(),
        "pipeline_version_reference": {"pipeline_id": pid, "pipeline_version_id": vid},
        "runtime_config": {"parameters": cfg.get("parameters", {})},
        "trigger": cfg["trigger"],
        "mode": "ENABLE",
        "max_concurrency": str(cfg.get("maxConcurrency", 1)),
        "no_catchup": bool(cfg.get("noCatchup", True)),
        "namespace": namespace,
    }
    if cfg.get("serviceAccount"):
        body["service_account"] = cfg["serviceAccount"]
    created = retry("creating the recurring run", lambda: api.call("POST", "/apis/v2beta1/recurringruns", body))
    print(f"{PREFIX} created recurring run {created.get('recurring_run_id')} for {cfg['pipelineVersionName']}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
