"""cdk-mlops feature snapshot commit: makes one partition's files the next version of a table.

Run as a step (FeatureSnapshot.commitStep) through the launcher. It reads
    MLOPS_INPUT_DATA        the partition's files (any tree of files)
    MLOPS_PARAM_TABLE       the feature table
    MLOPS_PARAM_PARTITION   the partition the files replace, e.g. '2026-12-03T10'
    MLOPS_PARAM_STORE       the cloud store: an s3:// prefix (boto3) or an absolute path
    MLOPS_FEATURE_STORE     the local runner's store folder (it wins when MLOPS_ENGINE is 'local')
and writes, under <store>/<table>/, first partitions/<partition>/<version>/<files>, then the
manifest versions/<version>.json (the previous version's partitions, this partition replaced),
then LATEST. A retried hour replaces its partition in a new version: rows are never appended
twice. One commit runs at a time per table (locally a lock file makes sure; on the cloud the
feature pipeline's schedule must not overlap). The step's 'commit' output gets commit.json.
"""
import json
import os
import re
import sys
from datetime import datetime, timezone

PARTITION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:=-]{0,127}$")
VERSION = re.compile(r"^v([0-9]{6})$")


class LocalStore:
    def __init__(self, root):
        self.root = root

    def _path(self, key):
        return os.path.join(self.root, *key.split("/"))

    def read_text(self, key):
        try:
            with open(self._path(key)) as f:
                return f.read()
        except FileNotFoundError:
            return None

    def put_file(self, key, source):
        target = self._path(key)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(source, "rb") as src, open(target + ".tmp", "wb") as dst:
            dst.write(src.read())
        os.replace(target + ".tmp", target)

    def put_text(self, key, text):
        target = self._path(key)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target + ".tmp", "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(target + ".tmp", target)  # readers see the old file or the whole new one

    def lock(self, table):
        os.makedirs(self._path(table), exist_ok=True)
        path = self._path(f"{table}/.commit.lock")
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            fail(f"another commit of table {table!r} holds {path}; wait for it, or remove the file if no commit is running")
        os.close(fd)
        return lambda: os.remove(path)


class S3Store:
    def __init__(self, uri):
        import boto3  # only s3:// stores need it

        bucket, _, prefix = uri[len("s3://"):].partition("/")
        self.bucket, self.prefix = bucket, prefix.strip("/")
        self.s3 = boto3.client("s3")

    def _key(self, key):
        return f"{self.prefix}/{key}" if self.prefix else key

    def read_text(self, key):
        from botocore.exceptions import ClientError

        try:
            return self.s3.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read().decode()
        except ClientError as e:
            code = e.response.get("Error", {}).get("Code")
            if code in ("NoSuchKey", "404"):
                return None
            if code in ("AccessDenied", "403"):
                # S3 answers 403 for a missing key to a caller without s3:ListBucket.
                fail(f"reading s3://{self.bucket}/{self._key(key)} was denied; grant the step s3:GetObject on the store's objects and s3:ListBucket on its prefix (without it a missing key reads as denied)")
            raise

    def put_file(self, key, source):
        self.s3.upload_file(source, self.bucket, self._key(key))

    def put_text(self, key, text):
        self.s3.put_object(Bucket=self.bucket, Key=self._key(key), Body=text.encode())

    def lock(self, _table):
        return lambda: None


def fail(message):
    print(f"[mlops] feature snapshot commit: {message}", file=sys.stderr, flush=True)
    sys.exit(1)


def store_for(env):
    if env.get("MLOPS_ENGINE") == "local":
        root = env.get("MLOPS_FEATURE_STORE")
        if not root:
            fail("MLOPS_FEATURE_STORE is not set; the local runner sets it to its feature store folder")
        return LocalStore(root)
    uri = env.get("MLOPS_PARAM_STORE", "")
    if uri.startswith("s3://"):
        return S3Store(uri)
    if os.path.isabs(uri):
        return LocalStore(uri)
    fail(f"store {uri!r} is neither an s3:// prefix nor an absolute path; give FeatureSnapshot.commitStep a store")


def data_files(directory):
    files = []
    for parent, _dirs, names in os.walk(directory):
        for name in names:
            path = os.path.join(parent, name)
            files.append(os.path.relpath(path, directory).replace(os.sep, "/"))
    return sorted(files)


def main(env):
    table = env.get("MLOPS_PARAM_TABLE", "")
    partition = env.get("MLOPS_PARAM_PARTITION", "")
    data = env.get("MLOPS_INPUT_DATA", "")
    if not PARTITION.match(partition):
        fail(f"partition {partition!r} is invalid (allowed: letters, digits, '_', '.', ':', '=' and '-', max 128, starting with a letter or digit)")
    files = data_files(data) if os.path.isdir(data) else []
    if not files:
        fail(f"input 'data' ({data}) holds no files; the partition's step must write its rows there")
    store = store_for(env)
    unlock = store.lock(table)
    try:
        latest = (store.read_text(f"{table}/LATEST") or "").strip()
        partitions = {}
        if latest:
            match = VERSION.match(latest)
            manifest = store.read_text(f"{table}/versions/{latest}.json")
            if not match or manifest is None:
                fail(f"LATEST of table {table!r} names {latest!r}, which has no manifest; repair the store before committing")
            partitions = json.loads(manifest)["partitions"]
        number = int(VERSION.match(latest).group(1)) + 1 if latest else 1
        version = f"v{number:06d}"
        keys = [f"partitions/{partition}/{version}/{name}" for name in files]
        for name, key in zip(files, keys):
            store.put_file(f"{table}/{key}", os.path.join(data, *name.split("/")))
        partitions[partition] = keys
        manifest = {
            "table": table,
            "version": version,
            "previous": latest or None,
            "partition": partition,
            "committedAt": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "partitions": dict(sorted(partitions.items())),
        }
        store.put_text(f"{table}/versions/{version}.json", json.dumps(manifest, indent=2, sort_keys=True))
        store.put_text(f"{table}/LATEST", version + "\n")
    finally:
        unlock()
    out = env.get("MLOPS_OUTPUT_COMMIT")
    if out:
        with open(os.path.join(out, "commit.json"), "w") as f:
            json.dump({"table": table, "version": version, "partition": partition, "files": len(files)}, f, sort_keys=True)
    print(f"[mlops] committed {table} {version}: partition {partition} ({len(files)} files), {len(partitions)} partitions in all", flush=True)


if __name__ == "__main__":
    main(os.environ)
