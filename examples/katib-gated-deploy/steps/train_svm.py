"""One tuning trial: fits a support vector classifier with the trial's C and kernel, and reports
its accuracy on the held-out test split (the tuning objective)."""
import json
import os

import joblib
import pandas as pd
from sklearn.svm import SVC

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


def env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise SystemExit(f"{name} is not set: run this script through a cdk-mlops engine or `mlops run --local`")
    return value


train = pd.read_csv(os.path.join(env("MLOPS_INPUT_TRAIN"), "train.csv"))
test = pd.read_csv(os.path.join(env("MLOPS_INPUT_TEST"), "test.csv"))
c, kernel = float(env("MLOPS_PARAM_C")), env("MLOPS_PARAM_KERNEL")

model = SVC(C=c, kernel=kernel, random_state=0).fit(train[FEATURES], train["species"])
accuracy = float(model.score(test[FEATURES], test["species"]))

os.makedirs(env("MLOPS_MODEL_DIR"), exist_ok=True)
joblib.dump(model, os.path.join(env("MLOPS_MODEL_DIR"), "model.joblib"))
metrics = env("MLOPS_METRICS_FILE")
os.makedirs(os.path.dirname(metrics) or ".", exist_ok=True)
with open(metrics + ".tmp", "w") as f:
    json.dump({"accuracy": accuracy}, f)
os.replace(metrics + ".tmp", metrics)
print(f"trial: C={c:g} kernel={kernel} test accuracy {accuracy:.3f}")


def log_to_mlflow() -> None:
    """One MLflow run per trial (params C and kernel, metric accuracy, the model as an artifact),
    when mlflow is installed and MLFLOW_TRACKING_URI is set; otherwise nothing."""
    if not os.environ.get("MLFLOW_TRACKING_URI"):
        return
    try:
        import mlflow
    except ImportError:
        return
    mlflow.set_experiment(os.environ.get("MLOPS_PIPELINE", "iris-tuned"))
    with mlflow.start_run(run_name=f"C={c:g} kernel={kernel}"):
        mlflow.set_tags({"mlops.run_id": os.environ.get("MLOPS_RUN_ID", ""), "mlops.engine": os.environ.get("MLOPS_ENGINE", "")})
        mlflow.log_params({"C": c, "kernel": kernel})
        mlflow.log_metric("accuracy", accuracy)
        mlflow.log_artifact(os.path.join(env("MLOPS_MODEL_DIR"), "model.joblib"), artifact_path="model")


log_to_mlflow()
