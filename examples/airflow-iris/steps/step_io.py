"""The cdk-mlops step contract, read from environment variables (see README: "The step contract")."""
import json
import logging
import os
import tempfile


def log(step: str) -> logging.Logger:
    """A logger that writes `time level step: message` lines to stderr (the task log on Airflow)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return logging.getLogger(step)


def input_dir(name: str) -> str:
    return _variable("MLOPS_INPUT_" + name.upper())


def output_dir(name: str) -> str:
    path = _variable("MLOPS_OUTPUT_" + name.upper())
    os.makedirs(path, exist_ok=True)
    return path


def model_dir() -> str:
    path = _variable("MLOPS_MODEL_DIR")
    os.makedirs(path, exist_ok=True)
    return path


def data_interval():
    """The run's data interval (start, end) as ISO texts, or None when the run has none."""
    start, end = os.environ.get("MLOPS_DATA_INTERVAL_START"), os.environ.get("MLOPS_DATA_INTERVAL_END")
    return (start, end) if start and end else None


def write_metrics(metrics: dict) -> None:
    """Writes the metrics file in one rename, so a reader never sees half of it."""
    path = _variable("MLOPS_METRICS_FILE")
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path) or ".", suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        json.dump(metrics, f, indent=2, sort_keys=True)
    os.replace(tmp, path)


def _variable(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise SystemExit(f"{name} is not set: run this script through a cdk-mlops engine or `mlops run --local`")
    return value
