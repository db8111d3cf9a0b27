"""Extract: the day's measurements from the source (CSV, or JSON lines), as the partition of the run's data interval.

The source is data/measurements.csv next to this script (2026-11-01 to 2026-12-31), or the file
IRIS_SOURCE names (.csv, .json or .jsonl with the same columns). The rows observed in the run's data
interval [start, end) go to output 'raw' as ds=<start day>/measurements.csv. With IRIS_PARTITIONS set
(local runs, one machine), the same partition is also published to $IRIS_PARTITIONS/ds=<day>/,
replacing only that day's folder: a rerun of a day overwrites that day and no other.
"""
import json
import os
import shutil
import tempfile

import pandas as pd

from step_io import data_interval, log, output_dir

logger = log("extract")
HERE = os.path.dirname(os.path.abspath(__file__))
source = os.environ.get("IRIS_SOURCE") or os.path.join(HERE, "data", "measurements.csv")
if source.endswith((".json", ".jsonl")):
    frame = pd.read_json(source, lines=source.endswith(".jsonl"))
else:
    frame = pd.read_csv(source)
observed = pd.to_datetime(frame["observed_at"], utc=True)

interval = data_interval()
if interval is None:
    # A run started by hand without an interval: the latest day in the source.
    start = observed.max().normalize()
    end = start + pd.Timedelta(days=1)
    logger.info("no data interval given: extracting the latest day in the source, %s", start.date())
else:
    start, end = pd.Timestamp(interval[0]).tz_convert("UTC"), pd.Timestamp(interval[1]).tz_convert("UTC")
day = frame[(observed >= start) & (observed < end)]
if day.empty:
    raise SystemExit(f"extract: {source} has no rows observed in [{start.isoformat()}, {end.isoformat()}); "
                     "the bundled source covers 2026-11-01 to 2026-12-31, set IRIS_SOURCE for another")

partition = f"ds={start.strftime('%Y-%m-%d')}"
target = os.path.join(output_dir("raw"), partition)
os.makedirs(target, exist_ok=True)
day.to_csv(os.path.join(target, "measurements.csv"), index=False)
logger.info("%d rows observed in [%s, %s) from %s -> %s", len(day), start.isoformat(), end.isoformat(), source, target)

published = os.environ.get("IRIS_PARTITIONS")
if published:
    os.makedirs(published, exist_ok=True)
    staging = tempfile.mkdtemp(dir=published, prefix=f".{partition}.")
    day.to_csv(os.path.join(staging, "measurements.csv"), index=False)
    with open(os.path.join(staging, "_run.json"), "w") as f:
        json.dump({"run": os.environ.get("MLOPS_RUN_ID"), "rows": len(day), "start": start.isoformat(), "end": end.isoformat()}, f)
    final = os.path.join(published, partition)
    # Replace only this day's folder: move the old one aside, the new one in, then drop the old.
    old = None
    if os.path.exists(final):
        old = tempfile.mkdtemp(dir=published, prefix=f".{partition}.old.")
        os.rmdir(old)
        os.rename(final, old)
    os.rename(staging, final)
    if old:
        shutil.rmtree(old)
    logger.info("published partition %s", final)
