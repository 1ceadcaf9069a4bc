"""Draw each growth family at a few parameter values (docs/img/family-<name>.png), and
paper-targets' sales share against its fleet share (docs/img/sales-vs-fleet.png).

Run from anywhere after changing a family or the settings here, and commit the PNGs::

    python docs/gen_figures.py            # writes docs/img/family-*.png
    python docs/gen_figures.py --out DIR  # elsewhere (tests/test_mkdocs.py does this)

Every curve is computed by the family's own ``evaluate``, so the figures show what the code
does. A test checks that the script runs and writes one figure per family in
``projection.models.FAMILIES``; a family with no entry in :data:`CURVES` fails it.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from projection.models import FAMILIES  # noqa: E402

BASE_YEAR = 2025
YEARS = np.arange(2020, 2046, 0.25)
DEFAULT_OUT = Path(__file__).resolve().parent / "img"

#: Per family: a title, the y-axis label and (label, parameters) for each curve.
CURVES: dict[str, tuple[str, str, list[tuple[str, dict[str, Any]]]]] = {
    "linear": (
        "linear: start + slope d",
        "value (start = 100)",
        [(f"slope = {s:g}/yr", {"start": 100.0, "slope": s}) for s in (-4.0, 0.0, 5.0, 10.0)],
    ),
    "exponential": (
        "exponential: start e^(rate d), optionally under a ceiling",
        "value (start = 10)",
        [
            ("rate = 0.1/yr", {"start": 10.0, "rate": 0.1}),
            ("rate = 0.2/yr", {"start": 10.0, "rate": 0.2}),
            ("rate = 0.2/yr, ceiling = 60", {"start": 10.0, "rate": 0.2, "ceiling": 60.0}),
            ("rate = -0.1/yr", {"start": 10.0, "rate": -0.1}),
        ],
    ),
    "logistic": (
        "logistic: symmetric S-curve to the ceiling",
        "value (start = 2, ceiling = 60)",
        [
            (f"rate = {r:g}/yr", {"start": 2.0, "ceiling": 60.0, "rate": r})
            for r in (0.2, 0.35, 0.7, 1.2)
        ],
    ),
    "gompertz": (
        "gompertz: asymmetric S-curve to the ceiling",
        "value (start = 2, ceiling = 60)",
        [
            (f"rate = {r:g}/yr", {"start": 2.0, "ceiling": 60.0, "rate": r})
            for r in (0.1, 0.2, 0.35, 0.6)
        ],
    ),
    "bass": (
        "bass: cumulative adoption (start = 1, market = 100)",
        "cumulative adoption",
        [
            (f"p = {p:g}, q = {q:g}", {"start": 1.0, "market": 100.0, "p": p, "q": q})
            for p, q in ((0.03, 0.38), (0.01, 0.5), (0.1, 0.1), (0.0, 0.6))
        ],
    ),
    "staged": (
        "staged: through dated milestones (450 -> 1000 in 2027 -> 4000 in 2030 -> 12000 in 2035)",
        "value",
        [
            (
                f"interpolation = {i}",
                {
                    "start": 450.0,
                    "milestone_years": [2027.0, 2030.0, 2035.0],
                    "milestone_values": [1000.0, 4000.0, 12000.0],
                    "interpolation": i,
                },
            )
            for i in ("step", "linear", "log-linear")
        ],
    ),
}


def draw(name: str, path: Path) -> Path:
    """Draw the family ``name`` into ``path`` (PNG) and return the path."""
    family = FAMILIES[name]
    title, ylabel, curves = CURVES[name]
    fig, ax = plt.subplots(figsize=(7.0, 3.8), dpi=100, layout="constrained")
    for label, params in curves:
        values = family.evaluate(YEARS, base_year=BASE_YEAR, **params)
        steps = params.get("interpolation") == "step"
        ax.plot(YEARS, values, label=label, drawstyle="steps-post" if steps else "default")
    start = curves[0][1]["start"]
    ax.plot([BASE_YEAR], [start], "ko", markersize=4, label=f"start at base year {BASE_YEAR}")
    if name == "staged":
        ms = curves[0][1]
        ax.plot(
            ms["milestone_years"], ms["milestone_values"], "ks", markersize=5, label="milestones"
        )
        ax.set_yscale("log")
    ax.axvline(BASE_YEAR, color="0.8", linewidth=0.8, zorder=0)
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("year")
    ax.set_ylabel(ylabel)
    ax.grid(True, color="0.92")
    ax.legend(fontsize=8, loc="best")
    if not all(math.isfinite(v) for v in ax.get_ylim()):  # pragma: no cover - sanity
        raise RuntimeError(f"{name}: non-finite axis limits")
    path.parent.mkdir(parents=True, exist_ok=True)
    # no metadata: the same code and library versions give the same bytes
    fig.savefig(path, format="png", metadata={"Software": None})
    plt.close(fig)
    return path


def draw_fleet(path: Path) -> Path:
    """scenarios/paper-targets.yaml: the EV share of new sales beside its EV share of the cars on the road
    (``docs/stocks-and-flows.md``): medians and 5-95 % bands of an ensemble."""
    import projection

    scenario = Path(__file__).resolve().parents[1] / "scenarios" / "paper-targets.yaml"
    e = projection.run(scenario, samples=4000, seed=1)
    f = e.to_frame()
    fig, ax = plt.subplots(figsize=(7.0, 3.8), dpi=100, layout="constrained")
    for name, label, colour in (
        ("ev_sales_share", "EV share of new sales (T1's measure)", "C0"),
        ("ev_fleet_share", "EV share of the cars on the road", "C3"),
    ):
        rows = f[f.indicator == name].pivot(index="year", columns="quantile", values="value")
        ax.fill_between(rows.index, rows[0.05], rows[0.95], color=colour, alpha=0.2, lw=0)
        ax.plot(rows.index, rows[0.5], color=colour, label=f"{label}, median and 5-95 %")
    ax.plot([2030], [30], "k^", label="T1: 30 % of sales by 2030")
    ax.set_title("paper-targets: sales share against fleet share (4,000 members)", fontsize=10)
    ax.set_xlabel("year")
    ax.set_ylabel("%")
    ax.grid(True, color="0.92")
    ax.legend(fontsize=8, loc="upper left")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png", metadata={"Software": None})
    plt.close(fig)
    return path


def main(argv: list[str] | None = None) -> list[Path]:
    """Draw every family, and the sales-against-fleet figure; return the paths written."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    args = parser.parse_args(argv)
    missing = sorted(set(FAMILIES) - set(CURVES))
    if missing:
        parser.error(f"no curves defined for growth families: {', '.join(missing)}")
    written = [draw(name, args.out / f"family-{name}.png") for name in sorted(FAMILIES)]
    written.append(draw_fleet(args.out / "sales-vs-fleet.png"))
    for path in written:
        print(f"wrote {path}")
    return written


if __name__ == "__main__":
    main(sys.argv[1:])
