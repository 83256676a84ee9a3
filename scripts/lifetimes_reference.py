"""Fits of lifetimes 0.11.3 on rapport's reference data, with per-client predictions, as JSON.

Run through scripts/lifetimes-reference.sh (it makes the virtual environment).
"""
import json
import sys

import numpy as np
import pandas as pd
import lifetimes
from lifetimes import (
    BetaGeoFitter,
    ModifiedBetaGeoFitter,
    ParetoNBDFitter,
    GammaGammaFitter,
    BetaGeoBetaBinomFitter,
)

HORIZON = 39.0  # weeks: the CDNOW holdout length

cdnow = pd.read_csv("data/reference/cdnow_customers_summary_with_transactions.csv")
x, tx, T, zbar = cdnow["x"], cdnow["t_x"], cdnow["T"], cdnow["zbar"]
out = {"lifetimes": lifetimes.__version__, "horizon": HORIZON}


def floats(values):
    return [float(v) for v in np.asarray(values, dtype=float)]


for name, cls in [("bgnbd", BetaGeoFitter), ("mbgnbd", ModifiedBetaGeoFitter), ("pareto-nbd", ParetoNBDFitter)]:
    m = cls().fit(x, tx, T)
    out[name] = {
        "params": {k: float(v) for k, v in m.params_.items()},
        "pAlive": floats(m.conditional_probability_alive(x, tx, T)),
        "expected": floats(m.conditional_expected_number_of_purchases_up_to_time(HORIZON, x, tx, T)),
    }

repeaters = cdnow[cdnow["x"] > 0]
gg = GammaGammaFitter().fit(repeaters["x"], repeaters["zbar"])
out["gamma-gamma"] = {
    "params": {k: float(v) for k, v in gg.params_.items()},
    "expectedSpend": floats(gg.conditional_expected_average_profit(x, zbar)),
}

don = pd.read_csv("data/reference/donations.csv")
bb = BetaGeoBetaBinomFitter().fit(don["frequency"], don["recency"], don["periods"], weights=don["weights"])
out["bgbb"] = {
    "params": {k: float(v) for k, v in bb.params_.items()},
    "pAlive": floats(bb.conditional_probability_alive(1, don["frequency"], don["recency"], don["periods"])),
    "expected": floats(bb.conditional_expected_number_of_purchases_up_to_time(5, don["frequency"], don["recency"], don["periods"])),
}

# The CDNOW holdout: calibrate to 1997-09-30 from the transactions, predict to 1998-06-30.
from lifetimes.utils import calibration_and_holdout_data

tx_events = pd.read_csv("data/cdnow_sample_events.csv", parse_dates=["date"])
cal = calibration_and_holdout_data(
    tx_events, "customer_id", "date", calibration_period_end="1997-09-30",
    observation_period_end="1998-06-30", freq="D", freq_multiplier=7,
)
hm = BetaGeoFitter().fit(cal["frequency_cal"], cal["recency_cal"], cal["T_cal"])
predicted = hm.conditional_expected_number_of_purchases_up_to_time(
    cal["duration_holdout"], cal["frequency_cal"], cal["recency_cal"], cal["T_cal"])
out["holdout"] = {
    "clients": int(len(cal)),
    "calibrationRepeats": float(cal["frequency_cal"].sum()),
    "actual": float(cal["frequency_holdout"].sum()),
    "predicted": float(predicted.sum()),
}

json.dump(out, sys.stdout, indent=1)
sys.stdout.write("\n")
