"""The base class every growth family derives from: validate, broadcast, call the kernel.

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

Kernels work in one buffer and fix rare rows only (:mod:`projection.models.kernels`);
parameters are declared as data (:mod:`projection.models.params`). Validation works on the
``(N,)`` parameters only. The effective domain of a parameter (its bounds, a share's cap, and
``start <= cap``) is declared here once, :meth:`Family.domain`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import numpy as np

from ..exceptions import ParameterError
from .params import MAX_HORIZON, Domain, ParamSpec, _as_float_array, _at, _fmt

__all__ = ["Family"]


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
