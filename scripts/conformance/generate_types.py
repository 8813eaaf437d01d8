"""Writes tests/fixtures/types/: features over featuretools' ecommerce entity set whose matrix
holds every kind of column type the Parquet and Arrow outputs must keep (integer and text
categories, an ordinal of integers, a primitive's ordinal range, masked integers and booleans,
the target's index as a feature, a label column named like a feature), the cutoff table, and
featuretools' own dtypes of the matrix (dtypes.json: per column, index first, its dtype and for
categoricals the categories and order). tests/it/cli.rs checks ftpart's files against them.

Usage: python scripts/conformance/generate_types.py tests/fixtures/types
(the entity set is tests/fixtures/shapes/entitysets/ecom, featuretools' make_ecommerce_entityset)
"""
import json
import sys
import warnings
from pathlib import Path

warnings.simplefilter("ignore")
import featuretools as ft
import pandas as pd
from featuretools.primitives import Count, Day, First, GreaterThanScalar, IsNull, Mode, NumCharacters
from featuretools.tests.testing_utils import make_ecommerce_entityset


def features(es):
    def col(df, c):
        return ft.Feature(es[df].ww[c])

    def agg(df, c, p):
        return ft.Feature(es[df].ww[c], parent_dataframe_name="customers", primitive=p)

    return [
        col("customers", "id"),
        col("customers", "engagement_level"),
        col("customers", "age"),
        col("customers", "cancel_reason"),
        col("customers", "loves_ice_cream"),
        agg("sessions", "device_type", Mode),
        agg("sessions", "device_name", Mode),
        agg("sessions", "id", Count),
        agg("sessions", "device_type", First),
        # Integer and Boolean columns where an instance has no rows: Int64 and boolean.
        agg("sessions", "customer_id", First),
        agg("log", "purchased", First),
        ft.Feature(col("customers", "favorite_quote"), primitive=NumCharacters),
        ft.Feature(col("customers", "age"), primitive=GreaterThanScalar(value=30)),
        ft.Feature(col("customers", "signup_date"), primitive=Day),
        ft.Feature(col("customers", "cancel_reason"), primitive=IsNull),
    ]


CUTOFF = pd.DataFrame(
    {
        "instance_id": [0, 1, 2, 0],
        "time": pd.to_datetime(
            ["2011-04-09 10:30:00", "2011-04-09 10:30:00", "2011-04-08 00:00:00", "2011-04-10 00:00:00"]
        ),
        # Named like a feature: featuretools puts the label in that feature's place.
        "age": [5, 6, 7, 8],
    }
)


def describe(s: pd.Series):
    d = {"dtype": str(s.dtype)}
    if isinstance(s.dtype, pd.CategoricalDtype):
        d["categories"] = [c.item() if hasattr(c, "item") else c for c in s.dtype.categories]
        d["ordered"] = bool(s.dtype.ordered)
    return d


def main(out: Path):
    es = make_ecommerce_entityset()
    fs = features(es)
    fm = ft.calculate_feature_matrix(fs, es, cutoff_time=CUTOFF)
    out.mkdir(parents=True, exist_ok=True)
    ft.save_features(fs, str(out / "features.json"))
    CUTOFF.to_csv(out / "cutoff.csv", index=False)
    cols = [{"name": fm.index.name, "index": True, **describe(fm.index.to_series())}]
    cols += [{"name": c, "index": False, **describe(fm[c])} for c in fm.columns]
    (out / "dtypes.json").write_text(json.dumps(cols, indent=1) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
