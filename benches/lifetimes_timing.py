"""Times lifetimes 0.11.3 fitting BG/NBD and Pareto/NBD on the CDNOW sample summary (best of
N), for benches/run.mjs. Needs the venv of scripts/lifetimes-reference.sh."""
import json
import sys
import time
import warnings

import pandas as pd
from lifetimes import BetaGeoFitter, ParetoNBDFitter

warnings.simplefilter("ignore")
repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
d = pd.read_csv("data/reference/cdnow_customers_summary_with_transactions.csv")


def best(fn):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return round(min(times), 2)


print(json.dumps({
    "host": "lifetimes",
    "bgnbdCdnowMs": best(lambda: BetaGeoFitter().fit(d["x"], d["t_x"], d["T"])),
    "paretoCdnowMs": best(lambda: ParetoNBDFitter().fit(d["x"], d["t_x"], d["T"])),
}))
