"""cdk-mlops: the REST client the in-cluster jobs share (kfp-recurring-run.py, run-pipeline.py).

Shipped next to them in their ConfigMaps; Python 3.8+, standard library only.
"""
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request

PREFIX = "[mlops]"
RETRIED_STATUSES = (404, 429, 500, 502, 503, 504)


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


def retrying(what, deadline, work, first_delay=2.0, statuses=RETRIED_STATUSES):
    """Runs `work` until it succeeds: network errors, NotYet and the HTTP `statuses` are retried
    with a doubling delay until `deadline`; any other HTTP error ends the job."""
    delay = first_delay
    while True:
        try:
            return work()
        except (urllib.error.URLError, NotYet) as e:
            if isinstance(e, urllib.error.HTTPError) and e.code not in statuses:
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


def kfp_pipeline_version(api, cfg, retry):
    """The ids of the pipeline cfg['pipelineName'] (in cfg['namespace']) and of its version
    cfg['pipelineVersionName'], waiting for both to be visible through the KFP API."""

    def pipeline_id():
        try:
            found = api.call("GET", "/apis/v2beta1/pipelines/names/" + urllib.parse.quote(cfg["pipelineName"], safe=""), query={"namespace": cfg["namespace"]})
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

    return pid, retry("finding the pipeline version", version_id)
