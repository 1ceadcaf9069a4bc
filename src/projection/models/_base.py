"""Parameters as data, and the base class every growth family derives from.

A growth family is a small :class:`Family` subclass that declares its parameters as a tuple of
:class:`ParamSpec` and implements one private, pure-numpy method, ``_kernel(d, **params)``,
where ``d = years - base_year``. The public :meth:`Family.evaluate` does everything else, the
same way for every family:

1. check ``years`` and ``base_year``;
2. check the parameter names (unknown or missing required ones raise
   :class:`~projection.exceptions.ParameterError`);
3. convert every parameter to a float array and check it against its :class:`ParamSpec`
   (finite, within bounds, elementwise), then run the family's cross checks
   (e.g. ``start <= ceiling``);
4. broadcast: parameters of shape ``(N,)`` (an ensemble) become ``(N, 1)`` columns against the
   year axis ``(T,)``, so the result is ``(N, T)``; with scalar parameters it is ``(T,)``;
5. call the kernel once (no Python loop over ensemble members) and impose the anchor
   ``value == start`` at ``d == 0`` exactly (writing the base-year column only).

Kernels are written for ensembles of ``N`` members over ``T`` years: every full-size
``(N, T)`` pass costs far more than work on the ``(N,)`` parameters, and every fresh
``(N, T)`` array costs page faults on top. So a kernel allocates one buffer, works in it in
place (``out=``), decides on the ``(N,)`` parameters whether any edge case (``start = 0``,
``start = ceiling``, a value that must be capped, ...) occurs at all, and only then fixes the
rows concerned (:func:`_set_rows`, :func:`_patch_rows`), with the family's careful reference
formula where needed. Validation works on the ``(N,)`` parameters only.

Two global limits keep every kernel's arithmetic finite for every parameter set that passes
validation: :data:`MAX_ABS` bounds the magnitude of every parameter and :data:`MAX_HORIZON`
bounds how far ``years`` may lie from ``base_year``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..exceptions import ParameterError

__all__ = ["KINDS", "MAX_ABS", "MAX_HORIZON", "Domain", "ParamSpec", "Family"]

#: Parameter kinds and the unit each kind is expressed in.
KINDS: dict[str, str] = {
    "level": "indicator unit",
    "rate": "1/yr",
    "level_rate": "indicator unit/yr",
    "year": "calendar year",
}

#: Largest magnitude any parameter may have. Far beyond any physical indicator, small enough
#: that products such as ``slope * d`` can never overflow.
MAX_ABS: float = 1e150

#: Largest distance [yr] between an evaluated year (or a milestone year) and ``base_year``.
MAX_HORIZON: float = 10_000.0


def _fmt(x: Any) -> str:
    """Format one number for an error message: ``20`` rather than ``20.0``, else ``repr``."""
    x = float(x)
    if x.is_integer() and abs(x) < 1e16:
        return str(int(x))
    return repr(x)


def _at(mask: np.ndarray) -> tuple[tuple[int, ...], str]:
    """Index of the first True in ``mask`` and its description (empty for a scalar)."""
    index = tuple(int(i) for i in np.argwhere(mask)[0])
    if not index:
        return index, ""
    if len(index) == 1:
        return index, f" at index {index[0]}"
    return index, f" at index {index}"


def _as_float_array(name: str, value: Any) -> np.ndarray:
    """Convert ``value`` to a float array, rejecting strings, booleans and complex numbers."""
    if value is None or isinstance(value, (str, bytes)):
        raise ParameterError(name, f"must be a number or an array of numbers (got {value!r})")
    try:
        raw = np.asarray(value)
        if raw.dtype.kind not in "iuf":
            if raw.dtype.kind != "O":
                raise TypeError(raw.dtype)
            raw = raw.astype(float)  # e.g. a list mixing int and Decimal
        return np.asarray(raw, dtype=float)
    except (TypeError, ValueError) as err:
        raise ParameterError(
            name, f"must be a number or an array of numbers (got {value!r})"
        ) from err


def _log_fraction(s: np.ndarray, c: np.ndarray) -> np.ndarray:
    """``log(s / c)`` computed accurately for ``0 < s <= c``, strictly negative when ``s < c``.

    Uses ``log(s) - log(c)`` when ``s`` is far below ``c`` (no underflow of ``s / c``) and
    ``log1p(-(c - s) / c)`` close to ``c`` (no cancellation). Elements outside ``0 < s <= c``
    get a harmless finite placeholder; callers mask them out. Emits no numpy warnings.
    """
    s = np.asarray(s, dtype=float)
    c = np.asarray(c, dtype=float)
    positive = (s > 0) & (c > 0)
    s_safe = np.where(positive, s, 1.0)
    c_safe = np.where(positive, c, 2.0)
    far = s_safe < 0.5 * c_safe
    u = np.where(far, 0.5, (c_safe - s_safe) / c_safe)
    u = np.clip(u, 0.0, 0.5)
    return np.where(far, np.log(s_safe) - np.log(c_safe), np.log1p(-u))


def _flagged_rows(out: np.ndarray, mask: Any) -> Any:
    """Rows of ``out`` flagged by ``mask``, or ``None`` when none is.

    ``mask`` has the shape of a parameter column, ``()``, ``(1, 1)`` or ``(N, 1)``; ``out``
    is ``(N, T)`` (indices of the flagged rows are returned) or ``(T,)`` for scalar
    parameters (``Ellipsis``: the whole trajectory).
    """
    mask = np.asarray(mask, dtype=bool)
    if out.ndim < 2:
        return Ellipsis if mask.any() else None
    rows = np.flatnonzero(np.broadcast_to(mask, (out.shape[0], 1))[:, 0])
    return rows if rows.size else None


def _set_rows(out: np.ndarray, mask: Any, value: Any) -> None:
    """``out[row] = value[row]`` for the rows flagged by ``mask``, in place.

    ``value`` is a number or has the shape of a parameter column; only the flagged rows are
    touched, so the cost is proportional to how many there are (usually none).
    """
    rows = _flagged_rows(out, mask)
    if rows is None:
        return
    if rows is Ellipsis:
        out[...] = value
        return
    out[rows] = np.broadcast_to(value, (out.shape[0], 1))[rows]


def _patch_rows(
    out: np.ndarray,
    mask: Any,
    kernel: Callable[..., np.ndarray],
    d: np.ndarray,
    params: Mapping[str, Any],
) -> None:
    """Overwrite the rows flagged by ``mask`` with ``kernel(d, **params)`` evaluated on those
    rows only (parameter columns of shape ``(N, 1)`` are restricted to them), in place.

    Fast kernels handle the usual rows with few full-size passes and hand the rare rows that
    need care (edge cases, values that must be capped) to the careful reference formula.
    """
    rows = _flagged_rows(out, mask)
    if rows is None:
        return
    if rows is Ellipsis:
        out[...] = kernel(d, **params)
        return
    n = out.shape[0]
    sub = {
        name: value[rows]
        if isinstance(value, np.ndarray) and value.ndim == 2 and value.shape[0] == n
        else value
        for name, value in params.items()
    }
    out[rows] = kernel(d, **sub)


def _full(d: np.ndarray, *columns: Any) -> np.ndarray:
    """An uninitialised float array of the broadcast shape of ``d`` and the parameter
    ``columns``: the one full-size buffer a fast kernel computes in, in place."""
    return np.empty(np.broadcast_shapes(d.shape, *(np.shape(c) for c in columns)))


@dataclass(frozen=True)
class ParamSpec:
    """One parameter of a growth family, declared as data.

    Parameters
    ----------
    name : str
        Keyword name, the same in code and in scenario files (``start``, ``ceiling``, ...).
    kind : str
        ``"level"`` (the indicator's own unit, e.g. a start value or a ceiling),
        ``"rate"`` [1/yr], ``"level_rate"`` [indicator unit/yr], e.g. a linear slope, or
        ``"year"`` (a calendar year, passed to the kernel as an offset from ``base_year``).
    doc : str
        One-line description, used in docs and error messages.
    required : bool, default True
        Whether the parameter must be given.
    default : float, optional
        Value used when an optional parameter is omitted; ``None`` means "absent" (the family
        then behaves differently, e.g. an exponential without a ceiling).
    lower, upper : float, optional
        Bounds of the domain; ``None`` means unbounded (apart from :data:`MAX_ABS`).
        ``upper`` is inclusive.
    lower_inclusive : bool, default True
        Whether ``lower`` itself is allowed (``ceiling > 0`` has ``lower_inclusive=False``).
    """

    name: str
    kind: str
    doc: str
    required: bool = True
    default: float | None = None
    lower: float | None = None
    upper: float | None = None
    lower_inclusive: bool = True

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"ParamSpec {self.name!r}: kind must be one of {sorted(KINDS)}")

    def _all_inside(self, value: np.ndarray) -> bool:
        """True when every element passes :meth:`check`, decided from the smallest and largest
        element alone (two reductions, no temporary arrays). NaN propagates into both, and
        fails every comparison."""
        if value.size == 0:
            return True
        lo, hi = value.min(), value.max()
        if not (-MAX_ABS <= lo and hi <= MAX_ABS):
            return False
        if self.lower is not None and not (
            lo >= self.lower if self.lower_inclusive else lo > self.lower
        ):
            return False
        return self.upper is None or bool(hi <= self.upper)

    @property
    def unit(self) -> str:
        """Unit the parameter is expressed in (see :data:`KINDS`)."""
        return KINDS[self.kind]

    def unit_for(self, indicator_unit: str) -> str:
        """The unit this parameter's values are in for an indicator in ``indicator_unit``:
        that unit for a level, ``1/yr`` for a rate, ``(unit)/yr`` for a level rate, and a
        calendar year (no unit) for a year.

        Examples
        --------
        >>> ParamSpec("slope", "level_rate", "change per year").unit_for("GW")
        '(GW)/yr'
        """
        if self.kind == "rate":
            return "1/yr"
        if self.kind == "level_rate":
            return f"({indicator_unit or 'dimensionless'})/yr"
        if self.kind == "year":
            return ""
        return indicator_unit

    def check(self, value: np.ndarray) -> None:
        """Raise :class:`~projection.exceptions.ParameterError` unless every element of ``value``
        is finite and inside this parameter's domain."""
        if self._all_inside(value):
            return
        # something is wrong: find the first offending element, in the order of the checks
        bad = ~np.isfinite(value)
        if bad.any():
            index, where = _at(bad)
            raise ParameterError(self.name, f"must be finite (got {_fmt(value[index])}{where})")
        bad = np.abs(value) > MAX_ABS
        if bad.any():
            index, where = _at(bad)
            raise ParameterError(
                self.name,
                f"must be between -{MAX_ABS:g} and {MAX_ABS:g} (got {_fmt(value[index])}{where})",
            )
        if self.lower is not None:
            bad = value < self.lower if self.lower_inclusive else value <= self.lower
            if bad.any():
                index, where = _at(bad)
                op = ">=" if self.lower_inclusive else ">"
                raise ParameterError(
                    self.name,
                    f"must be {op} {_fmt(self.lower)} (got {_fmt(value[index])}{where})",
                )
        if self.upper is not None:
            bad = value > self.upper
            if bad.any():
                index, where = _at(bad)
                raise ParameterError(
                    self.name,
                    f"must be <= {_fmt(self.upper)} (got {_fmt(value[index])}{where})",
                )


@dataclass(frozen=True)
class Domain:
    """The values a parameter may take: ``lower <= x <= upper`` (``lower < x`` when
    ``lower_inclusive`` is false). Infinite ends are open (apart from :data:`MAX_ABS`).

    Built by :meth:`Family.domain`, the one place where a parameter's own bounds, the share cap
    of a level and the order ``start <= cap`` are combined.
    """

    lower: float = -math.inf
    upper: float = math.inf
    lower_inclusive: bool = True

    def __contains__(self, value: float) -> bool:
        above = value >= self.lower if self.lower_inclusive else value > self.lower
        return bool(above and value <= self.upper and abs(value) <= MAX_ABS)

    @property
    def empty(self) -> bool:
        """True when no value is allowed."""
        return self.lower > self.upper or (self.lower == self.upper and not self.lower_inclusive)


class Family:
    """Base class of the growth families: validate, broadcast, call the kernel.

    Subclasses set :attr:`name`, :attr:`params` (and :attr:`options` if they take string
    options), implement ``_kernel(d, **params)`` as pure numpy on broadcast float arrays, and
    may add cross checks in ``_check``.

    Attributes
    ----------
    name : str
        Registry name, e.g. ``"logistic"``.
    params : tuple of ParamSpec
        The numeric parameters, in documentation order.
    options : dict of str to tuple of str
        String-valued options and their allowed values; the first is the default.
    cap : str or None
        The parameter that bounds the trajectory from above (``ceiling``, ``market``): the
        curve never exceeds it, and ``start`` may not exceed it.

    Examples
    --------
    >>> from projection.models import get_family
    >>> family = get_family("linear")
    >>> [spec.name for spec in family.params]
    ['start', 'slope']
    >>> family.evaluate([2025, 2026, 2030], base_year=2025, start=10.0, slope=2.0)
    array([10., 12., 20.])
    """

    name: ClassVar[str] = ""
    params: ClassVar[tuple[ParamSpec, ...]] = ()
    options: ClassVar[Mapping[str, tuple[str, ...]]] = {}
    cap: ClassVar[str | None] = None
    #: Which parameter a violated ``start <= cap`` is blamed on (default: the cap).
    cap_blame: ClassVar[str | None] = None
    #: Parameters with their own trailing axis, shape ``(K,)`` or ``(N, K)`` (staged milestones).
    _vector_params: ClassVar[frozenset[str]] = frozenset()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} growth family {self.name!r}>"

    # ------------------------------------------------------------------ introspection
    @property
    def param_names(self) -> tuple[str, ...]:
        """Names of the numeric parameters, in declaration order."""
        return tuple(spec.name for spec in self.params)

    def spec(self, name: str) -> ParamSpec:
        """The :class:`ParamSpec` called ``name``."""
        for spec in self.params:
            if spec.name == name:
                return spec
        raise ParameterError(name, self._unknown(name))

    def _unknown(self, name: str) -> str:
        expected = ", ".join([*self.param_names, *self.options])
        return f"unknown parameter for growth family {self.name!r} (expected one of: {expected})"

    # ------------------------------------------------------------------ validation
    def validate(self, *, base_year: float | None = None, **params: Any) -> None:
        """Check parameter names and domains; raise ``ParameterError`` on the first problem.

        Parameters
        ----------
        base_year : float, optional
            Calendar year where the trajectory equals ``start``. Only needed for checks that
            involve it (milestone years must lie after it).
        **params
            The family's parameters: floats, or arrays of shape ``(N,)`` for an ensemble
            (``(K,)`` or ``(N, K)`` for milestone arrays), plus string options.

        Raises
        ------
        ParameterError
            Naming the parameter, what it must be and what it got. Arrays are checked
            elementwise; the message gives the index of the first offending element.
        """
        self._prepare(params, base_year)

    def _prepare(
        self, params: Mapping[str, Any], base_year: float | None
    ) -> tuple[dict[str, np.ndarray], dict[str, str], tuple[int, ...]]:
        """Validate and convert; return (float arrays, options, ensemble shape)."""
        if base_year is not None:
            base = _as_float_array("base_year", base_year)
            if base.ndim != 0 or not np.isfinite(base):
                raise ParameterError("base_year", f"must be a finite number (got {base_year!r})")
        known = set(self.param_names) | set(self.options)
        for name in params:
            if name not in known:
                raise ParameterError(name, self._unknown(name))

        options: dict[str, str] = {}
        for name, allowed in self.options.items():
            value = params.get(name, allowed[0])
            if not isinstance(value, str) or value not in allowed:
                listed = ", ".join(repr(a) for a in allowed)
                raise ParameterError(name, f"must be one of {listed} (got {value!r})")
            options[name] = value

        values: dict[str, np.ndarray] = {}
        for spec in self.params:
            value = params.get(spec.name)
            if value is None:
                if spec.required:
                    raise ParameterError(
                        spec.name, f"is required by growth family {self.name!r} (got nothing)"
                    )
                if spec.default is None:
                    continue
                value = spec.default
            arr = _as_float_array(spec.name, value)
            if spec.name in self._vector_params:
                if arr.ndim not in (1, 2):
                    raise ParameterError(
                        spec.name,
                        "must be a 1-D array (K,) or a 2-D array (N, K) "
                        f"(got an array of shape {arr.shape})",
                    )
            elif arr.ndim > 1:
                raise ParameterError(
                    spec.name,
                    "must be a number or a 1-D array with one value per ensemble member "
                    f"(got an array of shape {arr.shape})",
                )
            spec.check(arr)
            values[spec.name] = arr

        shape = self._ensemble_shape(values)
        self._check(values, options, None if base_year is None else float(base_year))
        return values, options, shape

    def _ensemble_shape(self, values: Mapping[str, np.ndarray]) -> tuple[int, ...]:
        """``()`` when every parameter is scalar, else ``(N,)``; mismatched lengths raise."""
        first: tuple[str, int] | None = None
        for name, arr in values.items():
            lead = arr.shape[:-1] if name in self._vector_params else arr.shape
            if not lead:
                continue
            n = lead[0]
            if first is None or first[1] == 1:
                first = (name, n)
            elif n not in (1, first[1]):
                raise ParameterError(
                    name,
                    f"has {n} ensemble members but {first[0]} has {first[1]} "
                    "(ensemble parameters must have the same length)",
                )
        return () if first is None else (first[1],)

    def domain(
        self,
        name: str,
        *,
        share_cap: float = math.inf,
        values: Mapping[str, float] | None = None,
    ) -> Domain:
        """The effective domain of parameter ``name``: its own bounds, ``[0, share_cap]`` for a
        level of a share (``share_cap`` finite: a share lies between none and all of it), and
        ``start <= cap`` against the other parameters' ``values`` (in the indicator's unit,
        rates in 1/yr).

        Scenario checks, calibration bounds and the bracket of :func:`projection.solve` all
        read this.

        Examples
        --------
        >>> from projection.models import logistic
        >>> logistic.domain("start", share_cap=100.0, values={"ceiling": 60.0})
        Domain(lower=0.0, upper=60.0, lower_inclusive=True)
        >>> logistic.domain("ceiling", share_cap=100.0, values={"start": 2.0})
        Domain(lower=2.0, upper=100.0, lower_inclusive=True)
        """
        spec = self.spec(name)
        lower = -math.inf if spec.lower is None else float(spec.lower)
        upper = math.inf if spec.upper is None else float(spec.upper)
        inclusive = spec.lower_inclusive
        if spec.kind == "level" and math.isfinite(share_cap):  # a share: 0 to all of it
            upper = min(upper, share_cap)
            if lower < 0.0:
                lower, inclusive = 0.0, True
        values = values or {}
        if self.cap is not None:
            if name == "start" and self.cap in values:
                upper = min(upper, float(values[self.cap]))
            elif name == self.cap and "start" in values and float(values["start"]) >= lower:
                lower, inclusive = float(values["start"]), True
        return Domain(lower, upper, inclusive)

    def _check(
        self,
        values: dict[str, np.ndarray],
        options: dict[str, str],
        base_year: float | None,
    ) -> None:
        """Cross checks between parameters: ``start <= cap`` for a family with a cap; families
        with other rules (staged) extend it."""
        if self.cap is not None and self.cap in values:
            self._require_order("start", self.cap, values, blame=self.cap_blame)

    @staticmethod
    def _require_order(
        small: str, large: str, values: Mapping[str, np.ndarray], blame: str | None = None
    ) -> None:
        """Raise unless ``values[small] <= values[large]`` elementwise (blaming ``blame``)."""
        lo, hi = np.broadcast_arrays(values[small], values[large])
        bad = lo > hi
        if bad.any():
            index, where = _at(bad)
            large_got = f"{large}={_fmt(hi[index])}"
            small_got = f"{small}={_fmt(lo[index])}"
            if blame in (None, large):
                raise ParameterError(
                    large, f"must be >= {small} (got {large_got}, {small_got}{where})"
                )
            raise ParameterError(small, f"must be <= {large} (got {small_got}, {large_got}{where})")

    # ------------------------------------------------------------------ evaluation
    def evaluate(self, years: Any, *, base_year: float, **params: Any) -> np.ndarray:
        """Evaluate the trajectory at ``years``.

        Parameters
        ----------
        years : array_like, shape (T,)
            Calendar years [yr], finite and within :data:`MAX_HORIZON` years of ``base_year``.
        base_year : float
            Calendar year [yr] at which the trajectory equals ``start``.
        **params
            The family's parameters (see the family's docstring), each a float or an array of
            shape ``(N,)``; arrays are one value per ensemble member.

        Returns
        -------
        numpy.ndarray
            Shape ``(T,)`` when every parameter is scalar, else ``(N, T)``; always finite.
            At ``years == base_year`` it equals ``start`` exactly.

        Raises
        ------
        ParameterError
            If ``years``, ``base_year`` or any parameter is invalid.
        """
        return self._run(self._kernel, years, base_year, params, anchor=True)

    def _run(
        self,
        kernel: Callable[..., np.ndarray],
        years: Any,
        base_year: Any,
        params: Mapping[str, Any],
        *,
        anchor: bool,
    ) -> np.ndarray:
        """Validate once, broadcast, call ``kernel(d, **columns)``, shape the result."""
        if base_year is None:
            raise ParameterError("base_year", "must be a finite number (got None)")
        values, options, ensemble = self._prepare(params, base_year)
        base = float(base_year)
        t = _as_float_array("years", years)
        if t.ndim != 1:
            raise ParameterError("years", f"must be a 1-D array of years (got shape {t.shape})")
        bad = ~np.isfinite(t)
        if bad.any():
            index, where = _at(bad)
            raise ParameterError("years", f"must be finite (got {_fmt(t[index])}{where})")
        d = t - base
        bad = np.abs(d) > MAX_HORIZON
        if bad.any():
            index, where = _at(bad)
            raise ParameterError(
                "years",
                f"must be within {_fmt(MAX_HORIZON)} years of base_year={_fmt(base)} "
                f"(got {_fmt(t[index])}{where})",
            )

        columns: dict[str, np.ndarray] = {}
        for name, arr in values.items():
            if self.spec(name).kind == "year":
                arr = arr - base
            if name not in self._vector_params and arr.ndim == 1:
                arr = arr[:, np.newaxis]
            columns[name] = arr
        out = kernel(d, **columns, **options)
        shape = ensemble + d.shape
        if not (
            isinstance(out, np.ndarray)
            and out.shape == shape
            and out.dtype == np.float64
            and out.flags.owndata
            and out.flags.c_contiguous
            and out.flags.writeable
        ):
            # a broadcast, a view or another dtype: copy into a fresh array of the full shape
            # (kernels normally return a fresh (N, T) array, which is used as it is)
            result = np.empty(shape)
            result[...] = out
            out = result
        if anchor and "start" in columns:
            # the anchor, exactly: closed forms agree with it only up to rounding. Only the
            # base-year column(s) are written.
            at = np.flatnonzero(d == 0)
            if at.size:
                out[..., at] = columns["start"]
        return out

    def _kernel(self, d: np.ndarray, **params: Any) -> np.ndarray:
        """Pure numpy: trajectory at offsets ``d`` [yr] from ``base_year``."""
        raise NotImplementedError
