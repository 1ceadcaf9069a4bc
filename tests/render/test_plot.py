"""Figures: one panel per indicator with every scenario's line, targets and milestones, and
figures written as PNG, SVG or PDF atomically."""

from __future__ import annotations

import math
import os
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from matplotlib.collections import LineCollection, PolyCollection  # noqa: E402
from matplotlib.markers import MarkerStyle  # noqa: E402
from matplotlib.text import Annotation, Text  # noqa: E402

import projection  # noqa: E402
from projection.engine import Ensemble  # noqa: E402
from projection.exceptions import ProjectionError  # noqa: E402
from projection.render.plot import (  # noqa: E402
    PANEL_SIZE,
    check_plot_path,
    plot_projections,
    save_figure,
)
from projection.units import conversion_factor  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
ORDER = ["baseline", "paper-targets", "accelerated", "delayed"]
#: The seven indicators of T1, T2 and S1 the figures below are drawn on (the shipped scenarios
#: have more: the fleet, solar imports, T3 and T4; a figure of all of them is tested too).
HEADLINE = sorted(
    [
        "electricity_demand",
        "ev_sales_share",
        "ofc_capacity",
        "ofc_traffic",
        "ofc_utilisation",
        "solar_capacity",
        "solar_share",
    ]
)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def projs():
    return [projection.run(SCENARIOS / f"{name}.yaml") for name in ORDER]


@pytest.fixture(scope="module")
def fig(projs):
    return plot_projections(projs, indicators=HEADLINE)


@pytest.fixture(scope="module")
def small():
    """A one-panel figure, cheap to save."""
    p = projection.run(SCENARIOS / "baseline.yaml")
    return plot_projections(p, indicators=["ofc_capacity"])


def panel(fig, title):
    (ax,) = [ax for ax in fig.axes if ax.get_title() == title]
    return ax


def offsets(ax):
    """Every scatter point of a panel (targets and milestones), as a set of (x, y)."""
    pts = set()
    for coll in ax.collections:
        for x, y in coll.get_offsets():
            pts.add((round(float(x), 6), round(float(y), 6)))
    return pts


def annotations(ax):
    return [t for t in ax.texts if isinstance(t, Annotation)]


def marker_of(coll):
    """The marker ('^', 'v', 'o') a scatter collection was drawn with."""
    path = coll.get_paths()[0]
    for m in ("^", "v", "o"):
        style = MarkerStyle(m)
        ref = style.get_path().transformed(style.get_transform())
        if ref.vertices.shape == path.vertices.shape and np.allclose(ref.vertices, path.vertices):
            return m
    return None


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


# ---------------------------------------------------------------------------------- panels
def test_one_panel_per_indicator_titled_with_its_name_and_unit(fig, projs):
    names = HEADLINE
    assert len(fig.axes) == len(names) == 7
    assert [ax.get_title() for ax in fig.axes] == names
    assert [ax.get_ylabel() for ax in fig.axes] == [projs[0].units[n] for n in names]
    assert panel(fig, "ofc_capacity").get_ylabel() == "Gbps"
    assert panel(fig, "ev_sales_share").get_ylabel() == "%"
    assert all(ax.get_xlabel() == "year" for ax in fig.axes)


def test_layout_three_columns_and_size_scales_with_rows(fig):
    geometry = {ax.get_subplotspec().get_geometry()[:2] for ax in fig.axes}
    assert geometry == {(3, 3)}
    width, height = fig.get_size_inches()
    assert width == pytest.approx(3 * PANEL_SIZE[0])
    assert height == pytest.approx(3 * PANEL_SIZE[1])  # legend sits in the free cells
    baseline = projection.run(SCENARIOS / "baseline.yaml")
    two = plot_projections(baseline, ncols=2, indicators=HEADLINE)
    assert {ax.get_subplotspec().get_geometry()[:2] for ax in two.axes} == {(4, 2)}
    assert two.get_size_inches()[0] == pytest.approx(2 * PANEL_SIZE[0])


def test_each_panel_has_one_line_per_scenario_with_its_data(fig, projs):
    for ax in fig.axes:
        name = ax.get_title()
        assert [line.get_label() for line in ax.lines] == ORDER
        for line, p in zip(ax.lines, projs):
            np.testing.assert_array_equal(line.get_xdata(), p.years)
            np.testing.assert_allclose(line.get_ydata(), p.values[name])


def test_a_scenario_has_one_colour_in_every_panel(fig):
    colours = [[tuple(line.get_color()) for line in ax.lines] for ax in fig.axes]
    assert all(c == colours[0] for c in colours)
    assert len(set(colours[0])) == len(ORDER)


def test_one_legend_for_the_figure_naming_the_scenarios(fig):
    assert len(fig.legends) == 1
    assert all(ax.get_legend() is None for ax in fig.axes)
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert texts[: len(ORDER)] == ORDER
    assert "target (at least)" in texts and "milestone" in texts
    assert "target (at most)" not in texts  # the shipped scenarios have none


def test_integer_year_ticks_and_linear_scale(fig):
    fig.draw_without_rendering()
    for ax in fig.axes:
        ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
        assert ticks and all(float(t).is_integer() for t in ticks)
        assert all(t.get_text().isdigit() for t in ax.get_xticklabels() if t.get_text())
        assert ax.get_yscale() == "linear"


# ---------------------------------------------------------------------------------- targets
def test_targets_are_points_at_year_and_required_value_labelled_once(fig, projs):
    targets = {}
    for p in projs:
        for tid, t in p.scenario.targets.items():
            if t.indicator in HEADLINE:
                targets[(tid, t.indicator, t.year, t.required(p.units[t.indicator]))] = t
    # the scenarios share their targets: each distinct one is drawn once
    assert len(targets) < sum(len(p.scenario.targets) for p in projs)
    for tid, indicator, year, value in targets:
        ax = panel(fig, indicator)
        assert (float(year), round(value, 6)) in offsets(ax)
        labels = [a for a in annotations(ax) if a.get_text() == tid]
        assert len(labels) == 1, tid
        assert labels[0].xy == pytest.approx((year, value))
    capacity = panel(fig, "ofc_capacity")
    triangles = [c for c in capacity.collections if marker_of(c) == "^"]
    assert sorted(tuple(c.get_offsets()[0]) for c in triangles) == sorted(
        (year, value) for _, ind, year, value in targets if ind == "ofc_capacity"
    )
    assert len(triangles) >= 3


def test_range_target_has_both_markers_and_one_label(projs):
    """T3 (10-15 %): an upward marker at its lower end, a downward one at its upper end, one
    label."""
    fig = plot_projections(projs[0], indicators=["china_traffic_via_pakistan"])
    (ax,) = fig.axes
    marks = {marker_of(c): tuple(c.get_offsets()[0]) for c in ax.collections}
    assert marks["^"] == (2030.0, 10.0) and marks["v"] == (2030.0, 15.0)
    assert [a.get_text() for a in annotations(ax)].count("T3") == 1


def test_at_most_target_has_a_downward_marker(mini):
    mini["targets"]["CAP"] = {
        "indicator": "cap",
        "year": 2033,
        "at_most": 5,
        "unit": "Tbps",
        "source": "assumption: test",
    }
    fig = plot_projections(projection.run(mini))
    ax = panel(fig, "cap")
    down = [c for c in ax.collections if marker_of(c) == "v"]
    assert [tuple(c.get_offsets()[0]) for c in down] == [(2033, 5000)]
    up = [c for c in panel(fig, "share").collections if marker_of(c) == "^"]
    assert [tuple(c.get_offsets()[0]) for c in up] == [(2030, 30)]
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "target (at most)" in texts and "target (at least)" in texts


# ---------------------------------------------------------------------------------- milestones
def test_milestones_marked_on_their_line_and_annotated(fig, projs):
    ax = panel(fig, "ofc_capacity")
    points = offsets(ax)
    for p, line in zip(projs, ax.lines):
        for m in p.scenario.indicators["ofc_capacity"].milestones:
            magnitude, unit = m.quantity()
            value = magnitude * conversion_factor(unit, "Gbps")
            assert (float(m.year), round(value, 6)) in points
            # on the scenario's own line
            assert line.get_ydata()[list(line.get_xdata()).index(m.year)] == pytest.approx(value)
    milestone_texts = [a for a in annotations(ax) if a.get_text().endswith("Tbps")]
    assert len(milestone_texts) >= 6
    every = {
        (m.year, m.quantity()[0] * 1000.0, f"{m.quantity()[0]:g} Tbps")
        for p in projs
        for m in p.scenario.indicators["ofc_capacity"].milestones
    }
    for a in milestone_texts:
        assert (a.xy[0], a.xy[1], a.get_text()) in every
    # indicators that are not staged get no milestone labels
    assert not any(a.get_text().endswith("Tbps") for a in annotations(panel(fig, "ofc_traffic")))


def test_every_milestone_labelled_for_one_scenario():
    p = projection.run(SCENARIOS / "paper-targets.yaml")
    fig = plot_projections(p, indicators=["ofc_capacity"])
    texts = sorted(a.get_text() for a in annotations(fig.axes[0]))
    milestones = [m.quantity() for m in p.scenario.indicators["ofc_capacity"].milestones]
    targets = [tid for tid, t in p.scenario.targets.items() if t.indicator == "ofc_capacity"]
    assert texts == sorted([f"{v:g} {u}" for v, u in milestones] + targets)
    assert {"1 Tbps", "4 Tbps", "12 Tbps"} <= set(texts)


def test_labels_do_not_overlap_and_stay_inside_their_panel(fig):
    fig.draw_without_rendering()
    for ax in fig.axes:
        frame = ax.get_window_extent()
        boxes = []
        for a in annotations(ax):
            a.get_window_extent()
            box = Text.get_window_extent(a)
            assert frame.x0 - 1 <= box.x0 and box.x1 <= frame.x1 + 1, a.get_text()
            assert frame.y0 - 1 <= box.y0 and box.y1 <= frame.y1 + 1, a.get_text()
            boxes.append((a.get_text(), box))
        for (ta, a), (tb, b) in combinations(boxes, 2):
            assert not a.overlaps(b), (ax.get_title(), ta, tb)


def drawn(ax, line):
    """Points every pixel along a line as drawn (with its steps), in display space."""
    x, y = np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)
    if line.get_drawstyle() == "steps-post":
        x, y = np.repeat(x, 2)[1:], np.repeat(y, 2)[:-1]
    pts = ax.transData.transform(np.column_stack([x, y]))
    return np.concatenate(
        [np.linspace(p, q, int(np.hypot(*(q - p))) + 2) for p, q in zip(pts[:-1], pts[1:])]
    )


def test_milestone_labels_cross_no_line(fig):
    fig.draw_without_rendering()
    ax = panel(fig, "ofc_capacity")
    ink = np.concatenate([drawn(ax, line) for line in ax.lines])
    checked = 0
    for a in annotations(ax):
        if not a.get_text().endswith("Tbps"):
            continue
        a.get_window_extent()
        box = Text.get_window_extent(a)
        inside = (
            (ink[:, 0] > box.x0)
            & (ink[:, 0] < box.x1)
            & (ink[:, 1] > box.y0)
            & (ink[:, 1] < box.y1)
        )
        assert not inside.any(), a.get_text()
        checked += 1
    assert checked >= 6


def test_step_milestones_drawn_as_steps(fig):
    assert {line.get_drawstyle() for line in panel(fig, "ofc_capacity").lines} == {"steps-post"}
    assert {line.get_drawstyle() for line in panel(fig, "ofc_traffic").lines} == {"default"}


def test_coinciding_lines_are_named(fig, projs):
    demand = [p.values["electricity_demand"] for p in projs]
    assert all(np.allclose(d, demand[0]) for d in demand)
    solar = {p.name: p.values["solar_capacity"] for p in projs}
    assert np.allclose(solar["baseline"], solar["paper-targets"])
    assert panel(fig, "electricity_demand").get_title(loc="right") == "same in every scenario"
    assert panel(fig, "solar_capacity").get_title(loc="right") == "baseline = paper-targets"
    assert panel(fig, "ev_sales_share").get_title(loc="right") == ""


def test_legend_covers_no_panel(fig):
    fig.draw_without_rendering()
    legend = fig.legends[0].get_window_extent()
    for ax in fig.axes:
        assert not legend.overlaps(ax.get_tightbbox()), ax.get_title()


# ---------------------------------------------------------------------------------- units
def test_scenarios_in_different_units_share_an_axis():
    path = SCENARIOS / "baseline.yaml"
    gbps = projection.run(path)
    tbps = projection.run(  # the same name on purpose: the legend tells them apart
        projection.load_scenario(path).with_overrides(
            {"indicators.ofc_capacity.unit": "Tbps"}, name="baseline"
        )
    )
    assert tbps.units["ofc_capacity"] == "Tbps"
    fig = plot_projections([gbps, tbps], indicators=["ofc_capacity"])
    (ax,) = fig.axes
    assert ax.get_ylabel() == "Gbps"
    a, b = ax.lines
    np.testing.assert_allclose(b.get_ydata(), a.get_ydata())
    np.testing.assert_allclose(a.get_ydata(), gbps.values["ofc_capacity"])
    assert [t.get_text() for t in fig.legends[0].get_texts()][:2] == ["baseline", "baseline (2)"]
    assert (2028.0, 4000.0) in offsets(ax)  # the target once, in Gbps

    # the first projection decides the unit
    fig = plot_projections([tbps, gbps], indicators=["ofc_capacity"])
    (ax,) = fig.axes
    assert ax.get_ylabel() == "Tbps"
    np.testing.assert_allclose(ax.lines[1].get_ydata(), ax.lines[0].get_ydata())
    assert ax.lines[0].get_ydata()[-1] == pytest.approx(4.0)
    assert (2028.0, 4.0) in offsets(ax) and (2028.0, 4000.0) not in offsets(ax)
    assert "4 Tbps" in [a.get_text() for a in annotations(ax)]


def test_incompatible_units_are_an_error(mini):
    other = dict(mini)
    other["indicators"] = dict(mini["indicators"])
    other["indicators"]["share"] = mini["indicators"]["cap"]  # 'share' now in Gbps
    other["targets"] = {}
    with pytest.raises(ProjectionError, match="share"):
        plot_projections([projection.run(mini), projection.run(other)], indicators=["share"])


# ---------------------------------------------------------------------------------- options
def test_indicators_restrict_and_order_panels(projs):
    fig = plot_projections(projs, indicators=["ofc_capacity", "ev_sales_share"])
    assert [ax.get_title() for ax in fig.axes] == ["ofc_capacity", "ev_sales_share"]
    assert [ax.get_title() for ax in plot_projections(projs[0], indicators="ofc_traffic").axes] == [
        "ofc_traffic"
    ]


def test_unknown_indicator_lists_the_known_ones(projs):
    with pytest.raises(ProjectionError, match="unknown indicator 'ofc_capacty'") as err:
        plot_projections(projs, indicators=["ofc_capacty"])
    assert "ofc_capacity" in str(err.value) and "solar_share" in str(err.value)


def test_years_restrict_the_x_range(projs):
    fig = plot_projections(projs, indicators=["ofc_capacity"], years=(2026, 2030))
    (ax,) = fig.axes
    for line in ax.lines:
        np.testing.assert_array_equal(line.get_xdata(), np.arange(2026, 2031))
    lo, hi = ax.get_xlim()
    assert 2025 < lo < 2026 and 2030 < hi < 2031
    xs = {x for x, _ in offsets(ax)}
    assert xs and max(xs) <= 2030 and min(xs) >= 2026
    assert "T2d" not in [a.get_text() for a in annotations(ax)]  # 2032: outside


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"years": (2030, 2026)}, "before start"),
        ({"years": (2050, 2060)}, "no projected year"),
        ({"years": 2030}, r"\(start, end\)"),
        ({"ncols": 0}, "ncols"),
        ({"indicators": []}, "no indicators"),
    ],
)
def test_bad_options_are_errors(projs, kwargs, message):
    with pytest.raises(ProjectionError, match=message):
        plot_projections(projs, **kwargs)


def test_nothing_to_plot_is_an_error():
    with pytest.raises(ProjectionError, match="at least one projection"):
        plot_projections([])
    with pytest.raises(ProjectionError, match="Projection"):
        plot_projections(["scenarios/baseline.yaml"])


@pytest.mark.skipif(not hasattr(projection.Projection, "plot"), reason="no Projection.plot yet")
def test_projection_plot_method(projs):
    fig = projs[1].plot(indicators=["ofc_capacity", "ev_sales_share"], ncols=1)
    assert [ax.get_title() for ax in fig.axes] == ["ofc_capacity", "ev_sales_share"]
    assert [line.get_label() for ax in fig.axes for line in ax.lines] == ["paper-targets"] * 2
    assert [t.get_text() for t in fig.legends[0].get_texts()][0] == "paper-targets"


def test_title(projs):
    fig = plot_projections(projs[:1], indicators=["ev_sales_share"], title="EV $ share")
    assert fig.get_suptitle() == "EV $ share"


def test_figure_uses_no_pyplot():
    code = (
        "import sys, projection\n"
        "from projection.render.plot import plot_projections\n"
        "fig = plot_projections(projection.run('scenarios/baseline.yaml'))\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'\n"
        "assert fig.canvas.manager is None\n"
        "print(len(fig.axes))\n"
    )
    out = subprocess.run(
        [sys.executable, "-W", "error", "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    # by default every indicator of the scenario has its panel
    indicators = projection.load_scenario(SCENARIOS / "baseline.yaml").indicators
    assert out.stdout.strip() == str(len(indicators)) == "19"


# ---------------------------------------------------------------------------------- saving
def test_png_has_the_figure_size_times_dpi(small, tmp_path):
    out = save_figure(small, tmp_path / "f.png", dpi=60)
    assert out == tmp_path / "f.png"
    width, height = small.get_size_inches()
    # matplotlib drops a fraction of a pixel
    assert png_size(out.read_bytes()) == (
        pytest.approx(width * 60, abs=1),
        pytest.approx(height * 60, abs=1),
    )


def test_png_default_dpi_150(small, tmp_path):
    import matplotlib.image

    out = save_figure(small, tmp_path / "f.PNG")
    width, height = small.get_size_inches()
    w, h = png_size(out.read_bytes())
    assert w == pytest.approx(width * 150, abs=1) and h == pytest.approx(height * 150, abs=1)
    assert matplotlib.image.imread(out).shape[:2] == (h, w)


def test_four_scenario_png(fig, tmp_path):
    out = save_figure(fig, tmp_path / "cmp.png", dpi=40)
    assert tuple(fig.get_size_inches()) == pytest.approx((16.5, 10.8))
    assert png_size(out.read_bytes()) == (16.5 * 40, 10.8 * 40)


def test_svg_parses_with_an_svg_root(small, tmp_path):
    out = save_figure(small, tmp_path / "f.svg")
    root = ET.parse(out).getroot()
    assert root.tag in ("svg", "{http://www.w3.org/2000/svg}svg")
    text = out.read_text()
    assert "ofc_capacity" in text and "<dc:date>" not in text


def test_pdf_starts_with_the_pdf_header(small, tmp_path):
    out = save_figure(small, tmp_path / "f.pdf")
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    assert b"/CreationDate" not in data


@pytest.mark.parametrize("name", ["f.jpg", "f", "f.png.txt"])
def test_unknown_extension_is_an_error_and_writes_nothing(small, tmp_path, name):
    with pytest.raises(ProjectionError, match=r"\.pdf, \.png, \.svg"):
        save_figure(small, tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_missing_directory_is_an_error_and_writes_nothing(small, tmp_path):
    with pytest.raises(ProjectionError, match="does not exist"):
        save_figure(small, tmp_path / "nowhere" / "f.png")
    assert list(tmp_path.iterdir()) == []


def test_check_plot_path(tmp_path):
    assert check_plot_path(tmp_path / "a.svg") == "svg"
    assert check_plot_path(tmp_path / "a.Pdf") == "pdf"
    assert check_plot_path("a.png") == "png"  # the current directory
    with pytest.raises(ProjectionError, match="unknown figure format"):
        check_plot_path(tmp_path / "a.csv")
    with pytest.raises(ProjectionError, match="does not exist"):
        check_plot_path(tmp_path / "missing" / "a.png")
    (tmp_path / "d.png").mkdir()
    with pytest.raises(ProjectionError, match="is a directory"):
        check_plot_path(tmp_path / "d.png")


@pytest.mark.parametrize("dpi", [0, -10, float("nan"), "150", True])
def test_bad_dpi_is_an_error(small, tmp_path, dpi):
    with pytest.raises(ProjectionError, match="dpi"):
        save_figure(small, tmp_path / "f.png", dpi=dpi)
    assert list(tmp_path.iterdir()) == []


def test_failing_save_keeps_the_old_file_and_leaves_no_temp_file(small, tmp_path, monkeypatch):
    target = tmp_path / "f.png"
    target.write_bytes(b"old figure")
    seen = []

    def broken(path, **kwargs):
        seen.append((Path(path), kwargs.get("format")))
        Path(path).write_bytes(b"half a figure")
        raise RuntimeError("disk full")

    monkeypatch.setattr(small, "savefig", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        save_figure(small, target)
    assert target.read_bytes() == b"old figure"
    assert list(tmp_path.iterdir()) == [target]
    # it wrote to a temporary file beside the target, with the format given explicitly
    ((tmp, fmt),) = seen
    assert tmp.parent == tmp_path and tmp != target and fmt == "png"


def test_save_replaces_an_existing_file_and_keeps_its_mode(small, tmp_path):
    target = tmp_path / "f.png"
    target.write_bytes(b"old figure")
    os.chmod(target, 0o640)
    save_figure(small, target, dpi=20)
    assert target.read_bytes()[:8] == PNG_SIGNATURE
    assert target.stat().st_mode & 0o777 == 0o640
    assert list(tmp_path.iterdir()) == [target]


def test_new_file_is_not_private(small, tmp_path):
    out = save_figure(small, tmp_path / "new.svg")
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask


def test_figure_sizes_match_panel_count(projs):
    for n, (rows, cols) in {1: (1, 1), 2: (1, 2), 4: (2, 3)}.items():
        names = sorted(projs[0].values)[:n]
        fig = plot_projections(projs, indicators=names)
        width, height = fig.get_size_inches()
        assert width == pytest.approx(cols * PANEL_SIZE[0])
        assert height >= rows * PANEL_SIZE[1]
        assert math.isclose(height, rows * PANEL_SIZE[1]) == (rows * cols > n)


# ---------------------------------------------------------------------------------- fan charts
FIVE = (0.05, 0.25, 0.5, 0.75, 0.95)


@pytest.fixture(scope="module")
def ensembles():
    return [projection.run(SCENARIOS / f"{name}.yaml", samples=2000, seed=1) for name in ORDER]


@pytest.fixture(scope="module")
def fan(ensembles):
    return plot_projections(ensembles, indicators=HEADLINE)


@pytest.fixture(scope="module")
def ens5():
    return projection.run(SCENARIOS / "paper-targets.yaml", samples=2000, seed=1, quantiles=FIVE)


def bands_of(ax, label=None):
    """The fill_between bands of a panel (optionally one scenario's), in drawing order."""
    found = [c for c in ax.collections if isinstance(c, PolyCollection)]
    if label is not None:
        found = [c for c in found if c.get_label().startswith(f"{label}: ")]
    return found


def stepped(x, y):
    """The corners of a ``steps-post`` line through (x, y)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    return np.column_stack([np.repeat(x, 2)[1:], np.repeat(y, 2)[:-1]])


def assert_band_spans(coll, years, lower, upper, *, step=False):
    """The polygon of ``fill_between(years, lower, upper)`` lies between the two, touching both
    in every year (as steps where ``step``)."""
    (path,) = coll.get_paths()
    vertices = path.vertices
    if step:
        expected = np.concatenate([stepped(years, lower), stepped(years, upper)])
        got = {tuple(np.round(v, 6)) for v in vertices}
        assert got == {tuple(np.round(v, 6)) for v in expected}
        return
    for x, lo, hi in zip(years, lower, upper):
        ys = vertices[np.isclose(vertices[:, 0], x), 1]
        assert ys.min() == pytest.approx(lo, rel=1e-12, abs=1e-12)
        assert ys.max() == pytest.approx(hi, rel=1e-12, abs=1e-12)


def test_fan_chart_lines_are_the_medians(fan, ensembles):
    assert len(fan.axes) == 7
    for ax in fan.axes:
        name = ax.get_title()
        assert [line.get_label() for line in ax.lines] == ORDER
        for line, e in zip(ax.lines, ensembles):
            assert isinstance(e, Ensemble)
            assert line.get_linestyle() == "-"
            np.testing.assert_array_equal(line.get_xdata(), e.years)
            np.testing.assert_array_equal(line.get_ydata(), e.median[name])
        assert ax.get_ylabel() == ensembles[0].units[name]


def test_fan_chart_bands_span_the_lowest_and_highest_quantile(fan, ensembles):
    for ax in fan.axes:
        name = ax.get_title()
        step = name == "ofc_capacity"  # staged, with step interpolation
        for line, e in zip(ax.lines, ensembles):
            (band,) = bands_of(ax, e.name)
            assert band.get_label() == f"{e.name}: 5-95 % band"
            lo, hi = e.bands[name][0], e.bands[name][-1]
            assert e.quantiles[0] == 0.05 and e.quantiles[-1] == 0.95
            assert_band_spans(band, e.years, lo, hi, step=step)
            # in the scenario's colour, see-through
            rgba = band.get_facecolor()[0]
            assert tuple(rgba[:3]) == pytest.approx(line.get_color()[:3])
            assert rgba[3] * (band.get_alpha() or 1) < 0.3
            # the band's bounds as thin lines of the same colour
            (bounds,) = [
                c
                for c in ax.collections
                if isinstance(c, LineCollection) and c.get_label().startswith(f"{e.name}: ")
            ]
            draw = stepped if step else (lambda x, y: np.column_stack([x, y]))
            segments = bounds.get_segments()
            np.testing.assert_allclose(segments[0], draw(e.years, lo))
            np.testing.assert_allclose(segments[1], draw(e.years, hi))
            assert tuple(bounds.get_color()[0][:3]) == pytest.approx(line.get_color()[:3])
            assert bounds.get_linewidth()[0] < min(line.get_linewidth() for line in ax.lines)
    # bands lie under the lines
    ax = panel(fan, "ev_sales_share")
    assert max(c.get_zorder() for c in ax.collections if c.get_label().endswith("band")) < min(
        line.get_zorder() for line in ax.lines
    )


def test_a_band_widens_the_y_range(fan, ensembles):
    ax = panel(fan, "electricity_demand")
    top = max(e.bands["electricity_demand"][-1].max() for e in ensembles)
    assert ax.get_ylim()[1] > top > max(line.get_ydata().max() for line in ax.lines)


def test_five_quantiles_give_two_nested_bands(ens5):
    assert ens5.quantiles == FIVE
    fig = plot_projections(ens5)
    for ax in fig.axes:
        name = ax.get_title()
        outer, inner = bands_of(ax)
        assert outer.get_label() == "paper-targets: 5-95 % band"
        assert inner.get_label() == "paper-targets: 25-75 % band"
        rows = ens5.bands[name]
        step = name == "ofc_capacity"
        assert_band_spans(outer, ens5.years, rows[0], rows[4], step=step)
        assert_band_spans(inner, ens5.years, rows[1], rows[3], step=step)
        np.testing.assert_array_equal(ax.lines[0].get_ydata(), ens5.median[name])
    legend = fig.legends[0]
    texts = [t.get_text() for t in legend.get_texts()]
    assert texts.count("5-95 % band") == texts.count("25-75 % band") == 1
    assert texts.index("5-95 % band") < texts.index("25-75 % band")
    # the inner band's key is darker, as the inner band is where it stacks on the outer one
    handles = dict(zip(texts, legend.legend_handles))
    assert handles["25-75 % band"].get_facecolor()[3] > handles["5-95 % band"].get_facecolor()[3]


def test_a_band_needs_both_ends_and_the_median_needs_no_quantile():
    path = SCENARIOS / "paper-targets.yaml"
    e = projection.run(path, samples=300, seed=2, quantiles=(0.05, 0.25, 0.95))
    fig = plot_projections(e, indicators="ev_sales_share")
    (ax,) = fig.axes
    (band,) = bands_of(ax)  # 0.25 has no partner above the median
    assert band.get_label() == "paper-targets: 5-95 % band"
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), e.median["ev_sales_share"])

    e = projection.run(path, samples=300, seed=2, quantiles=(0.5,))
    fig = plot_projections(e, indicators="ev_sales_share")
    assert bands_of(fig.axes[0]) == []
    assert not any("band" in t.get_text() for t in fig.legends[0].get_texts())
    assert fig.get_suptitle() == "Ensemble medians, n = 300 members"


def test_legend_explains_the_band_once(fan):
    assert len(fan.legends) == 1
    texts = [t.get_text() for t in fan.legends[0].get_texts()]
    assert texts[: len(ORDER)] == ORDER
    assert texts.count("5-95 % band") == 1
    assert "target (at least)" in texts
    assert "milestone" not in texts  # not marked on an ensemble's median


def test_ensemble_milestones_are_steps_without_labels(fan, ensembles):
    ax = panel(fan, "ofc_capacity")
    assert {line.get_drawstyle() for line in ax.lines} == {"steps-post"}
    assert {line.get_drawstyle() for line in panel(fan, "ofc_traffic").lines} == {"default"}
    assert not [a for a in annotations(ax) if a.get_text().endswith("Tbps")]
    assert not [c for c in ax.collections if marker_of(c) == "o"]
    # targets as for projections
    targets = {
        (float(t.year), t.required("Gbps"))
        for e in ensembles
        for t in e.scenario.targets.values()
        if t.indicator == "ofc_capacity"
    }
    triangles = {tuple(c.get_offsets()[0]) for c in ax.collections if marker_of(c) == "^"}
    assert triangles == targets and len(triangles) >= 3
    assert {a.get_text() for a in annotations(ax)} == {
        tid
        for e in ensembles
        for tid, t in e.scenario.targets.items()
        if t.indicator == "ofc_capacity"
    }


def test_fan_chart_title_says_how_many_members(fan, ensembles, projs):
    assert "n = 2,000 members" in fan.get_suptitle()
    assert (
        plot_projections(ensembles[0], indicators="solar_share", title="mine").get_suptitle()
        == "mine"
    )
    assert (
        plot_projections(ensembles[0], indicators="ev_sales_share", title="").get_suptitle() == ""
    )
    assert plot_projections(projs[0], indicators="ev_sales_share").get_suptitle() == ""


def test_medians_equal_to_sampling_noise_are_named(fan, ensembles):
    # same inputs, different draws: the medians differ a little, and hide each other as drawn
    a, b = (e.median["solar_capacity"] for e in ensembles[:2])
    assert not np.allclose(a, b, rtol=1e-4, atol=0) and np.allclose(a, b, rtol=1e-2, atol=0)
    assert panel(fan, "electricity_demand").get_title(loc="right") == "same in every scenario"
    assert panel(fan, "solar_capacity").get_title(loc="right") == "baseline = paper-targets"
    assert panel(fan, "ev_sales_share").get_title(loc="right") == ""


def test_projections_and_ensembles_mixed(projs, ens5):
    fig = plot_projections([projs[0], ens5], indicators=["ev_sales_share", "ofc_capacity"])
    share, capacity = fig.axes
    assert [line.get_label() for line in share.lines] == ["baseline", "paper-targets"]
    np.testing.assert_array_equal(share.lines[0].get_ydata(), projs[0].values["ev_sales_share"])
    np.testing.assert_array_equal(share.lines[1].get_ydata(), ens5.median["ev_sales_share"])
    assert bands_of(share, "baseline") == []
    assert len(bands_of(share, "paper-targets")) == 2
    # the projection's milestones are marked and labelled, the ensemble's are not
    labels = {a.get_text() for a in annotations(capacity) if a.get_text().endswith("Tbps")}
    assert labels and labels <= {"1 Tbps", "4 Tbps"}  # baseline's milestones
    dots = {tuple(o) for c in capacity.collections if marker_of(c) == "o" for o in c.get_offsets()}
    baseline = {
        (float(m.year), m.quantity()[0] * 1000.0)
        for m in projs[0].scenario.indicators["ofc_capacity"].milestones
    }
    assert dots == baseline
    texts = [t.get_text() for t in fig.legends[0].get_texts()]
    assert texts[:2] == ["baseline", "paper-targets"]
    assert {"5-95 % band", "25-75 % band", "milestone", "target (at least)"} <= set(texts)
    assert "n = 2,000 members" in fig.get_suptitle()


def test_ensemble_bands_share_the_axis_unit():
    path = SCENARIOS / "paper-targets.yaml"
    gbps = projection.run(SCENARIOS / "baseline.yaml")
    tbps = projection.run(
        projection.load_scenario(path).with_overrides({"indicators.ofc_capacity.unit": "Tbps"}),
        samples=500,
        seed=3,
    )
    assert tbps.units["ofc_capacity"] == "Tbps"
    fig = plot_projections([gbps, tbps], indicators=["ofc_capacity"])
    (ax,) = fig.axes
    assert ax.get_ylabel() == "Gbps"
    np.testing.assert_allclose(ax.lines[1].get_ydata(), tbps.median["ofc_capacity"] * 1000)
    (band,) = bands_of(ax, tbps.name)
    rows = tbps.bands["ofc_capacity"] * 1000
    assert_band_spans(band, tbps.years, rows[0], rows[-1], step=True)
    assert (2032.0, 12000.0) in offsets(ax)  # T2d in Gbps


def test_point_valued_ensemble_has_bands_of_no_width(mini, tmp_path):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        e = projection.run(mini, samples=64, seed=0, quantiles=FIVE)
        p = projection.run(mini)
        fig = plot_projections(e)
        out = save_figure(fig, tmp_path / "point.png", dpi=30)
    assert e.notes and "no parameter has a distribution" in e.notes[0]
    assert png_size(out.read_bytes())[0] == pytest.approx(2 * PANEL_SIZE[0] * 30, abs=1)
    for ax in fig.axes:
        name = ax.get_title()
        np.testing.assert_allclose(ax.lines[0].get_ydata(), p.values[name])
        outer, inner = bands_of(ax)
        for band in (outer, inner):
            # lower and upper edge both on the point projection: no width
            assert_band_spans(band, e.years, p.values[name], p.values[name], step=name == "cap")


def test_ensemble_plot_method(ens5):
    fig = ens5.plot(indicators=["ev_sales_share"], years=(2026, 2030))
    (ax,) = fig.axes
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), np.arange(2026, 2031))
    (outer, inner) = bands_of(ax)
    keep = (ens5.years >= 2026) & (ens5.years <= 2030)
    rows = ens5.bands["ev_sales_share"][:, keep]
    assert_band_spans(outer, ens5.years[keep], rows[0], rows[4])
    assert_band_spans(inner, ens5.years[keep], rows[1], rows[3])


@pytest.mark.parametrize("which", ["fig", "fan"])
def test_fan_chart_labels_and_legend_stay_readable(request, which):
    figure = request.getfixturevalue(which)
    figure.draw_without_rendering()
    legend = figure.legends[0].get_window_extent()
    for ax in figure.axes:
        assert not legend.overlaps(ax.get_tightbbox()), ax.get_title()
        frame = ax.get_window_extent()
        boxes = []
        for a in annotations(ax):
            a.get_window_extent()
            box = Text.get_window_extent(a)
            assert frame.x0 - 1 <= box.x0 and box.x1 <= frame.x1 + 1, a.get_text()
            assert frame.y0 - 1 <= box.y0 and box.y1 <= frame.y1 + 1, a.get_text()
            boxes.append(box)
        assert not any(a.overlaps(b) for a, b in combinations(boxes, 2)), ax.get_title()


def test_fan_chart_png(fan, tmp_path):
    import matplotlib.image

    out = save_figure(fan, tmp_path / "fan.png", dpi=50)
    width, height = fan.get_size_inches()
    assert width == pytest.approx(3 * PANEL_SIZE[0])
    assert height == pytest.approx(3 * PANEL_SIZE[1] + 0.4)  # the title's line
    w, h = png_size(out.read_bytes())
    assert (w, h) == (pytest.approx(width * 50, abs=1), pytest.approx(height * 50, abs=1))
    image = matplotlib.image.imread(out)
    assert image.shape[:2] == (h, w)
    # the bands are drawn: pale pixels of some scenario's colour, not just white and lines
    rgb = image[..., :3]
    pale = (rgb.min(axis=2) > 0.75) & (np.ptp(rgb, axis=2) > 0.05)
    assert pale.mean() > 0.02
