"""The featuretools-suite plugin's primitive seam: a primitive's function computed by ftpart."""

import warnings
from datetime import datetime

import numpy as np
import pandas as pd
import pytest
from featuretools.primitives import (
    Absolute,
    Kurtosis,
    Lag,
    Mean,
    NMostCommon,
    NumTrueSinceLastFalse,
    TimeSinceLast,
    Variance,
)

from ftpart.testing import _primitive_seam as seam


@pytest.fixture(autouse=True)
def events():
    found = []
    seam._hooks.update(record=lambda kind, why: found.append((kind, why)), in_featuretools=[])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield found


def routed(primitive):
    return seam._routed_function(primitive, primitive.get_function())


def test_transform_keeps_the_input_index_and_dtype(events):
    values = pd.Series([-1.5, 2.5, np.nan, -4.0], index=[13, 11, 12, 10], name="v")
    got = routed(Absolute())(values)
    pd.testing.assert_series_equal(got, Absolute().get_function()(values))
    times = pd.Series(pd.date_range("2020-01-01", periods=4, freq="D"), index=values.index)
    got = routed(Lag())(values, times)
    expected = Lag().get_function()(values, times)
    assert type(got) is type(expected)
    np.testing.assert_array_equal(np.asarray(got), np.asarray(expected))
    assert events == [("ftpart", ""), ("ftpart", "")]


def test_aggregation_gives_a_scalar_of_featuretools_type(events):
    got = routed(Mean())(pd.Series([1, 2, np.nan, 6]))
    assert got == 3.0 and isinstance(got, float)
    got = routed(NumTrueSinceLastFalse())(pd.Series([False, True, False, True, True]))
    assert got == 2
    assert events == [("ftpart", ""), ("ftpart", "")]


def test_multi_output_aggregation(events):
    got = routed(NMostCommon(3))(pd.Series([1, 2, 1, 1]))
    expected = NMostCommon(3).get_function()(pd.Series([1, 2, 1, 1]))
    assert type(got) is type(expected)
    np.testing.assert_array_equal(pd.Series(got).astype(float), pd.Series(expected).astype(float))
    assert events == [("ftpart", "")]


def test_calc_time_is_the_cutoff(events):
    times = pd.Series([datetime(2011, 4, 9, 10, 30, i * 6) for i in range(5)])
    cutoff = datetime(2011, 4, 9, 11, 31, 27)
    got = routed(TimeSinceLast())(times, time=cutoff)
    assert got == TimeSinceLast().get_function()(times, time=cutoff)
    assert events == [("ftpart", "")]


def test_where_featuretools_matrix_differs_from_its_function_it_falls_back(events):
    # featuretools' matrix takes np.var through pandas' groupby (ddof=1): 3.0, not 2.25.
    assert routed(Variance())(np.array([0, 3, 4, 3])) == 2.25
    ((kind, why),) = events
    assert kind == "fallback" and why.startswith("Variance: featuretools' own matrix gives 3.0")


def test_featuretools_error_is_raised_and_recorded(events):
    with pytest.raises(ValueError):
        routed(Kurtosis(nan_policy="raise"))(pd.Series([1.0, np.nan, 3.0]))
    assert events == [("fallback", "Kurtosis: featuretools' function raises ValueError")]


def test_inexpressible_call_falls_back(events):
    # A Boolean input with a missing value: no logical type of input_types holds it.
    series = pd.Series([False, True, np.nan, True, True])
    assert routed(NumTrueSinceLastFalse())(series) == 3
    ((kind, why),) = events
    assert kind == "fallback" and "no logical type" in why


def test_the_answer_is_ftparts(events, monkeypatch):
    # Whatever ftpart computes is what the test sees, not featuretools' value.
    real = seam._ftpart_matrix

    def off_by_one(feature, es, cutoff):
        fm = real(feature, es, cutoff)
        return fm + 1

    monkeypatch.setattr(seam, "_ftpart_matrix", off_by_one)
    assert routed(Mean())(pd.Series([1.0, 2.0, 6.0])) == 4.0
    assert events == [("ftpart", "")]
