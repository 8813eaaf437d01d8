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

def _returns(cls):
    rt = cls.return_type
    if rt is None:
        return "Input"
    lt = rt.logical_type
    if lt is None:
        if "numeric" in rt.semantic_tags:
            return "Double"
        if "category" in rt.semantic_tags:
            return "Inferred"
        raise SystemExit(f"{cls.__name__}: return type {rt!r} has no Returns variant")
    name = type(lt).__name__
    if name == "Ordinal":
        order = list(lt.order)
        lo, hi = order[0], order[-1]
        if order != list(range(lo, hi + 1)):
            raise SystemExit(f"{cls.__name__}: ordinal order {order!r} is not a range")
        return f"Ordinal({lo}, {hi})"
    if name not in ("Double", "Integer", "IntegerNullable", "Boolean", "BooleanNullable",
                    "AgeFractional", "Datetime", "Timedelta", "LatLong", "Categorical"):
        raise SystemExit(f"{cls.__name__}: return type {name} has no Returns variant")
    return name


print("//! Every primitive of featuretools 1.31 (`ft.list_primitives()`): kind, class name, module and")
print("//! constructor arguments as `serialize_primitive` saves them, and its return type. Written by")
print("//! `scripts/primitives/generate_catalog.py`; do not edit.")
print()
print("/// featuretools' `return_type` of a primitive class: the woodwork logical type of its column in")
print("/// a feature matrix (`FeatureBase.column_schema`; `get_ww_types_from_features` makes a numeric")
print("/// schema without a logical type `Double`).")
print("#[derive(Debug, Clone, Copy, PartialEq, Eq)]")
print("pub enum Returns {")
print("    /// `Double` (or numeric without a logical type): float64.")
print("    Double,")
print("    /// `Integer`: int64 (`Int64` where a value is missing).")
print("    Integer,")
print("    /// `IntegerNullable`: Int64.")
print("    IntegerNullable,")
print("    /// `Boolean`: bool (`boolean` where a value is missing).")
print("    Boolean,")
print("    /// `BooleanNullable`: boolean.")
print("    BooleanNullable,")
print("    /// `AgeFractional`: float64.")
print("    AgeFractional,")
print("    /// `Datetime`: datetime64[ns].")
print("    Datetime,")
print("    /// `Timedelta`: timedelta64[ns].")
print("    Timedelta,")
print("    /// `LatLong`: tuples (object).")
print("    LatLong,")
print("    /// `Categorical`: a category of the values found.")
print("    Categorical,")
print("    /// `Ordinal(order=range(lo, hi + 1))`: an ordered category of those integers.")
print("    Ordinal(i64, i64),")
print("    /// A `category` schema without a logical type: woodwork infers it from the values.")
print("    Inferred,")
print("    /// No return type: the first input's (`column_schema` walks to the first base feature).")
print("    Input,")
print("}")
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
print("    pub returns: Returns,")
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
        returns = _returns(cls)
        print(f'    Known {{ aggregation: {str(agg).lower()}, class: "{cls.__name__}", name: "{cls.name}", module: "{cls.__module__}", args: &[{a}], default: super::Default::{default}, full_dataframe: {full}, calc_time: {calc_time}, returns: Returns::{returns} }},')
print("];")
