"""Train: a scikit-learn classifier on the day's clean measurements; reports its test accuracy."""
import os

import joblib
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from step_io import input_dir, log, model_dir, write_metrics

logger = log("train")
FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]

frame = pd.read_csv(os.path.join(input_dir("data"), "measurements.csv"))
train, test = train_test_split(frame, test_size=0.3, random_state=0, stratify=frame["species"])
model = LogisticRegression(max_iter=500).fit(train[FEATURES], train["species"])
accuracy = float(model.score(test[FEATURES], test["species"]))
joblib.dump(model, os.path.join(model_dir(), "model.joblib"))
write_metrics({"accuracy": accuracy, "trainRows": len(train), "testRows": len(test)})
logger.info("trained on %d rows, test accuracy %.3f on %d rows", len(train), accuracy, len(test))
