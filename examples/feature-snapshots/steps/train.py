"""Trains on the snapshot in MLOPS_INPUT_FEATURES (one folder per hour) and records what it read."""
import glob
import json
import os
import time

import pandas as pd

features = os.environ["MLOPS_INPUT_FEATURES"]
model_dir = os.environ["MLOPS_MODEL_DIR"]


def read_snapshot():
    with open(os.path.join(features, "_snapshot.json")) as f:
        snapshot = json.load(f)
    files = sorted(glob.glob(os.path.join(features, "*", "*.csv")))
    frame = pd.concat([pd.read_csv(f) for f in files], ignore_index=True)
    return snapshot, frame


snapshot, frame = read_snapshot()
seen = {
    "version": snapshot["version"],
    "envVersion": os.environ.get("MLOPS_SNAPSHOT_FEATURES"),
    "partitions": snapshot["partitions"],
    "rows": len(frame),
    "distinctRows": len(frame.drop_duplicates(["customer_id", "event_time"])),
}

# Tests hold training here while the feature pipeline commits the next version, then read again.
started = os.environ.get("SNAPSHOT_EXAMPLE_STARTED")
gate = os.environ.get("SNAPSHOT_EXAMPLE_TRAIN_GATE")
if started:
    open(started, "w").close()
while gate and not os.path.exists(gate):
    time.sleep(0.05)
again, frame_again = read_snapshot()
seen["versionAfterWait"] = again["version"]
seen["rowsAfterWait"] = len(frame_again)

# The model: mean monthly spend per plan, a stand-in for a real estimator.
model = frame.groupby("plan")[os.environ.get("MLOPS_PARAM_TARGET", "monthly_spend")].mean().round(2).to_dict()
with open(os.path.join(model_dir, "model.json"), "w") as f:
    json.dump({"snapshot": snapshot["version"], "meanSpendByPlan": model}, f, sort_keys=True)
with open(os.path.join(model_dir, "snapshot-seen.json"), "w") as f:
    json.dump(seen, f, sort_keys=True)
with open(os.environ["MLOPS_METRICS_FILE"], "w") as f:
    json.dump({"rows": len(frame)}, f)
print(f"trained on {snapshot['table']} {snapshot['version']}: {len(frame)} rows in {len(snapshot['partitions'])} partitions")
