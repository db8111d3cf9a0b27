"""Evaluate: scores the model on the held-out test set; writes accuracy and macro F1 as metrics."""
import json
import os

import joblib
import pandas as pd
from sklearn.metrics import accuracy_score, classification_report, f1_score

from step_io import input_dir, output_dir, write_metrics

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]

model = joblib.load(os.path.join(input_dir("model"), "model.joblib"))
test = pd.read_csv(os.path.join(input_dir("test"), "test.csv"))
predicted = model.predict(test[FEATURES])
accuracy = float(accuracy_score(test["species"], predicted))
f1_macro = float(f1_score(test["species"], predicted, average="macro"))
report = classification_report(test["species"], predicted, output_dict=True)
with open(os.path.join(output_dir("report"), "report.json"), "w") as f:
    json.dump(report, f, indent=2, sort_keys=True)
write_metrics({"accuracy": accuracy, "f1Macro": f1_macro})
print(f"evaluate: accuracy {accuracy:.3f}, macro F1 {f1_macro:.3f} on {len(test)} rows")
