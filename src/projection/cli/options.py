"""The command line's vocabulary: one meaning per option name, whatever the command.

=========================  ====================================================================
option                     meaning
=========================  ====================================================================
``FILES``                  scenario files, or the names of shipped scenarios
``--set/-s P=V``           override a field of every scenario (repeatable)
``--variant/-V [N:]P=V``   also run each scenario with this override, as a variant named ``N``
                           (default: after the override); ``;`` joins several overrides
``--years``                years: ``2025,2030``, ``2025:2040``, ``2025:2040:5`` or a mix
``--samples/-n``           run an ensemble of N members (``--sampler``, ``--seed``,
                           ``--quantiles``, ``--workers/-w``, ``--scheduler``)
``--format/-f``            how results are printed: ``table``, ``csv`` or ``json``
``--output/-o``            the file results are written to (its extension picks the format)
``--layout``               the layout of ``run --output``: ``tidy`` or ``iamc``
``--plot``                 the figure file to draw (``.png``, ``.svg``, ``.pdf``)
``--quiet/-q``             print nothing but errors (files are still written)
=========================  ====================================================================

This module imports no numerics: the help and the option parsing cost nothing.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

__all__ = [
    "FilesArg",
    "FileArg",
    "SetOpt",
    "VariantOpt",
    "YearsOpt",
    "SamplesOpt",
    "SamplerOpt",
    "NoiseOpt",
    "SeedOpt",
    "QuantilesOpt",
    "WorkersOpt",
    "SchedulerOpt",
    "FormatOpt",
    "OutputOpt",
    "PlotOpt",
    "QuietOpt",
    "Format",
    "Layout",
    "Sampler",
]


class Format(StrEnum):
    """How a command prints its results on standard output."""

    table = "table"
    csv = "csv"
    json = "json"


class Layout(StrEnum):
    """The layout of the file ``run --output`` writes."""

    tidy = "tidy"
    iamc = "iamc"


class Sampler(StrEnum):
    """How an ensemble's members are drawn."""

    lhs = "lhs"
    sobol = "sobol"
    mc = "mc"


FilesArg = Annotated[
    list[str],
    typer.Argument(
        help="Scenario files (YAML or TOML), or names of shipped scenarios (projection list).",
        show_default=False,
        metavar="FILE",
    ),
]
FileArg = Annotated[
    str,
    typer.Argument(
        help="A scenario file, or the name of a shipped scenario.",
        show_default=False,
        metavar="FILE",
    ),
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        "-s",
        help="Override a field of every scenario: PATH=VALUE, e.g. "
        "indicators.ev_sales_share.params.rate=0.5 or ...params.start='500 Gbps'. Repeatable.",
        metavar="PATH=VALUE",
    ),
]
VariantOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--variant",
        "-V",
        help="Also run each scenario with this override, as a variant of it: [NAME:]PATH=VALUE "
        "(';' joins several overrides). Repeatable: one variant each.",
        metavar="[NAME:]PATH=VALUE",
    ),
]
YearsOpt = Annotated[
    str | None,
    typer.Option(
        "--years",
        help="Years: 2025,2030 or 2025:2040 or 2025:2040:5, or a mix "
        "(default: the scenario's report years).",
        metavar="YEARS",
    ),
]
SamplesOpt = Annotated[
    int | None,
    typer.Option(
        "--samples",
        "-n",
        help="Run an ensemble of N members drawn from the parameters' distributions.",
        metavar="N",
    ),
]
NoiseOpt = Annotated[
    str,
    typer.Option(
        "--noise",
        help="Observation noise sd in the indicator's unit, or 'fit' (unknown, integrated "
        "out); calibrate uses it with --posterior.",
        metavar="SD|fit",
    ),
]
SamplerOpt = Annotated[Sampler, typer.Option("--sampler", help="How members are drawn.")]
SeedOpt = Annotated[
    int | None,
    typer.Option("--seed", help="Random seed: the same seed gives the same numbers.", metavar="S"),
]
QuantilesOpt = Annotated[
    str,
    typer.Option(
        "--quantiles", help="Quantile bands of an ensemble, e.g. 0.05,0.5,0.95.", metavar="Q,..."
    ),
]
WorkersOpt = Annotated[
    int | None,
    typer.Option(
        "--workers",
        "-w",
        help="Local processes for an ensemble (default: all cores).",
        metavar="N",
    ),
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="Run an ensemble on this dask.distributed scheduler, e.g. tcp://host:8786 "
        "(needs: pip install 'projection[dask]').",
        metavar="ADDRESS",
    ),
]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="How to print the results.")]
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Write the results to this file: .csv, .parquet, .json, .xlsx or .nc (netCDF), "
        "with the run's metadata.",
        metavar="FILE",
    ),
]
IndicatorsOpt = Annotated[
    str | None,
    typer.Option(
        "--indicators",
        "-i",
        help="Show (and plot) only these indicators, e.g. ev_sales_share,ev_fleet_share; "
        "--output still writes every one.",
        metavar="NAME,...",
    ),
]
PlotOpt = Annotated[
    Path | None,
    typer.Option(
        "--plot", help="Draw the results to this figure: .png, .svg or .pdf.", metavar="FILE"
    ),
]
QuietOpt = Annotated[
    bool,
    typer.Option("--quiet", "-q", help="Print nothing but errors (files are still written)."),
]
