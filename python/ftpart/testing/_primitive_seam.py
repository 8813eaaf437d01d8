"""The primitive seam of the featuretools-suite plugin: a primitive's function, computed by ftpart.

featuretools' primitive tests call a primitive's function directly
(``Primitive(...).get_function()(pd.Series(...))``, or ``Primitive(...)(series)``). While the
plugin is active, ``get_function`` of every featuretools primitive class returns, to a caller in
``featuretools.tests``, a function that computes the same value as a feature matrix by ftpart:

- a transform primitive: one dataframe ``data`` with one row per element (in the input's order,
  index ``_row`` = 0..n-1), one column per argument, each typed with a woodwork logical type that
  matches the primitive's ``input_types`` and the argument's dtype; the feature is
  ``ft.Feature([columns], primitive=the same instance)`` and the answer is its column, row by row;
- an aggregation primitive: the same ``data`` as the child of a one-row dataframe ``parent``;
  the feature ``ft.Feature([columns], parent_dataframe_name="parent", primitive=instance)``
  aggregates all the rows, and the answer is the parent's value.

Each argument's column keeps the logical type its dtype gives (woodwork's inference for objects
and text) where one of ``input_types`` takes it; otherwise the first logical type that holds the
values unchanged. An input typed ``time_index`` becomes the dataframe's time index (woodwork sorts
the rows by it, as in any entity set); ``time=`` (a primitive that ``uses_calc_time``) becomes the
cutoff time, otherwise the cutoff is the last time, so that no row is left out. Keyword arguments
are put in the function's order.

featuretools' own function is called first, on the arguments themselves (some change them in
place; ftpart gets copies taken before): an error it raises is the test's answer (re-raised,
recorded as a fallback), and its result gives the shape of the answer: ftpart's values get the
container (Series with its index and name, ndarray, ExtensionArray, list, tuple, scalar of its
Python type) and, where the conversion loses nothing of ftpart's values, the dtype and missing
marker of featuretools' result. The values are always ftpart's: a difference from featuretools
fails the test.

featuretools' own ``calculate_feature_matrix`` computes the same feature first. Where its value
differs from its function's, the test's expected value is no feature matrix's (an aggregation
over no rows gives the primitive's ``default_value``, a missing result is filled with a
``default_value``, ``np.var`` goes through ``pandas.groupby``'s ``var`` with ``ddof=1``, rows with
a missing time are left out, ...): the call falls back, and the reason gives both values (and
ftpart's, where it differs from featuretools' matrix). A call that cannot be expressed as a feature
at all (an argument that is no array, unequal lengths, no logical type of ``input_types`` holds
the values, a feature featuretools refuses), or that ftpart refuses (:class:`ftpart.FtpartError`),
returns featuretools' result and is recorded as a fallback with the reason, which starts with the
primitive's class name.

``FTPART_SEAM_BACKEND=featuretools`` computes the seam's matrices with featuretools' own
``calculate_feature_matrix`` instead, recorded as a fallback (a check of the seam itself: a test
that fails so is the seam's doing, not ftpart's).
"""

from __future__ import annotations

import functools
import os
import sys
import warnings
from typing import Callable, List

import numpy as np
import pandas as pd


class Inexpressible(Exception):
    """The call cannot be computed as a feature; the message says why."""


#: set by the plugin: record(kind, why), in_featuretools (a list the plugin pushes onto while
#: featuretools computes a matrix itself).
_hooks: dict = {}
_installed: List[tuple] = []
_active = [False]


def install(record: Callable[[str, str], None], in_featuretools: list) -> None:
    """Wraps ``get_function`` of every featuretools primitive class (once)."""
    _hooks["record"] = record
    _hooks["in_featuretools"] = in_featuretools
    if _installed:
        return
    from featuretools.primitives.base import PrimitiveBase

    seen = set()
    todo = [PrimitiveBase]
    while todo:
        cls = todo.pop()
        if cls in seen:
            continue
        seen.add(cls)
        todo.extend(cls.__subclasses__())
        if not cls.__module__.startswith("featuretools.primitives"):
            continue
        original = cls.__dict__.get("get_function")
        if original is None or getattr(original, "_ftpart_seam", False):
            continue
        wrapped = _wrap(original)
        setattr(cls, "get_function", wrapped)
        _installed.append((cls, original))


def activate(on: bool) -> None:
    _active[0] = on


def _wrap(original):
    @functools.wraps(original)
    def get_function(self, *args, **kwargs):
        fn = original(self, *args, **kwargs)
        if not _active[0] or _hooks["in_featuretools"] or not _from_test():
            return fn
        return _routed_function(self, fn)

    get_function._ftpart_seam = True
    return get_function


def _from_test() -> bool:
    """Whether ``get_function`` was called by a featuretools test (directly or through
    ``PrimitiveBase.__call__``), not by featuretools computing a matrix or another primitive."""
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_globals.get("__name__", "")
        if name in ("featuretools.primitives.base.primitive_base", __name__):
            frame = frame.f_back
            continue
        return name.startswith("featuretools.tests")
    return False


def _record(kind: str, why: str = "") -> None:
    _hooks["record"](kind, why.replace("\t", " ").replace("\n", " "))


def _copy(v):
    if isinstance(v, (pd.Series, pd.Index, np.ndarray, pd.DataFrame)):
        return v.copy()
    if isinstance(v, list):
        return list(v)
    return v


def _routed_function(primitive, fn):
    name = type(primitive).__name__

    @functools.wraps(fn)
    def routed(*args, **kwargs):
        # ftpart computes from the arguments as they were given; featuretools' function gets the
        # arguments themselves (some change them in place, as they would without the seam).
        given = [_copy(a) for a in args]
        given_kwargs = {k: _copy(v) for k, v in kwargs.items()}
        try:
            expected = fn(*args, **kwargs)
        except Exception as e:
            _record("fallback", f"{name}: featuretools' function raises {type(e).__name__}")
            raise
        try:
            value = _compute(primitive, fn, given, given_kwargs, expected)
        except Inexpressible as e:
            _record("fallback", f"{name}: {e}")
            return expected
        except Exception as e:
            import ftpart

            if not isinstance(e, ftpart.FtpartError):
                raise
            why = str(e)
            if not isinstance(e, ftpart.NotSupportedError):
                why = f"refused: {why}"
            _record("fallback", f"{name}: {why}")
            return expected
        if os.environ.get("FTPART_SEAM_BACKEND") == "featuretools":
            _record("fallback", f"{name}: FTPART_SEAM_BACKEND=featuretools (featuretools' matrix)")
        else:
            _record("ftpart", "")
        return value

    return routed


# ---------------------------------------------------------------------------------------------
# The entity set


def _as_series(arg, i: int) -> pd.Series:
    if isinstance(arg, pd.Series):
        return arg.reset_index(drop=True)
    if isinstance(arg, pd.Index):
        return pd.Series(arg.to_numpy(copy=True) if not isinstance(arg.dtype, pd.CategoricalDtype)
                         else pd.Categorical(arg))
    if isinstance(arg, np.ndarray) and arg.ndim == 1:
        return pd.Series(arg)
    if isinstance(arg, (list, tuple)):
        return pd.Series(list(arg))
    raise Inexpressible(f"argument {i} is a {type(arg).__name__}, not an array of values")


def _signatures(primitive) -> list:
    input_types = primitive.input_types
    if not input_types:
        return []
    if not isinstance(input_types[0], list):
        input_types = [input_types]
    return input_types


# Semantic tags the seam can give a column besides its logical type's standard tags.
_ADDABLE = {"time_index", "date_of_birth", "index"}


def _candidates(series: pd.Series, template) -> list:
    from woodwork import logical_types as L
    import woodwork as ww

    if template.logical_type is not None:
        return [type(template.logical_type)]
    tags = template.semantic_tags
    dtype = series.dtype
    out = []
    if "category" in tags:
        out.append(L.Categorical)
    if "numeric" in tags or "time_index" in tags:
        if pd.api.types.is_bool_dtype(dtype):
            pass
        elif pd.api.types.is_integer_dtype(dtype):
            out += [L.IntegerNullable] if isinstance(dtype, pd.api.extensions.ExtensionDtype) else [L.Integer]
        elif pd.api.types.is_float_dtype(dtype):
            out.append(L.Double)
        elif dtype == object:
            out += [L.Integer, L.IntegerNullable, L.Double]
    if "time_index" in tags and not out:
        out.append(L.Datetime)
    by_dtype = []
    if pd.api.types.is_datetime64_any_dtype(dtype):
        by_dtype.append(L.Datetime)
    elif isinstance(dtype, pd.CategoricalDtype):
        by_dtype.append(L.Categorical)
    elif pd.api.types.is_bool_dtype(dtype):
        by_dtype.append(L.BooleanNullable if isinstance(dtype, pd.BooleanDtype) else L.Boolean)
    elif pd.api.types.is_integer_dtype(dtype):
        by_dtype.append(
            L.IntegerNullable if isinstance(dtype, pd.api.extensions.ExtensionDtype) else L.Integer
        )
    elif pd.api.types.is_float_dtype(dtype):
        by_dtype.append(L.Double)
    out += by_dtype
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out.append(type(ww.type_system.infer_logical_type(series.copy())))
    except Exception:
        pass
    return list(dict.fromkeys(out))


def _same_values(a: pd.Series, b: pd.Series) -> bool:
    """Whether woodwork's conversion kept every value (missing stays missing)."""
    if len(a) != len(b):
        return False
    av = a.astype(object).to_numpy()
    bv = b.astype(object).to_numpy()
    for x, y in zip(av, bv):
        xm = x is None or (not isinstance(x, (list, tuple)) and pd.isna(x))
        ym = y is None or (not isinstance(y, (list, tuple)) and pd.isna(y))
        if xm or ym:
            if xm != ym:
                return False
            continue
        try:
            if isinstance(x, (pd.Timestamp, np.datetime64)) or isinstance(y, (pd.Timestamp, np.datetime64)):
                if pd.Timestamp(x) != pd.Timestamp(y):
                    return False
                continue
            if x != y:
                return False
        except Exception:
            return False
    return True


def _natural(series: pd.Series) -> list:
    """The logical type a column of this dtype gets (woodwork's inference for text and objects)."""
    from woodwork import logical_types as L
    import woodwork as ww

    dtype = series.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return [L.Datetime]
    if isinstance(dtype, pd.CategoricalDtype):
        return [L.Categorical]
    if pd.api.types.is_bool_dtype(dtype):
        return [L.BooleanNullable if isinstance(dtype, pd.BooleanDtype) else L.Boolean]
    if pd.api.types.is_integer_dtype(dtype):
        if isinstance(dtype, pd.api.extensions.ExtensionDtype):
            return [L.IntegerNullable]
        return [L.Integer]
    if pd.api.types.is_float_dtype(dtype):
        return [L.Double]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return [type(ww.type_system.infer_logical_type(series.copy()))]
    except Exception:
        return []


def _typed(series: pd.Series, template, natural_only: bool):
    """(logical type, converted series, extra tags) for one argument, or None; with
    ``natural_only``, only the logical type the column would have anyway."""
    import woodwork as ww

    candidates = _candidates(series, template)
    if natural_only:
        natural = _natural(series)
        candidates = [c for c in candidates if c in natural]
    for ltype in candidates:
        needed = set(template.semantic_tags) - set(ltype.standard_tags)
        if needed - _ADDABLE:
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                converted = ww.init_series(series.copy(), logical_type=ltype())
        except Exception:
            continue
        if not _same_values(series, converted):
            continue
        return ltype, converted, needed
    return None


def _columns(primitive, series: list):
    """The typed columns for the first of ``input_types`` that holds every argument."""
    signatures = _signatures(primitive)
    if not signatures:
        raise Inexpressible("the primitive has no input_types")
    problems = []
    # First the columns as they are typed anyway (a float column is Double, even for a primitive
    # whose first signature takes a category), then any logical type that holds the values.
    for natural_only in (True, False):
        for signature in signatures:
            if len(signature) != len(series):
                if not natural_only:
                    problems.append(f"{len(signature)} inputs")
                continue
            typed = []
            for i, (s, template) in enumerate(zip(series, signature)):
                t = _typed(s, template, natural_only)
                if t is None:
                    if not natural_only:
                        problems.append(f"argument {i} ({s.dtype}) is no {template}")
                    break
                typed.append(t)
            else:
                special = [tag for _, _, tags in typed for tag in tags]
                if special.count("time_index") > 1 or special.count("index") > 1:
                    if not natural_only:
                        problems.append("two time indexes")
                    continue
                return typed
    raise Inexpressible("no logical type of input_types holds the values: " + "; ".join(problems))


def _positional(fn, args, kwargs):
    """The arguments in the function's order, and ``time=`` apart."""
    import inspect

    time = kwargs.get("time")
    rest = {k: v for k, v in kwargs.items() if k != "time"}
    if not rest:
        return list(args), time
    try:
        bound = inspect.signature(fn).bind(*args, **kwargs)
    except (TypeError, ValueError):
        raise Inexpressible(f"keyword arguments {sorted(rest)} of the function")
    out = []
    for name, value in bound.arguments.items():
        if name == "time":
            continue
        kind = inspect.signature(fn).parameters[name].kind
        if kind in (inspect.Parameter.VAR_POSITIONAL,):
            out.extend(value)
        elif kind == inspect.Parameter.VAR_KEYWORD:
            raise Inexpressible(f"keyword arguments {sorted(value)} of the function")
        else:
            out.append(value)
    return out, time


def _compute(primitive, fn, args, kwargs, expected):
    import featuretools as ft
    from featuretools.primitives.base import AggregationPrimitive, TransformPrimitive

    is_agg = isinstance(primitive, AggregationPrimitive)
    if not is_agg and not isinstance(primitive, TransformPrimitive):
        raise Inexpressible(f"{type(primitive).__name__} is neither a transform nor an aggregation")
    if "time" in kwargs and not primitive.uses_calc_time:
        raise Inexpressible("time= to a primitive that does not use the calculation time")
    args, time = _positional(fn, args, kwargs)
    if primitive.uses_calc_time and time is None:
        raise Inexpressible("a calc-time primitive called without time=")
    if not args:
        raise Inexpressible("no arguments")
    series = [_as_series(a, i) for i, a in enumerate(args)]
    n = len(series[0])
    if any(len(s) != n for s in series):
        raise Inexpressible("arguments of different lengths")
    typed = _columns(primitive, series)
    data = {}
    logical_types = {}
    semantic_tags = {}
    time_index = None
    index = None
    names = []
    for i, (ltype, values, tags) in enumerate(typed):
        col = f"x{i}"
        if "index" in tags:
            if values.isna().any() or values.duplicated().any():
                raise Inexpressible("an index argument with missing or repeated values")
            index = col
        if "time_index" in tags:
            time_index = col
        data[col] = values.to_numpy() if not isinstance(values.dtype, pd.api.extensions.ExtensionDtype) else values.array
        logical_types[col] = ltype()
        if "date_of_birth" in tags:
            semantic_tags[col] = {"date_of_birth"}
        names.append(col)
    if index is None:
        index = "_row"
        data = {"_row": np.arange(n, dtype="int64"), **data}
    frame = pd.DataFrame(data)
    if is_agg:
        frame["_parent"] = np.zeros(n, dtype="int64")
        logical_types["_parent"] = __import__("woodwork").logical_types.Integer()

    es = ft.EntitySet("seam")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            es.add_dataframe(
                dataframe=frame,
                dataframe_name="data",
                index=index,
                time_index=time_index,
                logical_types=logical_types,
                semantic_tags=semantic_tags or None,
            )
            if is_agg:
                es.add_dataframe(
                    dataframe=pd.DataFrame({"_id": np.array([0], dtype="int64")}),
                    dataframe_name="parent",
                    index="_id",
                )
                es.add_relationship("parent", "_id", "data", "_parent")
        except Exception as e:
            raise Inexpressible(f"featuretools takes no such entity set ({type(e).__name__}: {e})")
    bases = [ft.Feature(es["data"].ww[c]) for c in names]
    try:
        if is_agg:
            feature = ft.Feature(bases, parent_dataframe_name="parent", primitive=primitive)
        else:
            feature = ft.Feature(bases, primitive=primitive)
    except Exception as e:
        raise Inexpressible(f"no feature of these columns ({type(e).__name__}: {e})")

    cutoff = None
    if time is not None:
        cutoff = time
    elif time_index is not None and frame[time_index].notna().any():
        cutoff = frame[time_index].max()
    ids = frame[index].to_numpy() if index == "_row" else frame[index].array

    def answer(fm):
        columns = feature.get_feature_names()
        if is_agg:
            return _shape_agg([fm[c].iloc[0] for c in columns], expected, primitive)
        fm = fm.reindex(ids)
        return _shape_transform([fm[c].reset_index(drop=True) for c in columns], expected, primitive)

    # featuretools' own matrix first: where it differs from featuretools' function, the test's
    # values are not a feature matrix's and cannot judge ftpart's.
    try:
        theirs = answer(_featuretools_matrix(feature, es, cutoff))
    except Inexpressible:
        raise
    except Exception as e:
        raise Inexpressible(f"featuretools' matrix raises {type(e).__name__}")
    if not _agree(theirs, expected):
        why = (
            f"featuretools' own matrix gives {_short(theirs)} where its function gives "
            f"{_short(expected)}"
        )
        if os.environ.get("FTPART_SEAM_BACKEND") != "featuretools":
            # No test judges ftpart's value here; a difference from featuretools' matrix is
            # still a finding, so the reason names it.
            try:
                ours = answer(_ftpart_matrix(feature, es, cutoff))
            except Exception:
                ours = theirs
            if not _agree(ours, theirs):
                why += f"; ftpart's matrix gives {_short(ours)}"
        raise Inexpressible(why)
    if os.environ.get("FTPART_SEAM_BACKEND") == "featuretools":
        return theirs
    return answer(_ftpart_matrix(feature, es, cutoff))


def _featuretools_matrix(feature, es, cutoff):
    from ftpart import _patch

    _hooks["in_featuretools"].append(True)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _patch.original("calculate_feature_matrix")([feature], es, cutoff_time=cutoff)
    finally:
        _hooks["in_featuretools"].pop()


def _ftpart_matrix(feature, es, cutoff):
    import ftpart

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ftpart.calculate_feature_matrix([feature], es, cutoff_time=cutoff, fallback="error")


def _short(v) -> str:
    if isinstance(v, (pd.Series, pd.Index, np.ndarray)):
        v = list(v)
    text = repr(v)
    return text if len(text) <= 120 else text[:117] + "..."


def _agree(a, b) -> bool:
    """Whether two answers hold the same values (missing equals missing, floats to 1e-9)."""
    if isinstance(a, pd.DataFrame) or isinstance(b, pd.DataFrame):
        if not (isinstance(a, pd.DataFrame) and isinstance(b, pd.DataFrame)) or a.shape != b.shape:
            return False
        return all(_agree(a.iloc[:, i], b.iloc[:, i]) for i in range(a.shape[1]))
    seq = (pd.Series, pd.Index, np.ndarray, list, tuple, pd.api.extensions.ExtensionArray)
    if isinstance(a, seq) or isinstance(b, seq):
        if not (isinstance(a, seq) and isinstance(b, seq)):
            return False
        a = list(a.tolist() if isinstance(a, np.ndarray) and a.ndim > 1 else a)
        b = list(b.tolist() if isinstance(b, np.ndarray) and b.ndim > 1 else b)
        return len(a) == len(b) and all(_agree(x, y) for x, y in zip(a, b))
    am, bm = _missing(a), _missing(b)
    if am or bm:
        return am and bm
    try:
        if isinstance(a, (bool, np.bool_)) or isinstance(b, (bool, np.bool_)):
            return bool(a == b)
        if isinstance(a, (int, float, np.number)) and isinstance(b, (int, float, np.number)):
            return bool(np.isclose(float(a), float(b), rtol=1e-9, atol=1e-12)) or (
                np.isinf(float(a)) and float(a) == float(b)
            )
        return bool(a == b)
    except Exception:
        return False


# ---------------------------------------------------------------------------------------------
# The answer, shaped like featuretools' result


def _missing(v) -> bool:
    try:
        return v is None or bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _scalar_like(v, like):
    """ftpart's scalar ``v`` as the Python/numpy type of featuretools' ``like``, if nothing is
    lost."""
    if isinstance(v, np.generic) and not isinstance(like, np.generic):
        v = v.item() if not isinstance(v, (np.datetime64, np.timedelta64)) else v
    if _missing(v):
        if isinstance(like, (float, np.floating)):
            return np.nan
        return v
    target = type(like)
    if isinstance(like, (bool, np.bool_)):
        if isinstance(v, (bool, np.bool_)):
            return target(v)
        return v
    if isinstance(like, (int, np.integer)) and not isinstance(like, (bool, np.bool_)):
        if isinstance(v, (bool, np.bool_)):
            return v
        try:
            if float(v) == int(v):
                return target(int(v))
        except (TypeError, ValueError, OverflowError):
            pass
        return v
    if isinstance(like, (float, np.floating)):
        if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_)):
            return target(v)
        return v
    return v


def _shape_agg(values, expected, primitive):
    if primitive.number_output_features == 1:
        return _scalar_like(values[0], expected)
    like = list(expected) if isinstance(expected, (list, tuple, np.ndarray, pd.Series)) else None
    if like is None or len(like) != len(values):
        raise Inexpressible(
            f"featuretools' result ({type(expected).__name__}) has no {len(values)} outputs"
        )
    shaped = [_scalar_like(v, e) for v, e in zip(values, like)]
    if isinstance(expected, np.ndarray):
        return _array_like(pd.Series(shaped), expected)
    if isinstance(expected, pd.Series):
        return pd.Series(shaped, index=expected.index, name=expected.name)
    return type(expected)(shaped)


def _cast(values: pd.Series, dtype, missing=np.nan) -> pd.Series:
    """``values`` in ``dtype`` when the conversion keeps them, else as they are; in an object
    column, a missing value is ``missing`` (featuretools' marker)."""
    if values.dtype == dtype:
        return values
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cast = values.astype(dtype)
            if dtype == object and cast.isna().any():
                cast = cast.where(cast.notna(), missing)
    except (TypeError, ValueError, OverflowError):
        return values
    if _same_values(values, cast):
        return cast
    return values


def _missing_marker(like):
    """The missing value featuretools' result uses (``np.nan`` if it has none)."""
    for v in (like.tolist() if hasattr(like, "tolist") else list(like)):
        if _missing(v):
            return v
    return np.nan


def _array_like(values: pd.Series, like: np.ndarray) -> np.ndarray:
    v = _cast(values, like.dtype, _missing_marker(like))
    try:
        out = v.to_numpy(dtype=like.dtype) if v.dtype == like.dtype or not v.hasnans else v.to_numpy()
    except (TypeError, ValueError):
        out = v.to_numpy()
    if out.dtype == object and like.dtype != object:
        try:
            conv = v.to_numpy(dtype=like.dtype, na_value=np.nan)
            if _same_values(pd.Series(out), pd.Series(conv)):
                out = conv
        except (TypeError, ValueError):
            pass
    return out


def _one_output(values: pd.Series, like):
    if isinstance(like, pd.Series):
        if len(like) != len(values):
            raise Inexpressible("featuretools' result has another length than the input")
        out = _cast(values, like.dtype, _missing_marker(like))
        out.index = like.index
        out.name = like.name
        return out
    if isinstance(like, np.ndarray):
        if like.shape != (len(values),):
            raise Inexpressible(f"featuretools' result is an array of shape {like.shape}")
        return _array_like(values, like)
    if isinstance(like, (list, tuple)):
        if len(like) != len(values):
            raise Inexpressible("featuretools' result has another length than the input")
        shaped = [_scalar_like(v, e) for v, e in zip(values.tolist(), like)]
        return type(like)(shaped)
    if isinstance(like, pd.Index):
        return pd.Index(_cast(values, like.dtype), name=like.name)
    if isinstance(like, pd.api.extensions.ExtensionArray):
        if len(like) != len(values):
            raise Inexpressible("featuretools' result has another length than the input")
        return _cast(values, like.dtype).array
    raise Inexpressible(f"featuretools' result is a {type(like).__name__}")


def _shape_transform(outs, expected, primitive):
    if primitive.number_output_features == 1:
        return _one_output(outs[0], expected)
    k = len(outs)
    if isinstance(expected, np.ndarray) and expected.ndim == 2 and expected.shape[0] == k:
        rows = [_one_output(o, expected[i]) for i, o in enumerate(outs)]
        return np.array(rows)
    if isinstance(expected, (list, tuple)) and len(expected) == k:
        return type(expected)(_one_output(o, e) for o, e in zip(outs, expected))
    if isinstance(expected, pd.DataFrame) and expected.shape[1] == k:
        cols = {c: _one_output(o, expected[c]) for o, c in zip(outs, expected.columns)}
        return pd.DataFrame(cols, index=expected.index)
    raise Inexpressible(
        f"featuretools' result ({type(expected).__name__}) has no {k} outputs"
    )
