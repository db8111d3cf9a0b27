"""One hour of customer features: 20 customers, one row each, in features/customers-<hour>.csv."""
import os
import zlib

import pandas as pd

hour = os.environ["MLOPS_PARAM_HOUR"]
out = os.environ["MLOPS_OUTPUT_FEATURES"]

seed = zlib.crc32(hour.encode())
rows = [
    {
        "customer_id": f"c{i:03d}",
        "event_time": f"{hour}:00:00Z",
        "tenure_months": (seed + i) % 48,
        "monthly_spend": round(20 + ((seed >> 3) + 7 * i) % 80 + 0.5, 2),
        "plan": ["basic", "plus", "pro"][(seed + i) % 3],
    }
    for i in range(20)
]
# Named by the hour: a retried hour writes the same file, and its commit replaces the partition.
pd.DataFrame(rows).to_csv(os.path.join(out, f"customers-{hour}.csv"), index=False)
print(f"wrote {len(rows)} rows for {hour}")
