"""cdk-mlops: keep one Kubeflow Pipelines recurring run in step with a PipelineVersion.

KFP keeps recurring runs in its database, not as Kubernetes objects, so a manifest cannot hold
one. This script runs as a Job after `kubectl apply`: it finds the pipeline and the version by
name through the KFP REST API (v2beta1), and makes sure exactly one recurring run with the given
display name exists and carries the given fingerprint (in its description); stale ones are deleted.

    python3 kfp-recurring-run.py CONFIG.json

Python 3.8+, standard library only.
"""
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

PREFIX = "[mlops]"


class Api:
    def __init__(self, cfg):
        self.base = cfg["api"].rstrip("/")
        self.token_path = cfg.get("tokenPath")

    def call(self, method, path, body=None, query=None):
        query = {k: v for k, v in (query or {}).items() if v not in (None, "")}
        url = self.base + path + ("?" + urllib.parse.urlencode(query) if query else "")
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.token_path and os.path.exists(self.token_path):
            with open(self.token_path) as f:
                headers["Authorization"] = "Bearer " + f.read().strip()
        data = json.dumps(body).encode("utf-8") if body is not None else None
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read().decode("utf-8")
        return json.loads(text) if text.strip() else {}


class NotYet(Exception):
    """Something the apply creates is not visible through the API yet."""


def retrying(what, deadline, work, first_delay=2.0):
    delay = first_delay
    while True:
        try:
            return work()
        except (urllib.error.URLError, NotYet) as e:
            if isinstance(e, urllib.error.HTTPError) and e.code not in (404, 409, 429, 500, 502, 503, 504):
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


def main(argv):
    with open(argv[0]) as f:
        cfg = json.load(f)
    api = Api(cfg)
    deadline = time.time() + cfg.get("timeoutSeconds", 600)
    namespace = cfg["namespace"]
    first_delay = float(cfg.get("retryDelaySeconds", 2))

    def retry(what, work):
        return retrying(what, deadline, work, first_delay)

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
