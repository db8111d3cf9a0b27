"""Serving: loads the Iris model and predicts the species of rows of the four measurements.

It follows the SageMaker scikit-learn serving contract, so the same file serves on a SageMaker
endpoint (the registered model package sets SAGEMAKER_PROGRAM=inference.py) and behind
`npx mlops serve iris-classifier --local`. Requests are CSV or JSON rows of
sepal_length, sepal_width, petal_length, petal_width; the answer is one species per row.
"""
import os

import joblib
import pandas as pd

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


def model_fn(model_dir):
    return joblib.load(os.path.join(model_dir, "model.joblib"))


def predict_fn(data, model):
    # The model was fitted on named columns: give the rows the same names.
    return model.predict(pd.DataFrame(data, columns=FEATURES))
