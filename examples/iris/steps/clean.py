"""Clean: checks the raw data (schema, nulls, ranges), then splits it into train and test sets.

Bad data fails the step with a list of every problem found, so nothing downstream trains on it.
"""
import os
import sys

import pandas as pd
from sklearn.model_selection import train_test_split

from step_io import input_dir, output_dir, param

FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
LABEL = "species"
RANGE_CM = (0.0, 30.0)
SPECIES = {0, 1, 2}


def problems_of(frame: pd.DataFrame) -> list:
    found = []
    missing = [c for c in FEATURES + [LABEL] if c not in frame.columns]
    if missing:
        return [f"missing columns {missing}; got {list(frame.columns)}"]
    for column in FEATURES:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            found.append(f"column {column!r} is {frame[column].dtype}, expected numbers")
    nulls = frame[FEATURES + [LABEL]].isna().sum()
    found += [f"column {c!r} has {n} empty values" for c, n in nulls.items() if n > 0]
    if not found:
        low, high = RANGE_CM
        for column in FEATURES:
            bad = frame[(frame[column] <= low) | (frame[column] > high)]
            if len(bad):
                found.append(f"column {column!r} has {len(bad)} values outside ({low}, {high}] cm, e.g. row {bad.index[0]}: {bad[column].iloc[0]}")
        unknown = set(frame[LABEL].unique()) - SPECIES
        if unknown:
            found.append(f"column {LABEL!r} has unknown classes {sorted(unknown)}; expected {sorted(SPECIES)}")
    if len(frame) < 30:
        found.append(f"only {len(frame)} rows; need at least 30 to split into train and test sets")
    return found


frame = pd.read_csv(os.path.join(input_dir("raw"), "iris.csv"))
problems = problems_of(frame)
if problems:
    print("clean: the raw data is not usable:", file=sys.stderr)
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)
    sys.exit(1)

test_fraction = float(param("testFraction", "0.2"))
train, test = train_test_split(frame, test_size=test_fraction, random_state=int(param("seed", "42")), stratify=frame[LABEL])
train.to_csv(os.path.join(output_dir("train"), "train.csv"), index=False)
test.to_csv(os.path.join(output_dir("test"), "test.csv"), index=False)
print(f"clean: {len(frame)} rows passed the checks; {len(train)} for training, {len(test)} for testing")
