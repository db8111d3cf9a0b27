"""Train: fits a random forest on the training set and saves it to the model directory."""
import os

import joblib
import pandas as pd
from sklearn.ensemble import RandomForestClassifier

from step_io import input_dir, model_dir, param, write_metrics

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]

train = pd.read_csv(os.path.join(input_dir("data"), "train.csv"))
model = RandomForestClassifier(
    n_estimators=int(param("nEstimators", "100")),
    max_depth=int(param("maxDepth", "3")),
    random_state=int(param("seed", "42")),
)
model.fit(train[FEATURES], train["species"])
joblib.dump(model, os.path.join(model_dir(), "model.joblib"))
train_accuracy = float(model.score(train[FEATURES], train["species"]))
write_metrics({"trainAccuracy": train_accuracy})
print(f"train: fitted on {len(train)} rows, training accuracy {train_accuracy:.3f}")
