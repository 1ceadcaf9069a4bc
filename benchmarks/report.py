"""Markdown tables from ``benchmarks/results/*.json``, for docs/performance.md.

    python benchmarks/report.py [--quick]

Reads what ``run.py`` wrote (the full run by default, ``*-quick.json`` with ``--quick``) and
prints the tables, so that the figures in the documentation are copied, not retyped.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
MiB = 2**20


def n_label(n: int) -> str:
    e = math.log10(n)
    return f"10^{int(e)}" if e == int(e) else f"{n:,}"


def secs(s: float) -> str:
    return f"{s * 1e3:.1f} ms" if s < 1 else f"{s:.2f} s"


def ns(s: float) -> str:
    return f"{s * 1e9:,.0f} ns"


def mib(b: float | None) -> str:
    return "-" if b is None else f"{b / MiB:,.0f} MiB"


def md(headers: list[str], rows: list[list[Any]]) -> str:
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


def load(name: str, quick: bool) -> dict[str, Any] | None:
    path = RESULTS / (f"{name}-quick.json" if quick else f"{name}.json")
    return json.loads(path.read_text()) if path.exists() else None


def machine(doc: dict[str, Any]) -> str:
    m = doc["machine"]
    git = m.get("git") or {}
    load_avg = m.get("load_average_at_start")
    return (
        f"{m['date'][:10]}, {m['cpu_count']} CPUs ({m['processor']}, {m['machine']}), "
        f"{mib(m.get('memory_total_bytes'))} RAM, Python {m['python']}, numpy {m['numpy']}, "
        f"scipy {m.get('scipy')}; commit {git.get('commit')}"
        + (" with uncommitted changes in src/" if git.get("src_modified") else "")
        + (f"; load average at start {load_avg[0]:.1f}" if load_avg else "")
    )


def ema_paper_table(paper: dict[str, Any], doc: dict[str, Any]) -> str:
    """Figure 2 on paper-targets: CPU seconds (min / median / max over rounds) of EMA (the
    numpy model, and the plain-float model) and projection, and the ratios with the goals."""

    def spread(d: dict[str, float], scale: float = 1.0) -> str:
        return " / ".join(secs(d[k] * scale) for k in ("min", "median", "max"))

    def ratio(r: dict[str, Any]) -> str:
        p = r["per_round"]
        return (
            f"**{r['of_minima']:,.0f}x** ({p['min']:,.0f} / {p['median']:,.0f} / {p['max']:,.0f})"
        )

    def goal(part: dict[str, Any], text: str, judged: bool) -> str:
        if not judged:
            return f"{text} (not at the goal's sizes)"
        return f"{text}: {'met' if part['met'] else 'NOT met'}"

    a, b, c = paper["throughput"], paper["equal_n"], paper["whole_answer"]
    quick = doc.get("mode") == "quick"
    scale_b = b["n"] / b["n_ema_timed"]
    extra = " (EMA extrapolated from " + f"{b['n_ema_timed']:,})" if b["extrapolated"] else ""
    rows = [
        [
            f"a. per CPU-second: EMA {a['n_ema']:,} experiments, projection "
            f"{n_label(a['n_projection'])} members",
            spread(a["cpu_s"]["ema"]),
            spread(a["cpu_s"]["ema_scalar"]),
            spread(a["cpu_s"]["projection"]),
            ratio(a["ratio"]),
            ratio(a["ratio_scalar_model"]),
            goal(a, ">= 100x", a["counts_for_goal"]),
        ],
        [
            f"b. equal N = {n_label(b['n'])}{extra}",
            spread(b["cpu_s"]["ema"], scale_b),
            spread(b["cpu_s"]["ema_scalar"], scale_b),
            spread(b["cpu_s"]["projection"]),
            ratio(b["ratio"]),
            ratio(b["ratio_scalar_model"]),
            goal(b, ">= 50x", b["counts_for_goal"]),
        ],
        [
            f"c. whole answer, {c['n_base']:,} base samples ({c['evaluations']:,} evaluations): "
            "EMA + SALib against run + sensitivity",
            spread(c["cpu_s"]["ema_salib"]),
            spread(c["cpu_s"]["ema_scalar_salib"]),
            spread(c["cpu_s"]["projection_answer"]),
            ratio(c["ratio"]),
            ratio(c["ratio_scalar_model"]),
            goal(c, ">= 30x", not quick),
        ],
    ]
    head = (
        f"paper-targets, CPU time (min / median / max over {paper['rounds']} rounds; b: "
        f"{b['rounds_done']}): {machine(doc)}\n\n"
    )
    return head + md(
        [
            "",
            "EMA (numpy model)",
            "EMA (plain-float model)",
            "projection",
            "ratio (per round min / median / max)",
            "ratio, plain-float model",
            "goal",
        ],
        rows,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    quick = parser.parse_args().quick

    models = load("models", quick)
    if models:
        print(f"Measured: {machine(models)}\n")
        runs = {r["n"]: r for r in models["ensemble_vs_numpy"]}
        rows = []
        for f in models["logistic_vs_numpy"]:
            r = runs.get(f["n"], {})
            same = r.get("ratio_same_subsample")
            rows.append(
                [
                    n_label(f["n"]),
                    secs(f["projection_s"]),
                    secs(f["numpy_s"]),
                    f"**{f['ratio']:.2f}**",
                    secs(f["numpy_inplace_s"]) if "numpy_inplace_s" in f else "-",
                    f"{f['ratio_inplace']:.2f}" if "ratio_inplace" in f else "-",
                    secs(r["projection_s"]) if r else "-",
                    secs(r["numpy_s"]) if r else "-",
                    f"**{r['ratio']:.2f}**" if r else "-",
                    f"{same:.2f}" if same else "same work",
                ]
            )
        print(
            md(
                [
                    "N",
                    "`logistic.evaluate`",
                    "numpy kernel",
                    "ratio",
                    "numpy kernel, in place",
                    "ratio",
                    "`projection.run`",
                    "numpy, same work",
                    "ratio",
                    "ratio, numpy on the same quantile subsample",
                ],
                rows,
            )
        )
        print()

    ema = load("ema", quick)
    if ema and "skipped" not in ema:
        rows = [
            [
                f"EMA Workbench, `SequentialEvaluator`, {ema['ema_experiments']:,} experiments",
                secs(ema["ema_s"]),
                f"{ema['ema_per_s']:,.0f}",
                "1",
            ]
        ]
        for p in ema["projection"]:
            rows.append(
                [
                    f"`projection.run`, {n_label(p['n'])} members",
                    secs(p["s"]),
                    f"{p['members_per_s']:,.0f}",
                    f"**{p['ratio']:,.0f}x**",
                ]
            )
        print(md(["", "time", "per second", "throughput ratio"], rows))
        print()
        paper = ema.get("paper_targets")
        if paper and "skipped" not in paper:
            print(ema_paper_table(paper, ema))
            print()
        elif paper:
            print(f"EMA on paper-targets: {paper['skipped']}\n")
    elif ema:
        print(f"EMA: {ema['skipped']}\n")

    memory = load("memory", quick)
    if memory:
        base = memory["import_only_maxrss"]
        rows = [["`import projection` only", "-", mib(base), "-", "-", "-"]]
        for r in memory["runs"] + memory["workers"]:
            label = f"N = {n_label(r['n'])}" if "n" in r else " ".join(r["args"])
            if r.get("args") and "--workers" in r["args"]:
                label += f", workers={r['args'][r['args'].index('--workers') + 1]}"
            if "skipped" in r or "error" in r:
                rows.append([label, "-", r.get("skipped") or r.get("error"), "", "", ""])
                continue
            rows.append(
                [
                    label,
                    secs(r["run_s"]),
                    f"**{mib(r['maxrss'])}**",
                    mib(r["above_import"]),
                    mib(r.get("tree_peak_pss")),
                    r.get("stride", 1),
                ]
            )
        print(
            md(
                [
                    f"{memory['indicators']} indicators x {memory['years']} years",
                    "run",
                    "peak RSS (largest process)",
                    "above import",
                    "all processes (PSS, sampled)",
                    "quantile stride",
                ],
                rows,
            )
        )
        print()
        rows = [
            [f"{r['chunk_size']:,}", secs(r["run_s"]), mib(r["maxrss"]), mib(r["above_import"])]
            for r in memory["chunks"]
            if "maxrss" in r
        ]
        if rows:
            n = memory["chunks"][0].get("n")
            print(
                md(
                    [
                        f"chunk_size (N = {n_label(n) if n else '?'})",
                        "run",
                        "peak RSS",
                        "above import",
                    ],
                    rows,
                )
            )
            print()

    scaling = load("scaling", quick)
    if scaling:
        rows = [
            [
                n_label(r["n"]),
                secs(r["s"]),
                ns(r["s_per_member"]),
                f"{r['ratio_to_previous']:.1f}" if "ratio_to_previous" in r else "",
                {True: "yes", False: "no", None: ""}[r.get("near_linear")],
            ]
            for r in scaling["vs_n"]
        ]
        print(md(["N (1 indicator)", "time", "per member", "t(N) / t(N/10)", "5 to 15?"], rows))
        print()
        rows = [
            [
                r["indicators"],
                secs(r["s"]),
                ns(r["s_per_member"]),
                ns(r["s_per_member_indicator"]),
                f"{r['ratio_to_previous']:.2f}" if "ratio_to_previous" in r else "",
            ]
            for r in scaling["vs_indicators"]
        ]
        n = scaling["vs_indicators"][0]["n"]
        print(
            md(
                [
                    f"indicators (N = {n_label(n)})",
                    "time",
                    "per member",
                    "per member and indicator",
                    "t(k) / t(k/2)",
                ],
                rows,
            )
        )
        print()
        w = scaling.get("workers", {})
        if w.get("rows"):
            cpus = w["cpu_count"]
            rows = [
                [
                    f"dask `LocalCluster`, {cpus} x 1 thread"
                    if r["workers"] == "dask"
                    else r["workers"],
                    secs(r["s"]),
                    f"{r['speedup']:.2f}x",
                    "-" if r["cpu_s"] is None else secs(r["cpu_s"]),
                ]
                for r in w["rows"]
            ]
            print(
                md(
                    [
                        f"workers (N = {n_label(w['n'])}, {w['indicators']} indicators)",
                        "time",
                        "speedup",
                        "CPU time, all processes",
                    ],
                    rows,
                )
            )
            print()

    startup = load("startup", quick)
    if startup:
        rows = [
            [
                f"`{r['command']}`",
                secs(r["cpu_s_min"]),
                secs(r["cpu_s_median"]),
                secs(r["cpu_s_max"]),
                f"**{r['ratio_min']:.2f}**" if "goal" in r else "1",
                f"{r['ratio_median']:.2f}" if "goal" in r else "1",
                f"<= {r['goal']:g}: {'met' if r['met'] else 'NOT met'}" if "goal" in r else "",
            ]
            for r in startup["rows"]
        ]
        print(
            md(
                ["command", "CPU min", "median", "max", "ratio (min)", "ratio (median)", "goal"],
                rows,
            )
        )
        print()

    solved = load("solve", quick)
    if solved:
        rows = [
            [
                r["problem"],
                secs(r["compiled_s"]),
                secs(r["reload_s"]),
                f"**{r['speedup']:.0f}x**",
                "yes" if r["same_value"] else "NO",
            ]
            for r in solved["rows"]
        ]
        print(md(["problem", "compiled", "re-loading per step", "speed-up", "same value"], rows))
        print()

    compared = load("before-after", quick)
    if compared and "skipped" not in compared:

        def spread(d: dict[str, float]) -> str:
            return f"{secs(d['min'])} / {secs(d['median'])} / {secs(d['max'])}"

        def ratios(d: dict[str, float], digits: int, suffix: str = "") -> str:
            return " / ".join(f"{d[k]:.{digits}f}{suffix}" for k in ("min", "median", "max"))

        rows = [
            [
                r["problem"],
                spread(r["before_s"]),
                spread(r["after_s"]),
                f"**{r['speedup_of_minima']:.0f}x**",
                ratios(r["speedup_per_round"], 0, "x"),
                "yes" if r["same_value"] else "NO",
            ]
            for r in compared["solve"]
        ]
        heads = ["before, min / median / max", "after, min / median / max"]
        print(md(["`solve`", *heads, "speed-up", "per round", "same value"], rows))
        print()
        rows = [
            [
                f"{r['scenario']}, N = {n_label(r['members'])}",
                spread(r["before_cpu_s"]),
                spread(r["after_cpu_s"]),
                f"**{r['after_over_before_of_minima']:.2f}**",
                ratios(r["after_over_before_per_round"], 2),
            ]
            for r in compared["ensembles"]
        ]
        print(md(["ensemble (CPU)", *heads, "after / before", "per round"], rows))
        print()
        rows = [
            [
                f"`{r['command']}`",
                f"{r['before_ratio']:.1f}",
                f"**{r['after_ratio']:.2f}**",
                f"{r['before_ratio_median']:.1f}",
                f"{r['after_ratio_median']:.2f}",
            ]
            for r in compared["startup"]
        ]
        print(
            md(
                [
                    "CPU / `import numpy`",
                    "before (min)",
                    "after (min)",
                    "before (median)",
                    "after (median)",
                ],
                rows,
            )
        )
        print()
    elif compared:
        print(f"Before/after: {compared['skipped']}\n")

    paper = load("paper", quick)
    if paper:
        print(
            f"paper-targets, N = {n_label(paper['n'])}, {paper['rounds']} rounds: {machine(paper)}\n"
        )
        ratios = paper["ratios"]
        rows = [
            [
                f"`{k}`",
                paper["contenders"][k],
                " / ".join(secs(c[x]) for x in ("min", "median", "max")),
                f"**{ratios[k]['of_minima']:.2f}**" if k in ratios else "",
                " / ".join(f"{ratios[k]['per_round'][x]:.2f}" for x in ("min", "median", "max"))
                if k in ratios
                else "",
            ]
            for k, c in paper["cpu_s"].items()
        ]
        heads = ["contender", "counts", "CPU min / median / max", "projection / it (minima)"]
        print(md([*heads, "per round min / median / max"], rows))
        print()
        prof = paper["profile"]
        rows = [
            [r["stage"].replace("  ", "&nbsp;&nbsp;"), secs(r["s"]), f"{r['share'] * 100:.0f} %"]
            for r in prof["stages"]
        ]
        print(f"Profile of one run (cProfile, {secs(prof['profiled_s'])}):\n")
        print(md(["stage", "cumulative", "share"], rows))
        print()

    summary = load("summary", quick)
    if summary:
        print(f"Whole run: {summary['took_s']:.0f} s.")
        for line in summary["summary"]:
            print(f"  {line}")


if __name__ == "__main__":
    main()
