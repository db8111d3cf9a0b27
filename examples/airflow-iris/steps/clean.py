"""Clean and validate: drops rows with missing or impossible values and unknown species, fails when too few remain."""
import glob
import os

import pandas as pd

from step_io import input_dir, log, output_dir, write_metrics

logger = log("clean")
FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
SPECIES = {"setosa", "versicolor", "virginica"}
MIN_ROWS = 20

files = sorted(glob.glob(os.path.join(input_dir("raw"), "ds=*", "measurements.csv")))
if not files:
    raise SystemExit("clean: input 'raw' holds no ds=<day>/measurements.csv")
frame = pd.concat([pd.read_csv(f) for f in files], ignore_index=True)
rows = len(frame)

missing = frame[FEATURES + ["species"]].isna().any(axis=1)
impossible = (frame[FEATURES] <= 0).any(axis=1) | (frame[FEATURES] > 30).any(axis=1)
unknown = ~frame["species"].isin(SPECIES)
bad = missing | impossible | unknown
for reason, mask in [("a missing value", missing), ("an impossible length", impossible & ~missing), ("an unknown species", unknown)]:
    if mask.any():
        logger.warning("dropping %d row(s) with %s", int(mask.sum()), reason)
clean = frame[~bad]
if len(clean) < MIN_ROWS or clean["species"].nunique() < len(SPECIES):
    raise SystemExit(f"clean: only {len(clean)} valid rows ({clean['species'].nunique()} species) of {rows}; need {MIN_ROWS} and all 3 species")

clean.to_csv(os.path.join(output_dir("clean"), "measurements.csv"), index=False)
write_metrics({"rows": rows, "dropped": int(bad.sum())})
logger.info("kept %d of %d rows", len(clean), rows)
