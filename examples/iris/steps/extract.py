"""Extract: writes scikit-learn's bundled Iris data set as CSV to the 'raw' output."""
import os

from sklearn.datasets import load_iris

from step_io import output_dir

COLUMNS = {
    "sepal length (cm)": "sepal_length",
    "sepal width (cm)": "sepal_width",
    "petal length (cm)": "petal_length",
    "petal width (cm)": "petal_width",
    "target": "species",
}

frame = load_iris(as_frame=True).frame.rename(columns=COLUMNS)
path = os.path.join(output_dir("raw"), "iris.csv")
frame.to_csv(path, index=False)
print(f"extract: wrote {len(frame)} rows to {path}")
