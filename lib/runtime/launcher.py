"""cdk-mlops step launcher: runs one step script under the step contract on any engine.

Every engine ships this file next to a step's code and starts the step through it:

    python3 _mlops_launcher.py --entry train.py [options] [-- script args...]
    python3 code.zip --entry train.py ...        (the file as __main__.py inside a code archive)

It sets the contract variables given with --env (engines that can only substitute paths into
arguments pass them here), creates the output directories, unpacks model tarballs of inputs given
with --unpack (inside each item's directory with --unpack-items), links collected inputs that
arrive one directory per item (--collect-item, --kfp-collected), lays out one committed version
of each feature snapshot input (--feature-snapshot), runs the script (python3 for .py, sh for
.sh), retries it when asked, and after a success checks the declared metrics and
re-exports them (one file per metric, or log lines).
A tuning trial's hyperparameters reach the script as MLOPS_PARAM_<NAME> (--tuned, see below).
Exit status: the script's own on failure; 1 for a contract problem, explained on stderr.
Compatible with Python 3.8+ and no packages beyond the standard library.
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile

PREFIX = "[mlops]"


class ContractError(Exception):
    """A broken step contract: reported on stderr, exit status 1."""


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="mlops-launcher", description=__doc__.splitlines()[0])
    parser.add_argument("--entry", required=True, help="script to run, relative to the code root")
    parser.add_argument("--code", help="code root directory (default: this file's directory or archive)")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE", help="set a variable for the script")
    parser.add_argument("--unpack", action="append", default=[], metavar="INPUT", help="extract *.tar.gz found in input INPUT's directory")
    parser.add_argument("--retries", type=int, default=0, help="retries after a failed attempt")
    parser.add_argument("--interval", type=float, default=10.0, help="seconds before the first retry")
    parser.add_argument("--backoff", type=float, default=2.0, help="factor the wait grows by per retry")
    parser.add_argument("--metric", action="append", default=[], metavar="NAME", help="numeric metric the script must write")
    parser.add_argument("--string-metric", action="append", default=[], metavar="NAME", help="string metric the script must write")
    parser.add_argument("--metric-file", action="append", default=[], metavar="NAME=PATH", help="write metric NAME's value to PATH")
    parser.add_argument("--echo-metrics", action="store_true", help="print '[mlops-metric] name=value' for each numeric metric")
    parser.add_argument("--kfp-executor-input", metavar="JSON", help="Kubeflow: the executor input ({{$}}), to report metrics to KFP")
    parser.add_argument("--kfp-metrics-artifact", metavar="NAME", help="Kubeflow: the system.Metrics output artifact that gets the numeric metrics")
    parser.add_argument("--kfp-metrics-dir", metavar="PATH", help="Kubeflow: also write the checked metrics as PATH/metrics.json (the metrics artifact's directory)")
    parser.add_argument("--kfp-item-artifact", action="append", default=[], metavar="NAME", help="Kubeflow: tag output artifact NAME with MLOPS_ITEM, for steps that collect it")
    parser.add_argument("--kfp-collected", action="append", default=[], metavar="INPUT", help="Kubeflow: lay out list input INPUT at MLOPS_INPUT_<INPUT>, one entry per item")
    parser.add_argument("--collect-item", action="append", default=[], metavar="INPUT/ITEM=PATH", help="link PATH as item ITEM of collected input INPUT (MLOPS_INPUT_<INPUT>/ITEM)")
    parser.add_argument("--unpack-items", action="append", default=[], metavar="INPUT", help="extract *.tar.gz inside each item directory of collected input INPUT")
    parser.add_argument("--feature-snapshot", action="append", default=[], metavar="INPUT=TABLE", help="input INPUT is feature table TABLE's folder: lay out one committed version (MLOPS_SNAPSHOT_VERSION_<INPUT>) in its place")
    parser.add_argument("--tuned", action="append", default=[], metavar="NAME=TYPE", help="tuning trial: export hyperparameter NAME (number, integer or string) from MLOPS_LAUNCHER_HYPERPARAMETERS as MLOPS_PARAM_<NAME>")
    parser.add_argument("--parameters-file", metavar="PATH", help="tuning trial: write the --tuned values as JSON {name: value} to PATH")
    parser.add_argument("script_args", nargs="*", help="arguments for the script (after --)")
    return parser.parse_args(argv)


def split_pair(text, flag):
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise ContractError(f"{flag} {text!r} is not NAME=VALUE")
    return name, value


def code_root(args, scratch):
    """The directory holding the step's code, extracting this file's archive when run from one.

    Only an archive needs a scratch directory (`scratch()` makes it): a launcher killed with
    SIGKILL cannot clean up, so steps run from a code directory leave nothing behind."""
    if args.code:
        return os.path.abspath(args.code)
    here = os.path.abspath(sys.argv[0])
    if os.path.isfile(here) and zipfile.is_zipfile(here):
        target = os.path.join(scratch(), "code")
        with zipfile.ZipFile(here) as archive:
            archive.extractall(target)
        return target
    return os.path.dirname(here)


def unpack_tarballs(directory):
    """SageMaker stores models as model.tar.gz; the contract promises the model's directory."""
    if not os.path.isdir(directory):
        raise ContractError(f"input directory {directory} does not exist")
    for name in sorted(os.listdir(directory)):
        if name.endswith(".tar.gz"):
            path = os.path.join(directory, name)
            with tarfile.open(path) as archive:
                for member in archive.getmembers():
                    target = os.path.realpath(os.path.join(directory, member.name))
                    if not target.startswith(os.path.realpath(directory) + os.sep) or member.issym() or member.islnk():
                        raise ContractError(f"{path} holds an unsafe member {member.name!r}; refusing to extract it")
                archive.extractall(directory)
            os.remove(path)


def prepare_environment(args):
    env = dict(os.environ)
    for pair in args.env:
        name, value = split_pair(pair, "--env")
        env[name] = value
    for name, value in env.items():
        if name.startswith("MLOPS_OUTPUT_") or name == "MLOPS_MODEL_DIR":
            os.makedirs(value, exist_ok=True)
    metrics_file = env.get("MLOPS_METRICS_FILE")
    if metrics_file:
        os.makedirs(os.path.dirname(os.path.abspath(metrics_file)), exist_ok=True)
    for name in args.unpack:
        variable = "MLOPS_INPUT_" + name.upper()
        if variable not in env:
            raise ContractError(f"--unpack {name}: {variable} is not set")
        unpack_tarballs(env[variable])
    return env


def command_for(root, entry, script_args):
    path = os.path.join(root, entry)
    if not os.path.isfile(path):
        raise ContractError(f"entry {entry!r} is not in the step's code ({root})")
    if entry.endswith(".py"):
        return [sys.executable, path] + script_args
    if entry.endswith(".sh"):
        return ["sh", path] + script_args
    raise ContractError(f"entry {entry!r} has no known runtime (.py or .sh)")


def run_with_retries(command, env, args):
    """Runs the script; on a non-zero exit waits and tries again, up to --retries times."""
    attempt = 0
    while True:
        child = subprocess.Popen(command, env=env)
        forward = lambda signum, _frame: child.send_signal(signum)
        previous = signal.signal(signal.SIGTERM, forward)
        try:
            code = child.wait()
        finally:
            signal.signal(signal.SIGTERM, previous)
        if code == 0 or attempt >= args.retries or code < 0:
            return code
        attempt += 1
        delay = args.interval * (args.backoff ** (attempt - 1))
        print(f"{PREFIX} {args.entry} exited with {code}; retry {attempt} of {args.retries} in {delay:g}s", file=sys.stderr, flush=True)
        time.sleep(delay)


def read_metrics(env, args):
    declared = {name: "number" for name in args.metric}
    declared.update({name: "string" for name in args.string_metric})
    if not declared:
        return {}
    path = env.get("MLOPS_METRICS_FILE")
    if not path or not os.path.isfile(path):
        raise ContractError(f"the step declares metrics {sorted(declared)} but wrote no metrics file at {path}; write them as JSON, e.g. {{\"{sorted(declared)[0]}\": 0.9}}")
    try:
        with open(path) as f:
            metrics = json.load(f)
    except ValueError as e:
        raise ContractError(f"metrics file {path} is not valid JSON ({e})")
    if not isinstance(metrics, dict):
        raise ContractError(f"metrics file {path} holds {type(metrics).__name__}, expected a JSON object of name: value")
    for name, kind in sorted(declared.items()):
        if name not in metrics:
            raise ContractError(f"metric {name!r} is declared but missing from {path} (found: {sorted(metrics)})")
        value = metrics[name]
        is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if kind == "number" and not is_number:
            raise ContractError(f"metric {name!r} is {value!r}, expected a number")
        if kind == "string" and not isinstance(value, str):
            raise ContractError(f"metric {name!r} is {value!r}, expected a string")
    return {name: metrics[name] for name in declared}


def export_metrics(metrics, args, item=None):
    for pair in args.metric_file:
        name, path = split_pair(pair, "--metric-file")
        if name not in metrics:
            raise ContractError(f"--metric-file {name}: {name!r} is not a declared metric")
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, "w") as f:
            value = metrics[name]
            f.write(value if isinstance(value, str) else json.dumps(value))
    if args.echo_metrics:
        for name in args.metric:
            print(f"[mlops-metric] {name}={metrics[name]!r}", flush=True)
    if args.kfp_metrics_dir:
        os.makedirs(args.kfp_metrics_dir, exist_ok=True)
        with open(os.path.join(args.kfp_metrics_dir, "metrics.json"), "w") as f:
            json.dump(metrics, f, sort_keys=True)
    if args.kfp_metrics_artifact or args.kfp_item_artifact:
        write_kfp_executor_output(args, {name: metrics[name] for name in args.metric}, item)


def kfp_executor_input(args, flag):
    if not args.kfp_executor_input:
        raise ContractError(f"{flag} needs --kfp-executor-input")
    try:
        return json.loads(args.kfp_executor_input)
    except ValueError as e:
        raise ContractError(f"--kfp-executor-input is not JSON ({e})")


def write_kfp_executor_output(args, numeric, item=None):
    """KFP shows scalar metrics from a system.Metrics artifact's metadata, which only the executor
    output file can set at run time. Parameter values stay out of it, so KFP still reads each
    metric's --metric-file output. A forEach item's output artifacts are tagged with the item
    (metadata key KFP_ITEM_KEY), which KFP keeps and hands to the steps that collect them."""
    executor_input = kfp_executor_input(args, "--kfp-metrics-artifact" if args.kfp_metrics_artifact else "--kfp-item-artifact")
    artifacts = {}
    for name in ([args.kfp_metrics_artifact] if args.kfp_metrics_artifact else []) + args.kfp_item_artifact:
        try:
            output_file = executor_input["outputs"]["outputFile"]
            declared = executor_input["outputs"]["artifacts"][name]["artifacts"][0]
        except (KeyError, IndexError, TypeError) as e:
            raise ContractError(f"--kfp-executor-input has no output file or artifact {name!r} ({e!r})")
        artifact = artifacts.get(name) or {"name": declared.get("name", name), "metadata": {}}
        if name == args.kfp_metrics_artifact:
            artifact["metadata"].update(numeric)
        if name in args.kfp_item_artifact:
            if item is None:
                raise ContractError(f"--kfp-item-artifact {name}: MLOPS_ITEM is not set")
            artifact["metadata"][KFP_ITEM_KEY] = item
        if "uri" in declared:
            artifact["uri"] = declared["uri"]
        artifacts[name] = artifact
    os.makedirs(os.path.dirname(os.path.abspath(output_file)), exist_ok=True)
    with open(output_file, "w") as f:
        json.dump({"artifacts": {name: {"artifacts": [a]} for name, a in artifacts.items()}}, f, sort_keys=True)


# Where KFP's launcher puts an input artifact it downloads (LocalPathForURI), by URI scheme.
KFP_LOCAL_ROOTS = (("gs://", "/gcs/"), ("minio://", "/minio/"), ("s3://", "/s3/"))
KFP_ITEM_KEY = "mlops-item"


def kfp_local_path(artifact):
    custom = artifact.get("customPath")
    if custom:
        return custom
    uri = artifact.get("uri", "")
    for scheme, root in KFP_LOCAL_ROOTS:
        if uri.startswith(scheme):
            return root + uri[len(scheme):]
    raise ContractError(f"collected artifact URI {uri!r} has no local path (KFP downloads only gs://, minio:// and s3:// URIs)")


def link_collected(args, env):
    """A collected input is a list of artifacts, one per forEach item, which KFP passes only in the
    executor input (already downloaded). The script sees one directory with an entry per item,
    named by the item the producing step tagged its artifact with, linked to that artifact."""
    if not args.kfp_collected:
        return
    executor_input = kfp_executor_input(args, "--kfp-collected")
    for name in args.kfp_collected:
        variable = "MLOPS_INPUT_" + name.upper()
        if variable not in env:
            raise ContractError(f"--kfp-collected {name}: {variable} is not set")
        try:
            artifacts = executor_input["inputs"]["artifacts"][name]["artifacts"]
        except (KeyError, TypeError) as e:
            raise ContractError(f"--kfp-executor-input has no input artifact list {name!r} ({e!r})")
        target = env[variable]
        os.makedirs(target, exist_ok=True)
        seen = set()
        for artifact in artifacts:
            item = (artifact.get("metadata") or {}).get(KFP_ITEM_KEY)
            if not isinstance(item, str) or item in ("", ".", "..") or "/" in item:
                raise ContractError(f"collected input {name!r}: artifact {artifact.get('uri')!r} has no usable {KFP_ITEM_KEY!r} in its metadata (got {item!r}); was it written by a forEach step of this pipeline?")
            if item in seen:
                raise ContractError(f"collected input {name!r}: item {item!r} appears twice")
            seen.add(item)
            link = os.path.join(target, item)
            if os.path.lexists(link):
                os.remove(link)
            os.symlink(kfp_local_path(artifact), link)


def link_items(args, env):
    """SageMaker training channels cannot nest, so a collected input arrives as one channel per
    item; the script sees one directory with an entry per item, linked to that item's channel."""
    for pair in args.collect_item:
        key, path = split_pair(pair, "--collect-item")
        name, sep, item = key.partition("/")
        if not sep or not name or item in ("", ".", "..") or "/" in item:
            raise ContractError(f"--collect-item {pair!r} is not INPUT/ITEM=PATH")
        variable = "MLOPS_INPUT_" + name.upper()
        if variable not in env:
            raise ContractError(f"--collect-item {pair}: {variable} is not set")
        os.makedirs(env[variable], exist_ok=True)
        link = os.path.join(env[variable], item)
        if os.path.lexists(link):
            os.remove(link)
        os.symlink(path, link)


def unpack_items(args, env):
    """A collected input of models: each item's directory holds that item's tarball."""
    for name in args.unpack_items:
        variable = "MLOPS_INPUT_" + name.upper()
        if variable not in env:
            raise ContractError(f"--unpack-items {name}: {variable} is not set")
        directory = env[variable]
        if not os.path.isdir(directory):
            raise ContractError(f"input directory {directory} does not exist")
        for item in sorted(os.listdir(directory)):
            if os.path.isdir(os.path.join(directory, item)):
                unpack_tarballs(os.path.join(directory, item))


# Feature snapshots. A table's folder in the snapshot store holds
#   partitions/<partition>/<version>/<files>   written first, never rewritten
#   versions/<version>.json                    the manifest: every partition's files in that version
#   LATEST                                     the newest committed version, written last
# so a version whose manifest exists is complete, and LATEST never names an incomplete one.
SNAPSHOT_VERSION = re.compile(r"^v[0-9]{6}$")
SNAPSHOT_FILE = "_snapshot.json"


def committed_versions(table_dir):
    versions_dir = os.path.join(table_dir, "versions")
    if not os.path.isdir(versions_dir):
        return []
    return sorted(n[:-5] for n in os.listdir(versions_dir) if n.endswith(".json") and SNAPSHOT_VERSION.match(n[:-5]))


def resolve_snapshot_version(table_dir, table, wanted):
    """The committed version `wanted` names ('latest' or 'v000042'), read once."""
    committed = committed_versions(table_dir)
    shown = ", ".join(committed[-5:]) if committed else "none"
    if wanted == "latest":
        pointer = os.path.join(table_dir, "LATEST")
        if not os.path.isfile(pointer):
            raise ContractError(f"feature snapshot {table!r} has no committed version yet (no LATEST in {table_dir}); run the feature pipeline's commit step first")
        with open(pointer) as f:
            version = f.read().strip()
        if version not in committed:
            raise ContractError(f"feature snapshot {table!r}: LATEST names {version!r}, which has no manifest in {table_dir}/versions (committed: {shown})")
        return version
    if not SNAPSHOT_VERSION.match(wanted or ""):
        raise ContractError(f"feature snapshot {table!r}: version {wanted!r} is invalid (allowed: 'latest' or a committed version such as 'v000001')")
    if wanted not in committed:
        raise ContractError(f"feature snapshot {table!r} has no committed version {wanted!r} (newest committed: {shown}); give one of them, or 'latest'")
    return wanted


def materialise_snapshot(table_dir, table, version, target):
    """Lays out exactly the files of `version`'s manifest at target/<partition>/<file>."""
    with open(os.path.join(table_dir, "versions", version + ".json")) as f:
        manifest = json.load(f)
    root = os.path.realpath(table_dir)
    partitions = manifest.get("partitions")
    if not isinstance(partitions, dict):
        raise ContractError(f"feature snapshot {table!r} {version}: the manifest lists no partitions")
    for partition, files in sorted(partitions.items()):
        for relative in files:
            source = os.path.realpath(os.path.join(table_dir, *relative.split("/")))
            if not source.startswith(root + os.sep):
                raise ContractError(f"feature snapshot {table!r} {version}: file {relative!r} is outside the table's folder")
            if not os.path.isfile(source):
                raise ContractError(f"feature snapshot {table!r} {version}: file {relative!r} of partition {partition!r} is missing; the store is incomplete")
            prefix = f"partitions/{partition}/{version_of(relative)}/"
            into = os.path.join(target, partition, *relative[len(prefix):].split("/")) if relative.startswith(prefix) else os.path.join(target, partition, os.path.basename(relative))
            os.makedirs(os.path.dirname(into), exist_ok=True)
            try:
                os.link(source, into)
            except OSError:
                shutil.copyfile(source, into)  # another file system, or no hard links
    with open(os.path.join(target, SNAPSHOT_FILE), "w") as f:
        json.dump({"table": table, "version": version, "partitions": sorted(partitions)}, f, sort_keys=True)


def version_of(relative):
    parts = relative.split("/")
    return parts[2] if len(parts) > 3 and parts[0] == "partitions" else ""


def select_snapshots(args, env, scratch):
    """Each --feature-snapshot input arrives as its table's folder; the script sees one version."""
    for pair in args.feature_snapshot:
        name, table = split_pair(pair, "--feature-snapshot")
        variable = "MLOPS_INPUT_" + name.upper()
        wanted = env.get("MLOPS_SNAPSHOT_VERSION_" + name.upper())
        if variable not in env or wanted is None:
            raise ContractError(f"--feature-snapshot {pair}: {variable} or MLOPS_SNAPSHOT_VERSION_{name.upper()} is not set")
        table_dir = env[variable]  # absent before the first commit: no version resolves
        version = resolve_snapshot_version(table_dir, table, wanted)
        target = os.path.join(scratch(), "snapshot-" + name)
        os.makedirs(target)
        materialise_snapshot(table_dir, table, version, target)
        env[variable] = target
        env["MLOPS_SNAPSHOT_" + name.upper()] = version
        print(f"{PREFIX} input {name!r}: feature snapshot {table!r} {version} (asked for {wanted!r})", file=sys.stderr, flush=True)


# A SageMaker tuning trial cannot set a container entrypoint: SageMaker's training toolkit starts
# this file as sagemaker_program, with every hyperparameter as a flag. The launcher then ignores
# those flags and takes its own arguments from the static hyperparameter below, in the file that
# MLOPS_LAUNCHER_HYPERPARAMETERS names (/opt/ml/input/config/hyperparameters.json).
HYPERPARAMETERS_VAR = "MLOPS_LAUNCHER_HYPERPARAMETERS"
LAUNCHER_ARGUMENTS_KEY = "mlops_launcher_arguments"
TUNED_TYPES = ("number", "integer", "string")


def read_hyperparameters():
    path = os.environ.get(HYPERPARAMETERS_VAR)
    if not path:
        raise ContractError(f"--tuned needs {HYPERPARAMETERS_VAR}, the JSON file of the trial's hyperparameters")
    try:
        with open(path) as f:
            values = json.load(f)
    except (OSError, ValueError) as e:
        raise ContractError(f"hyperparameters file {path} ({HYPERPARAMETERS_VAR}) cannot be read as JSON ({e})")
    if not isinstance(values, dict):
        raise ContractError(f"hyperparameters file {path} holds {type(values).__name__}, expected a JSON object of name: value")
    return path, values


def launcher_arguments(argv):
    """The launcher's own arguments: argv, or the JSON list in the hyperparameters file."""
    if not os.environ.get(HYPERPARAMETERS_VAR):
        return argv
    path, values = read_hyperparameters()
    try:
        arguments = json.loads(values[LAUNCHER_ARGUMENTS_KEY])
    except (KeyError, TypeError, ValueError) as e:
        raise ContractError(f"hyperparameters file {path} has no JSON list {LAUNCHER_ARGUMENTS_KEY!r} ({e!r})")
    if not isinstance(arguments, list) or not all(isinstance(a, str) for a in arguments):
        raise ContractError(f"hyperparameter {LAUNCHER_ARGUMENTS_KEY!r} in {path} is not a JSON list of strings")
    return arguments


def typed_value(name, kind, text):
    try:
        if kind == "integer":
            number = float(text)
            if not number.is_integer():
                raise ValueError("not a whole number")
            return int(number)
        if kind == "number":
            number = float(text)
            if number != number or number in (float("inf"), float("-inf")):
                raise ValueError("not finite")
            return number
    except ValueError as e:
        raise ContractError(f"hyperparameter {name!r} is {text!r}, expected {'a whole number' if kind == 'integer' else 'a number'} ({e})")
    return text


def apply_tuned(args, env):
    """A trial's hyperparameters reach the script as MLOPS_PARAM_<NAME>, like params, as the
    tuning engine wrote them; --parameters-file records them typed, for the best trial's output."""
    if not args.tuned:
        return
    path, values = read_hyperparameters()
    chosen = {}
    for pair in args.tuned:
        name, kind = split_pair(pair, "--tuned")
        if kind not in TUNED_TYPES:
            raise ContractError(f"--tuned {pair}: type {kind!r} is not one of {', '.join(TUNED_TYPES)}")
        if name not in values:
            raise ContractError(f"hyperparameter {name!r} is tuned but missing from {path} (found: {sorted(values)})")
        text = values[name] if isinstance(values[name], str) else json.dumps(values[name])
        chosen[name] = typed_value(name, kind, text)
        env["MLOPS_PARAM_" + name.upper()] = text
    if args.parameters_file:
        os.makedirs(os.path.dirname(os.path.abspath(args.parameters_file)), exist_ok=True)
        with open(args.parameters_file, "w") as f:
            json.dump(chosen, f, sort_keys=True)
    print(f"{PREFIX} trial hyperparameters: {json.dumps(chosen, sort_keys=True)}", file=sys.stderr, flush=True)


def main(argv):
    made = []

    def scratch():
        if not made:
            made.append(tempfile.mkdtemp(prefix="mlops-"))
        return made[0]

    try:
        args = parse_args(launcher_arguments(argv))
        root = code_root(args, scratch)
        env = prepare_environment(args)
        apply_tuned(args, env)
        select_snapshots(args, env, scratch)
        link_collected(args, env)
        link_items(args, env)
        unpack_items(args, env)
        env["PYTHONPATH"] = os.pathsep.join(p for p in [root, env.get("PYTHONPATH")] if p)
        code = run_with_retries(command_for(root, args.entry, args.script_args), env, args)
        if code != 0:
            print(f"{PREFIX} {args.entry} failed with exit status {code}", file=sys.stderr, flush=True)
            return code if code > 0 else 128 - code
        export_metrics(read_metrics(env, args), args, env.get("MLOPS_ITEM"))
        return 0
    except ContractError as e:
        print(f"{PREFIX} step contract: {e}", file=sys.stderr, flush=True)
        return 1
    finally:
        for directory in made:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
