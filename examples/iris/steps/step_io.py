"""The cdk-mlops step contract, read from environment variables (see README: "The step contract")."""
import json
import os
import tempfile


def input_dir(name: str) -> str:
    return _directory("MLOPS_INPUT_" + name.upper())


def output_dir(name: str) -> str:
    path = _directory("MLOPS_OUTPUT_" + name.upper())
    os.makedirs(path, exist_ok=True)
    return path


def model_dir() -> str:
    path = _directory("MLOPS_MODEL_DIR")
    os.makedirs(path, exist_ok=True)
    return path


def param(name: str, default=None) -> str:
    value = os.environ.get("MLOPS_PARAM_" + name.upper())
    if value is None:
        if default is None:
            raise SystemExit(f"parameter {name!r} was not passed to this step (MLOPS_PARAM_{name.upper()} is unset)")
        return default
    return value


def write_metrics(metrics: dict) -> None:
    """Writes the metrics file in one rename, so a reader never sees half of it."""
    path = _directory("MLOPS_METRICS_FILE")
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path) or ".", suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        json.dump(metrics, f, indent=2, sort_keys=True)
    os.replace(tmp, path)


def _directory(variable: str) -> str:
    value = os.environ.get(variable)
    if not value:
        raise SystemExit(f"{variable} is not set: run this script through a cdk-mlops engine or `mlops run --local`")
    return value
