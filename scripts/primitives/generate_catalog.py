"""Writes src/primitives/catalog.rs: every primitive featuretools 1.31 lists (ft.list_primitives()),
with its kind, saved class name, module and constructor arguments, as featuretools'
`serialize_primitive` writes them into a feature file.

Usage: python scripts/primitives/generate_catalog.py > src/primitives/catalog.rs
(in a venv from scripts/conformance/requirements.txt)
"""
import inspect, warnings
warnings.filterwarnings("ignore")
import featuretools as ft
import pandas as pd
from featuretools.primitives.utils import get_aggregation_primitives, get_transform_primitives

print("//! Every primitive of featuretools 1.31 (`ft.list_primitives()`): kind, class name, module and")
print("//! constructor arguments as `serialize_primitive` saves them. Written by")
print("//! `scripts/primitives/generate_catalog.py`; do not edit.")
print()
print("/// One featuretools primitive class.")
print("pub struct Known {")
print("    /// Whether it is an aggregation (else a transform).")
print("    pub aggregation: bool,")
print("    /// The class name (`type` in a feature file).")
print("    pub class: &'static str,")
print("    /// The snake-case name DFS takes (`Primitive.name`).")
print("    pub name: &'static str,")
print("    /// The module (`module` in a feature file).")
print("    pub module: &'static str,")
print("    /// Constructor argument names (`arguments` in a feature file).")
print("    pub args: &'static [&'static str],")
print("    /// `default_value`.")
print("    pub default: super::Default,")
print("    /// `uses_full_dataframe`.")
print("    pub full_dataframe: bool,")
print("    /// `uses_calc_time`.")
print("    pub calc_time: bool,")
print("    /// `return_type`.")
print("    pub returns: super::Returns,")
print("    /// The order of an `Ordinal` return type, a range of integers: (first, last).")
print("    pub ordinal: Option<(i64, i64)>,")
print("}")
print()
print("/// The featuretools 1.31 primitives, aggregations first, each kind by name.")
print("pub const KNOWN: &[Known] = &[")
for agg, d in ((True, get_aggregation_primitives()), (False, get_transform_primitives())):
    for name, cls in sorted(d.items()):
        args = [k for k in inspect.signature(cls.__init__).parameters if k not in ("self", "args", "kwargs")]
        a = ", ".join(f'"{x}"' for x in args)
        d = cls.default_value
        if d is True or d is False:
            default = f"Bool({str(d).lower()})"
        elif d is None or pd.isna(d):
            default = "Null"
        elif d == 0:
            default = "Zero"
        else:
            raise SystemExit(f"{cls.__name__}: default {d!r} has no Default variant")
        full = str(bool(getattr(cls, "uses_full_dataframe", False))).lower()
        calc_time = str(bool(getattr(cls, "uses_calc_time", False))).lower()
        rt = cls.return_type
        if rt is None:
            returns = "Input"
        elif rt.logical_type is not None:
            returns = f'Logical("{type(rt.logical_type).__name__}")'
        else:
            (tag,) = sorted(rt.semantic_tags)
            returns = f'Tag("{tag}")'
        ordinal = "None"
        if rt is not None and type(rt.logical_type).__name__ == "Ordinal":
            order = list(rt.logical_type.order)
            if order != list(range(order[0], order[-1] + 1)):
                raise SystemExit(f"{cls.__name__}: ordinal order {order!r} is not a range")
            ordinal = f"Some(({order[0]}, {order[-1]}))"
        print(f'    Known {{ aggregation: {str(agg).lower()}, class: "{cls.__name__}", name: "{cls.name}", module: "{cls.__module__}", args: &[{a}], default: super::Default::{default}, full_dataframe: {full}, calc_time: {calc_time}, returns: super::Returns::{returns}, ordinal: {ordinal} }},')
print("];")
