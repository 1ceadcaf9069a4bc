"""Scenario files: reading, validating and describing them.

=============================  =============================================================
module                         holds
=============================  =============================================================
:mod:`.loading`                YAML/TOML reading with line numbers, duplicate keys, limits,
                               ``extends``
:mod:`.model`                  the pydantic models of a scenario file
:mod:`.checks`                 the meaning: units, domains, references, orders
:mod:`.errors`                 pydantic's errors in the words of a scenario file
:mod:`.validate`               :func:`load_scenario`: read, check, locate the first problem
:mod:`.overrides`              ``--set`` and :meth:`Scenario.with_overrides`
:mod:`.distributions`          parameter distributions (uniform ... choice)
:mod:`.expressions`            safe expressions of derived indicators (with
                               :mod:`.expression_tree` and :mod:`.expression_eval`)
:mod:`.constraints`            ``lhs <= rhs`` relations between indicators
:mod:`.sources`                where every number comes from
:mod:`.schema`                 the JSON Schema of scenario files
:mod:`.catalog`                the shipped scenarios by name; the starter file
=============================  =============================================================
"""

from .model import Constraint, Horizon, Indicator, Milestone, Param, Scenario, Target
from .overrides import parse_override, parse_variant, variant_name, with_overrides, with_variants
from .schema import json_schema
from .sources import SOURCE_KINDS, source_counts, source_kind, sources
from .validate import load_scenario

__all__ = [
    "Constraint",
    "Horizon",
    "Indicator",
    "Milestone",
    "Param",
    "SOURCE_KINDS",
    "Scenario",
    "Target",
    "json_schema",
    "load_scenario",
    "parse_override",
    "parse_variant",
    "source_counts",
    "source_kind",
    "sources",
    "variant_name",
    "with_overrides",
    "with_variants",
]
