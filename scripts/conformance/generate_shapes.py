"""Generate conformance cases for the entity-set *shapes* that partitioning must handle: featuretools'
own test entity sets (ecommerce, with datetime and integer time indexes; diamond_es; games_es;
home_games_es; default_value_es) and seeded random entity sets (chains, fan-outs, diamonds,
siblings under an ancestor of the split dataframe, lookup parents referenced from below, several
relationships between two dataframes, islands), with DFS features and the feature matrices that
featuretools 1.31 computes for them.

Usage: python generate_shapes.py OUT_DIR [CASE ...]   (only the named cases when given)
Run it in a venv made from requirements.txt (featuretools==1.31.0 pandas==2.2.3 numpy==1.26.4
pyarrow==17.0.0). It writes OUT_DIR/entitysets/<name>/ and OUT_DIR/cases/<name>/ in the format of
/work/shared/conformance (see its README.md), with the helpers and checks of ftcase.py. Case names
start with `s_`. Every expected.csv is written by featuretools; features use only the primitives
ftpart implements (IMPLEMENTED below); AGE is only used with cutoff times, so the output does not
depend on the day it is run. Features whose value depends on how sort ties are ordered
(N_MOST_COMMON on equal counts) are left out of a case before it is written.
"""
import sys
import ftcase  # first: re-executes this script with PYTHONHASHSEED=0 (see ftcase.py)
from ftcase import NAN, T, save_es, idf, agg, dfs
import numpy as np, pandas as pd
import featuretools as ft
from featuretools import EntitySet
from featuretools.feature_base import AggregationFeature, IdentityFeature, TransformFeature
from featuretools.tests.testing_utils import make_ecommerce_entityset
from featuretools.tests.testing_utils.features import backward_path
from woodwork.logical_types import (Boolean, BooleanNullable, Categorical, Datetime, Double,
                                    Integer, IntegerNullable, LatLong, NaturalLanguage, Ordinal)
from featuretools.primitives import (
    Count, EqualScalar, GreaterThanEqualToScalar, GreaterThanScalar, LessThanEqualToScalar,
    LessThanScalar, Mean, Median, NotEqualScalar, NumUnique, Std, Sum)

ftcase.setup(sys.argv[1], sys.argv[2:])

# the primitives ftpart implements (class names); a case uses no others
IMPLEMENTED = {
    "Count", "Sum", "Mean", "Std", "Max", "Min", "Skew", "Median", "Mode", "NumUnique",
    "PercentTrue", "NumTrue", "NMostCommon",
    "Age", "Day", "Month", "Year", "Weekday", "Hour", "Minute", "Second", "Haversine", "NumWords",
    "NumCharacters", "IsNull", "Not", "And", "Or", "EqualScalar", "NotEqualScalar",
    "GreaterThanScalar", "GreaterThanEqualToScalar", "LessThanScalar", "LessThanEqualToScalar",
    "Equal", "NotEqual", "GreaterThan", "GreaterThanEqualTo", "LessThan", "LessThanEqualTo"}
AGG_ALL = ["count", "sum", "mean", "std", "max", "min", "skew", "median", "mode", "num_unique",
           "percent_true", "num_true", "n_most_common"]
TRANS_DATETIME = ["day", "month", "year", "weekday", "hour", "minute", "second"]
TRANS_OTHER = ["is_null", "not", "and", "or", "num_words", "num_characters", "haversine"]
TRANS_BINARY = ["equal", "not_equal", "greater_than", "greater_than_equal_to", "less_than",
                "less_than_equal_to"]

WRITTEN = []  # names of the cases written in this run
REFUSED = {}  # case -> the features featuretools fails to compute, with its error
TIE_DROPS = {}  # case -> names of the features left out because they depend on sort ties


# ---------------------------------------------------------------------------------------------
# features: filtering, capping, leaving out tie-dependent ones
# ---------------------------------------------------------------------------------------------
def _all_deps(f):
    return [f] + f.get_dependencies(deep=True)


def _usable(f, has_cutoff):
    for g in _all_deps(f):
        if isinstance(g, (AggregationFeature, TransformFeature)):
            name = type(g.primitive).__name__
            assert name in IMPLEMENTED, f"{f.get_name()}: {name} is not implemented by ftpart"
            if name == "Age" and not has_cutoff:
                return False  # AGE without a cutoff reads today's date
            if name in ("Equal", "NotEqual"):
                dt = [b.column_schema.is_datetime for b in g.base_features]
                if dt[0] != dt[1]:  # datetime against anything else (ftpart differs on
                    return False    # text against datetime, a known difference)
            if name in ("EqualScalar", "NotEqualScalar") and g.primitive.value is None:
                return False  # a known ftpart difference on text columns
            if name in COMPARISONS and not _plain_comparison(g):
                return False
    return True


COMPARISONS = {"Equal", "NotEqual", "GreaterThan", "GreaterThanEqualTo", "LessThan",
               "LessThanEqualTo", "EqualScalar", "NotEqualScalar", "GreaterThanScalar",
               "GreaterThanEqualToScalar", "LessThanScalar", "LessThanEqualToScalar"}


def _plain_comparison(g):
    """Comparisons whose missing operands ftpart does not yet treat as pandas does (issue 12):
    featuretools gives False where an operand is NaN (a float, e.g. a direct feature through a
    dangling key or an aggregation of an empty group) and null where it is pandas' NA (nullable
    integers), and compares text with numbers. These shape fixtures test partitioning, so they
    keep to comparisons of two columns of one type, or of a column with a scalar, and no
    nullable integer anywhere below."""
    for d in _all_deps(g)[1:]:
        if isinstance(d, IdentityFeature) and isinstance(d.column_schema.logical_type,
                                                          IntegerNullable):
            return False
    if len(g.base_features) == 2:
        a, b = g.base_features
        if not all(isinstance(x, IdentityFeature) for x in (a, b)):
            return False
        if a.column_schema.is_numeric != b.column_schema.is_numeric:
            return False
    return True


def cap_features(features, n, seed, keep=()):
    """At most N features (a seeded sample, in DFS order), always keeping the names in KEEP."""
    if len(features) <= n:
        return list(features)
    rng = np.random.default_rng(seed)
    must = [i for i, f in enumerate(features) if f.get_name() in keep]
    rest = [i for i in range(len(features)) if i not in set(must)]
    pick = sorted(must + list(rng.choice(rest, max(0, n - len(must)), replace=False)))
    return [features[i] for i in pick]


def pick(es, target, seed, n_plain, n_trans, keep=(), **kw):
    """DFS features, capped: N_PLAIN of those DFS makes without the transform primitives and
    N_TRANS of those the transform primitives add (DFS stacks binary transforms on every pair of
    features, so one sample of all would be mostly those)."""
    plain = dfs(es, target, **dict(kw, trans_primitives=[]))
    names = {f.get_name() for f in plain}
    added = [f for f in dfs(es, target, **kw) if f.get_name() not in names]
    return cap_features(plain, n_plain, seed, keep) + cap_features(added, n_trans, seed + 1, keep)


def _uses_n_most_common(f):
    return any(isinstance(g, AggregationFeature) and type(g.primitive).__name__ == "NMostCommon"
               for g in _all_deps(f))


def drop_tie_dependent(name, features, es, cutoff, kw):
    """Leave out the features whose values change with the order of sort ties."""
    if not any(_uses_n_most_common(f) for f in features):
        return features
    fm = ftcase._calc(features, es, cutoff, kw)
    bad = set()
    for first in (True, False):
        other = ftcase.calc_with_tie_order(features, es, cutoff, kw, first)
        for c in fm.columns:
            if fm[c].astype(str).tolist() != other[c].astype(str).tolist():
                bad.add(c)
    tied = [bool(set(f.get_feature_names()) & bad) for f in features]
    keep = [f for f, t in zip(features, tied) if not t]
    if len(keep) < len(features):
        TIE_DROPS[name] = [f.get_name() for f, t in zip(features, tied) if t]
        print(f"  {name}: left out {len(features) - len(keep)} tie-dependent features", flush=True)
    return keep


def drop_refused(name, features, es, cutoff, kw):
    """Leave out the features featuretools itself fails to compute (each tried alone)."""
    try:
        ftcase._calc(features, es, cutoff, kw)
        return features
    except Exception:
        pass
    keep = []
    for f in features:
        try:
            ftcase._calc([f], es, cutoff, kw)
            keep.append(f)
        except Exception as e:
            REFUSED.setdefault(name, []).append(f"{f.get_name()}: {type(e).__name__}: {e}")
    if len(keep) == len(features):  # only together: show featuretools' error
        ftcase._calc(features, es, cutoff, kw)
    print(f"  {name}: featuretools fails on {len(features) - len(keep)} features: "
          f"{REFUSED[name][:3]}", flush=True)
    return keep


def shape_case(name, es, es_rel, target, features, by=None, cutoff=None, training_window=None,
               include_cutoff_time=True, cutoff_time_in_index=False):
    """ftcase.case after leaving out the features ftpart must not be given (see _usable),
    repeated ones, those featuretools fails to compute and those that depend on sort ties."""
    assert name.startswith("s_"), name
    if not ftcase.wanted(name):
        return None
    features = [f for f in features if _usable(f, cutoff is not None)]
    names = [f.get_name() for f in features]  # explicit features DFS also made: keep the first
    features = [f for i, f in enumerate(features) if f.get_name() not in names[:i]]
    kw = dict(training_window=training_window, include_cutoff_time=include_cutoff_time,
              cutoff_time_in_index=cutoff_time_in_index)
    features = drop_refused(name, features, es, cutoff, kw)
    features = drop_tie_dependent(name, features, es, cutoff, kw)
    assert features, f"{name}: no features left"
    fm = ftcase.case(name, es, es_rel, target, features, by=by, cutoff=cutoff,
                     training_window=training_window, include_cutoff_time=include_cutoff_time,
                     cutoff_time_in_index=cutoff_time_in_index)
    WRITTEN.append(name)
    return fm


def direct(f, *path):
    """f carried down the dataframes in PATH (each a child of the one before)."""
    for d in path:
        f = ft.Feature(f, dataframe_name=d)
    return f


def path_agg(es, base, dataframes, prim, where=None):
    """An aggregation along the one backward path through DATAFRAMES (parent first)."""
    return AggregationFeature(base, dataframes[0], primitive=prim, where=where,
                              relationship_path=backward_path(es, dataframes))


def py(v):
    """A plain Python value (features.json holds primitive arguments as JSON)."""
    return v.item() if isinstance(v, np.generic) else v


def ids_cutoffs(ids, times, labels=True, seed=0):
    ct = pd.DataFrame({"id": list(ids), "time": list(times)})
    if labels:
        ct["label"] = np.random.default_rng(seed).integers(0, 2, len(ct))
    return ct


# ---------------------------------------------------------------------------------------------
# featuretools' ecommerce entity set (featuretools/tests/testing_utils/mock_ds.py), datetime and
# integer time indexes:
#   régions <- stores;  régions <- customers <- sessions <- log -> products;  cohorts <- customers
# stores hangs below régions, a parent of customers, and nothing below customers refers to a store.
# ---------------------------------------------------------------------------------------------
ECOM_TRANS = TRANS_DATETIME + ["num_words", "num_characters", "is_null", "not", "haversine"]


def ecommerce_cases(integer):
    es = make_ecommerce_entityset(with_integer_time_index=integer)
    p = "s_ecomint" if integer else "s_ecom"
    rel = save_es(es, p[2:])
    if integer:
        one = 15
        cust_ct = ids_cutoffs([0, 1, 2, 0, 2, 1, 0, 1, 2], [10, 19, 3, 25, 30, 5, 28, 22, 6], seed=1)
        sess_ct = ids_cutoffs([0, 1, 2, 3, 4, 5, 0, 3, 5, 4, 1],
                              [9, 14, 17, 19, 22, 26, 12, 8, 25, 20, 16], seed=2)
    else:
        one = T("2011-04-10 10:40:00")  # exactly on a log event
        cust_ct = ids_cutoffs(
            [0, 1, 2, 0, 2, 1, 0, 1, 2],
            [T("2011-04-09 10:30:18"), T("2011-04-10 10:40:00"), T("2011-04-09"),
             T("2011-04-10 11:10:03"), T("2011-06-10"), T("2011-04-08 12:00:00"),
             T("2011-07-01"), T("2011-04-10 10:41:03"), T("2011-04-06")], seed=1)
        sess_ct = ids_cutoffs(
            [0, 1, 2, 3, 4, 5, 0, 3, 5, 4, 1],
            [T("2011-04-09 10:30:12"), T("2011-04-09 10:31:27"), T("2011-04-09 10:40:00"),
             T("2011-04-10 10:40:01"), T("2011-04-10 10:41:03"), T("2011-04-10 11:10:03"),
             T("2011-04-10"), T("2011-04-09"), T("2011-04-10 11:10:00"), T("2011-05-01"),
             T("2011-04-09 10:31:00")], seed=2)
    by_customers = dict(customers=cust_ct, sessions=sess_ct)
    keep = {"régions.COUNT(stores)", "régions.MEAN(stores.num_square_feet)",
            "régions.MAX(stores.num_square_feet)", "régions.COUNT(customers)",
            "cohorts.COUNT(customers)"}
    stores_sqft = idf(es, "stores", "num_square_feet")
    store_id = idf(es, "stores", "id")
    for target in ("customers", "sessions"):
        extra = []
        if target == "sessions":  # régions' stores, two steps up
            extra = [direct(agg(store_id, "régions", Count), "customers", "sessions"),
                     direct(agg(stores_sqft, "régions", Mean), "customers", "sessions"),
                     direct(agg(stores_sqft, "régions", Median), "customers", "sessions")]
        for kind in ("nocutoff", "one_cutoff", "cutoffs"):
            trans = ECOM_TRANS + (["age"] if kind != "nocutoff" else [])
            fd = pick(es, target, 7 if target == "customers" else 8, 8, 5, keep,
                      agg_primitives=AGG_ALL, trans_primitives=trans, max_depth=2) + extra
            if kind == "nocutoff":
                ct = None
            elif kind == "one_cutoff":
                ids = es[target]["id"].tolist()
                ct = pd.DataFrame({"id": ids, "time": [one] * len(ids)})
            else:
                ct = by_customers[target]
            shape_case(f"{p}_{target}_{kind}", es, rel, target, fd, by="customers", cutoff=ct)
    # where clauses on interesting values (log.product_id, sessions.device_name), split by régions
    es.add_interesting_values(dataframe_name="log", values={"product_id": ["coke zero", "car"]})
    es.add_interesting_values(dataframe_name="sessions", values={"device_name": ["PC"]})
    fd = dfs(es, "customers", agg_primitives=["count", "sum", "mean", "num_unique"],
             where_primitives=["count", "sum", "mean"], trans_primitives=[], max_depth=2)
    fd = [f for f in fd if "WHERE" in f.get_name() or f.get_name().startswith("régions.")]
    fd = cap_features(fd, 20, 9)
    shape_case(f"{p}_customers_where_by_regions", es, rel, "customers", fd, by="régions",
               cutoff=cust_ct)


ecommerce_cases(False)
ecommerce_cases(True)


# ---------------------------------------------------------------------------------------------
# diamond_es (featuretools/tests/conftest.py, fixture `diamond_es`, body copied):
#   countries <- regions <- stores <- transactions;  regions <- customers <- transactions
# ---------------------------------------------------------------------------------------------
def diamond_es():
    countries_df = pd.DataFrame({"id": range(2), "name": ["US", "Canada"]})
    regions_df = pd.DataFrame(
        {
            "id": range(3),
            "country_id": [0, 0, 1],
            "name": ["Northeast", "South", "Quebec"],
        },
    ).astype({"name": "category"})
    stores_df = pd.DataFrame(
        {
            "id": range(5),
            "region_id": [0, 1, 2, 2, 1],
            "square_ft": [2000, 3000, 1500, 2500, 2700],
        },
    )
    customers_df = pd.DataFrame(
        {
            "id": range(5),
            "region_id": [1, 0, 0, 1, 1],
            "name": ["A", "B", "C", "D", "E"],
        },
    )
    transactions_df = pd.DataFrame(
        {
            "id": range(8),
            "store_id": [4, 4, 2, 3, 4, 0, 1, 1],
            "customer_id": [3, 0, 2, 4, 3, 3, 2, 3],
            "amount": [100, 40, 45, 83, 13, 94, 27, 81],
        },
    )

    dataframes = {
        "countries": (countries_df, "id"),
        "regions": (regions_df, "id"),
        "stores": (stores_df, "id"),
        "customers": (customers_df, "id"),
        "transactions": (transactions_df, "id"),
    }
    relationships = [
        ("countries", "id", "regions", "country_id"),
        ("regions", "id", "stores", "region_id"),
        ("regions", "id", "customers", "region_id"),
        ("stores", "id", "transactions", "store_id"),
        ("customers", "id", "transactions", "customer_id"),
    ]
    return EntitySet(
        id="ecommerce_diamond",
        dataframes=dataframes,
        relationships=relationships,
    )


# (no time index anywhere: cutoff times only pick and repeat rows)
NO_TIME_CT = [T("2020-01-01"), T("2021-06-01"), T("2019-03-03"), T("2022-02-02")]


def repeated_cutoffs(ids, seed, unknown=None):
    rng = np.random.default_rng(seed)
    ids = list(ids) + list(rng.choice(ids, max(1, len(ids) // 2)))
    if unknown is not None:
        ids.append(unknown)
    rng.shuffle(ids)
    seen = {}  # featuretools refuses repeated (id, time) pairs: the k-th row of an id gets time k
    times = []
    for i in ids:
        seen[i] = seen.get(i, -1) + 1
        times.append(NO_TIME_CT[seen[i] % 4])
    return ids_cutoffs(ids, times, seed=seed)


es = diamond_es()
rel = save_es(es, "diamond")
amount, tid = idf(es, "transactions", "amount"), idf(es, "transactions", "id")
via_c, via_s = ["customers", "transactions"], ["stores", "transactions"]
big = ft.Feature(amount, primitive=GreaterThanScalar(value=50))
fd = pick(es, "regions", 11, 11, 5,
          keep={"COUNT(customers.transactions)", "COUNT(stores.transactions)",
                "SUM(customers.transactions.amount)", "SUM(stores.transactions.amount)",
                "MEAN(customers.transactions.amount)", "MAX(stores.transactions.amount)"},
          agg_primitives=AGG_ALL, trans_primitives=["is_null", "greater_than_equal_to"],
          max_depth=2)
fd += [path_agg(es, tid, ["regions"] + via_c, Count, where=big),
       path_agg(es, amount, ["regions"] + via_s, Median)]
shape_case("s_diamond_regions_by_countries", es, rel, "regions", fd, by="countries")
shape_case("s_diamond_regions_by_countries_cutoffs", es, rel, "regions", fd, by="countries",
           cutoff=repeated_cutoffs(range(3), 12, unknown=7))
fd = pick(es, "countries", 13, 14, 0, agg_primitives=AGG_ALL, trans_primitives=[], max_depth=2)
fd += [path_agg(es, tid, ["countries", "regions"] + via_c, Count),
       path_agg(es, tid, ["countries", "regions"] + via_s, Count),
       path_agg(es, amount, ["countries", "regions"] + via_c, Sum),
       path_agg(es, amount, ["countries", "regions"] + via_s, Mean),
       path_agg(es, amount, ["countries", "regions"] + via_s, Std, where=big)]
shape_case("s_diamond_countries", es, rel, "countries", fd)
shape_case("s_diamond_countries_cutoffs", es, rel, "countries", fd,
           cutoff=repeated_cutoffs(range(2), 14))
# a transaction's store and customer can lie in different countries
cname = idf(es, "countries", "name")
fd = pick(es, "transactions", 15, 11, 5, agg_primitives=AGG_ALL,
          trans_primitives=["is_null", "less_than"], max_depth=2)
fd += [direct(cname, "regions", "stores", "transactions"),
       direct(cname, "regions", "customers", "transactions"),
       direct(path_agg(es, amount, ["regions"] + via_c, Sum), "stores", "transactions"),
       direct(path_agg(es, amount, ["regions"] + via_s, Sum), "customers", "transactions"),
       direct(agg(idf(es, "regions", "id"), "countries", Count), "regions", "customers",
              "transactions")]
shape_case("s_diamond_transactions_by_countries", es, rel, "transactions", fd, by="countries")
shape_case("s_diamond_transactions_by_countries_cutoffs", es, rel, "transactions", fd,
           by="countries", cutoff=repeated_cutoffs(range(8), 16, unknown=99))


# ---------------------------------------------------------------------------------------------
# home_games_es and games_es (featuretools/tests/conftest.py, bodies copied): teams <- games by
# home_team_id, and in games_es also by away_team_id. Both entity sets have id None, and
# featuretools looks entity sets up by id, so each is built right before its cases.
# ---------------------------------------------------------------------------------------------
def home_games_es():
    teams = pd.DataFrame({"id": range(3), "name": ["Breakers", "Spirit", "Thorns"]})
    games = pd.DataFrame(
        {
            "id": range(5),
            "home_team_id": [2, 2, 1, 0, 1],
            "away_team_id": [1, 0, 2, 1, 0],
            "home_team_score": [3, 0, 1, 0, 4],
            "away_team_score": [2, 1, 2, 0, 0],
        },
    )
    dataframes = {"teams": (teams, "id"), "games": (games, "id")}
    relationships = [("teams", "id", "games", "home_team_id")]
    return EntitySet(dataframes=dataframes, relationships=relationships)


def games_es():
    return home_games_es().add_relationship("teams", "id", "games", "away_team_id")


GAMES_TRANS = ["is_null", "greater_than", "less_than_equal_to", "not_equal"]
for nm, make in (("home_games", home_games_es), ("games", games_es)):
    es = make()
    rel = save_es(es, nm)
    fd = pick(es, "teams", 21, 13, 8, agg_primitives=AGG_ALL, trans_primitives=GAMES_TRANS,
              max_depth=2)
    shape_case(f"s_{nm}_teams", es, rel, "teams", fd)
    shape_case(f"s_{nm}_teams_cutoffs", es, rel, "teams", fd,
               cutoff=repeated_cutoffs(range(3), 22, unknown=9))
    fd = pick(es, "games", 23, 12, 8, agg_primitives=AGG_ALL, trans_primitives=GAMES_TRANS,
              max_depth=2)
    shape_case(f"s_{nm}_games_by_teams", es, rel, "games", fd, by="teams")


# ---------------------------------------------------------------------------------------------
# default_value_es (featuretools/tests/conftest.py, body copied): sessions <- transactions, with a
# transaction whose session ("c") does not exist
# ---------------------------------------------------------------------------------------------
def default_value_es():
    transactions = pd.DataFrame(
        {"id": [1, 2, 3, 4], "session_id": ["a", "a", "b", "c"], "value": [1, 1, 1, 1]},
    )

    sessions = pd.DataFrame({"id": ["a", "b"]})

    es = EntitySet()
    es.add_dataframe(dataframe_name="transactions", dataframe=transactions, index="id")
    es.add_dataframe(dataframe_name="sessions", dataframe=sessions, index="id")

    es.add_relationship("sessions", "id", "transactions", "session_id")
    return es


es = default_value_es()
rel = save_es(es, "default_value")
fd = dfs(es, "sessions", agg_primitives=AGG_ALL, trans_primitives=["is_null"], max_depth=2)
shape_case("s_default_value_sessions", es, rel, "sessions", fd)
shape_case("s_default_value_sessions_cutoffs", es, rel, "sessions", fd,
           cutoff=repeated_cutoffs(["a", "b"], 31, unknown="c"))
fd = dfs(es, "transactions", agg_primitives=AGG_ALL, trans_primitives=["is_null", "equal"],
         max_depth=2)
shape_case("s_default_value_transactions_by_sessions", es, rel, "transactions", fd, by="sessions")
shape_case("s_default_value_transactions_by_sessions_cutoffs", es, rel, "transactions", fd,
           by="sessions", cutoff=repeated_cutoffs([1, 2, 3, 4], 32))


# ---------------------------------------------------------------------------------------------
# random shapes
# ---------------------------------------------------------------------------------------------
N_RANDOM = 32  # random entity sets, one case each
KINDS = ["chain", "fanout", "diamond", "triangle", "siblings", "lookup", "multirel", "island",
         "random"]


def topology(kind, rng):
    """(number of dataframes, relationships as (parent, child) index pairs, parent < child; a
    pair repeated means several relationships between the two, roles: {name: dataframe})"""
    roles = {}
    if kind == "chain":
        n = int(rng.integers(2, 6))
        rels = [(i - 1, i) for i in range(1, n)]
    elif kind == "fanout":
        m = int(rng.integers(2, 5))
        rels = [(0, i) for i in range(1, m + 1)]
        n = m + 1
        for _ in range(int(rng.integers(0, 3))):  # grandchildren
            rels.append((int(rng.integers(1, n)), n))
            n += 1
    elif kind == "diamond":  # 0 <- 1, 0 <- 2, 1 <- 3, 2 <- 3 (+ a parent above 0 or a child below 3)
        rels = [(0, 1), (0, 2), (1, 3), (2, 3)]
        n = 4
        if rng.random() < 0.5:
            rels.append((3, 4))
            n = 5
        if rng.random() < 0.5:  # a root above the top, as dataframe n
            rels.append((n, 0))
            n += 1
    elif kind == "triangle":  # 0 <- 1 <- 2 and 0 <- 2
        rels = [(0, 1), (1, 2), (0, 2)]
        n = 3
        if rng.random() < 0.5:
            rels.append((2, 3))
            n = 4
    elif kind == "siblings":  # 0 ancestor; 1 split, 2 sibling under 0; 3 below the sibling; 4 below 1
        rels = [(0, 1), (0, 2), (2, 3), (1, 4)]
        n = 5
        if rng.random() < 0.5:
            rels.append((0, 5))  # a second sibling
            n = 6
        roles = {"split": 1}
    elif kind == "lookup":  # 0 split <- 1 events -> 2 lookup (-> 3 its parent)
        rels = [(0, 1), (2, 1)]
        n = 3
        if rng.random() < 0.6:
            rels.append((3, 2))
            n = 4
        if rng.random() < 0.5:
            rels.append((n, 0))  # a parent of the split dataframe
            n += 1
        roles = {"split": 0}
    elif kind == "multirel":  # 0 <- 1 through two or three foreign keys
        k = int(rng.integers(2, 4))
        rels = [(0, 1)] * k
        n = 2
        if rng.random() < 0.6:
            rels.append((1, 2))
            n = 3
        if rng.random() < 0.5:
            rels.append((n, 0))
            n += 1
    elif kind == "island":  # 0 <- 1 (<- 2); an island n (with a child)
        rels = [(0, 1)]
        n = 2
        if rng.random() < 0.6:
            rels.append((1, 2))
            n = 3
        roles = {"island": n}
        if rng.random() < 0.6:
            rels.append((n, n + 1))
            n += 2
        else:
            n += 1
    else:  # random DAG: each dataframe has 0, 1 or 2 parents among the earlier ones
        n = int(rng.integers(3, 7))
        rels = []
        for j in range(1, n):
            k = rng.choice([0, 1, 1, 1, 2], 1)[0]
            for p in rng.choice(j, size=min(int(k), j), replace=False):
                rels.append((int(p), j))
                if rng.random() < 0.15:
                    rels.append((int(p), j))
    # parents must come first: relabel so that every parent has a smaller index than its children
    order, seen = [], set()

    def visit(i):
        if i in seen:
            return
        seen.add(i)
        for p, c in rels:
            if c == i:
                visit(p)
        order.append(i)
    for i in range(n):
        visit(i)
    pos = {old: new for new, old in enumerate(order)}
    rels = [(pos[p], pos[c]) for p, c in rels]
    roles = {k: pos[v] for k, v in roles.items()}
    return n, rels, roles


WORDS = ["alpha", "beta", "gamma", "delta", "x", "y-z", "ok!", "12", "3.5", "naïve"]
ORDERS = [["low", "mid", "high"], ["s", "m", "l", "xl"], ["c", "b", "a"]]
COLORS = ["red", "green", "blue", "amber", "teal", "plum"]


def value_column(rng, n, kind, base):
    """Values and logical type of a random column."""
    if kind == "double":
        v = np.round(rng.normal(0, 10, n), 2)
        v[rng.random(n) < 0.15] = NAN
        return v, Double
    if kind == "integer":
        return rng.integers(-5, 20, n), Integer
    if kind == "intnull":
        v = pd.array(rng.integers(0, 9, n), dtype="Int64")
        v[rng.random(n) < 0.2] = pd.NA
        return v, IntegerNullable
    if kind == "bool":
        return rng.random(n) < 0.4, Boolean
    if kind == "boolnull":
        v = pd.array(rng.random(n) < 0.5, dtype="boolean")
        v[rng.random(n) < 0.25] = pd.NA
        return v, BooleanNullable
    if kind == "cat":
        k = int(rng.integers(2, 6))
        v = rng.choice(COLORS[:k], n).astype(object)
        v[rng.random(n) < 0.1] = NAN
        return v, Categorical
    if kind == "ordinal":
        order = ORDERS[int(rng.integers(len(ORDERS)))]
        v = rng.choice(order, n).astype(object)
        v[rng.random(n) < 0.1] = NAN
        return v, Ordinal(order=order)
    if kind == "datetime":
        v = pd.Series(base + pd.to_timedelta(rng.integers(0, 400, n), unit="D")
                      + pd.to_timedelta(rng.integers(0, 24 * 60, n), unit="min"))
        v[rng.random(n) < 0.1] = pd.NaT
        return v.to_numpy(), Datetime
    if kind == "text":
        v = np.array([" ".join(rng.choice(WORDS, int(rng.integers(1, 5)))) for _ in range(n)],
                     dtype=object)
        v[rng.random(n) < 0.1] = NAN
        return v, NaturalLanguage
    raise ValueError(kind)


VALUE_KINDS = ["double", "double", "integer", "intnull", "bool", "boolnull", "cat", "cat",
               "ordinal", "datetime", "text"]


def random_es(name, seed):
    """A random entity set; returns (es, info) where info tells the case how it was built."""
    rng = np.random.default_rng(seed)
    kind = KINDS[seed % len(KINDS)]
    n_df, rels, roles = topology(kind, rng)
    names = [f"d{i}" for i in range(n_df)]
    if "island" in roles:
        names[roles["island"]] = "island"
    # time: mostly datetime, some numeric (integer or float), some entity sets without any
    time_kind = rng.choice(["datetime"] * 6 + ["int", "float", "none"])
    base = T("2021-03-01")
    span_min = 60 * 24 * int(rng.integers(3, 60))
    gran = int(rng.choice([1, 15, 60, 60 * 24]))
    children = {i: [c for p, c in rels if p == i] for i in range(n_df)}
    leaves = [i for i in range(n_df) if not children[i] and any(c == i for _, c in rels)]
    empty = int(rng.choice(leaves)) if leaves and rng.random() < 0.35 else None
    frames, info = {}, dict(kind=kind, time_kind=time_kind, base=base, span_min=span_min,
                            names=names, rels=rels, roles=roles, empty=empty)
    es = ft.EntitySet(name)
    for i in range(n_df):
        nm = names[i]
        parents_rels = [p for p, c in rels if c == i]
        if i == empty:
            n = 0
        elif not parents_rels:
            n = int(rng.integers(1, 16))
        else:
            n = int(rng.integers(0, 61)) if rng.random() < 0.2 else int(rng.integers(3, 31))
        string_index = rng.random() < 0.3
        ids = rng.choice(np.arange(1, 5 * n + 10), n, replace=False)
        idx = f"{nm}_id"
        cols = {idx: ([f"k{v:03d}" for v in ids] if string_index else ids)}
        lt = {idx: Categorical if string_index else Integer}
        # foreign keys (a second relationship to the same parent gets another column)
        seen_parent = {}
        for p in parents_rels:
            pnm = names[p]
            k = seen_parent.get(p, 0)
            seen_parent[p] = k + 1
            col = f"{pnm}_id" if k == 0 else f"{pnm}_id_{'abc'[k]}"
            pdf = frames[pnm]
            pidx = pdf[f"{pnm}_id"]
            p_string = es[pnm].ww.logical_types[f"{pnm}_id"].__class__ is Categorical
            if len(pidx):
                w = rng.dirichlet(np.ones(len(pidx)) * 0.7)
                fk = rng.choice(pidx.to_numpy(), n, p=w).astype(object)
            else:
                fk = np.array([None] * n, dtype=object)
            dangling = rng.random() < 0.3
            for j in range(n):
                if fk[j] is None or (dangling and rng.random() < 0.12):
                    fk[j] = f"zz{j % 3}" if p_string else 100000 + j % 3
            if p_string and rng.random() < 0.4:  # null keys (woodwork keeps NaN in a category)
                fk[rng.random(n) < 0.12] = NAN
            cols[col] = fk if p_string else fk.astype(np.int64)
            lt[col] = Categorical if p_string else Integer
        # time index
        ti = None
        if time_kind != "none" and rng.random() < 0.75:
            ti = f"{nm}_time"
            steps = rng.integers(0, span_min // gran + 1, n)
            if time_kind == "datetime":
                cols[ti] = (base + pd.to_timedelta(steps * gran, unit="min")).to_numpy()
                lt[ti] = Datetime
            elif time_kind == "int":
                cols[ti] = rng.integers(0, 200, n)
                lt[ti] = Integer
            else:
                cols[ti] = np.round(rng.uniform(0, 200, n), 1)
                lt[ti] = Double
        # value columns
        tags = {}
        for c, vk in enumerate(rng.choice(VALUE_KINDS, int(rng.choice([1, 2, 2, 3])))):
            v, t = value_column(rng, n, vk, base)
            cols[f"{vk}{c}"] = v
            lt[f"{vk}{c}"] = t
        if time_kind == "datetime" and rng.random() < 0.2:
            v, t = value_column(rng, n, "datetime", T("1960-01-01"))
            cols["birth"], lt["birth"] = v, t
            tags["birth"] = "date_of_birth"
        if rng.random() < 0.12:
            for c in ("here", "there"):
                lat, lon = np.round(rng.uniform(-60, 60, n), 3), np.round(rng.uniform(-170, 170, n), 3)
                cols[c] = [NAN if rng.random() < 0.1 else (a, b) for a, b in zip(lat, lon)]
                lt[c] = LatLong
        df = pd.DataFrame(cols)
        for c, t in lt.items():  # empty frames: give the columns their dtypes
            if len(df) == 0 and t in (Integer,):
                df[c] = df[c].astype("int64")
        es.add_dataframe(df, nm, index=idx, time_index=ti, logical_types=lt, semantic_tags=tags)
        frames[nm] = es[nm]
    seen = {}
    for p, c in rels:
        k = seen.get((p, c), 0)
        seen[(p, c)] = k + 1
        col = f"{names[p]}_id" if k == 0 else f"{names[p]}_id_{'abc'[k]}"
        es.add_relationship(names[p], f"{names[p]}_id", names[c], col)
    return es, info


def ancestors(rels, i):
    out, todo = set(), [i]
    while todo:
        j = todo.pop()
        for p, c in rels:
            if c == j and p not in out:
                out.add(p)
                todo.append(p)
    return out


def random_cutoff(es, target, rng, kind, info):
    idx = es[target].ww.index
    ids = es[target][idx].tolist()
    tk = info["time_kind"]
    span = info["span_min"]

    def at(frac):
        if tk == "datetime":
            return (info["base"] + pd.Timedelta(minutes=float(frac * span))).floor("min")
        if tk == "int":
            return int(round(frac * 200))
        if tk == "float":
            return round(frac * 200, 1)
        return NO_TIME_CT[int(frac * 10) % 4]
    if kind == "one":
        return pd.DataFrame({idx: ids, "time": [at(float(rng.uniform(0.3, 0.9)))] * len(ids)})
    all_ids = ids + list(rng.choice(ids, max(1, len(ids) // 3)))
    rng.shuffle(all_ids)
    if rng.random() < 0.3:
        all_ids.append("nobody" if isinstance(ids[0], str) else 999999)
    times = [at(f) for f in rng.uniform(-0.05, 1.1, len(all_ids))]
    # some cutoffs exactly on event times
    events = [d[d.ww.time_index] for d in es.dataframes if d.ww.time_index and len(d)]
    if events and tk != "none":
        ev = pd.concat(events).tolist()
        for j in rng.choice(len(times), min(3, len(times)), replace=False):
            times[j] = ev[int(rng.integers(len(ev)))]
    ct = pd.DataFrame({idx: all_ids, "time": times}).drop_duplicates([idx, "time"])
    ct["label"] = rng.integers(0, 3, len(ct))
    if rng.random() < 0.4:
        ct["group"] = rng.choice(["g0", "g1"], len(ct))
    return ct


SCALARS = [lambda: GreaterThanScalar(value=0), lambda: LessThanScalar(value=5),
           lambda: GreaterThanEqualToScalar(value=2.5), lambda: LessThanEqualToScalar(value=-1)]


def random_case(seed):
    name_es = f"s_rand_{seed:02d}"
    es, info = random_es(name_es[2:], seed)
    rng = np.random.default_rng(1000 + seed)
    names, rels, roles = info["names"], info["rels"], info["roles"]
    n_df = len(names)
    if info["time_kind"] != "none" and rng.random() < 0.35:
        es.add_last_time_indexes()
    rel = save_es(es, name_es[2:])
    # target and split dataframe
    linked = {i for r in rels for i in r}
    nonempty = [i for i in range(n_df) if len(es[names[i]]) and names[i] != "island"
                and i in linked]
    if "split" in roles:
        below = [c for p, c in rels if p == roles["split"] and len(es[names[c]])]
        t = int(rng.choice([roles["split"]] + below))
        b = roles["split"] if t != roles["split"] else int(rng.choice(
            [roles["split"]] + sorted(ancestors(rels, t))))
    else:
        t = int(rng.choice(nonempty))
        b = int(rng.choice([t] + sorted(ancestors(rels, t))))
    target, by = names[t], names[b]
    # features
    aggs = list(rng.choice(AGG_ALL, int(rng.integers(3, 9)), replace=False))
    if "count" not in aggs and rng.random() < 0.7:
        aggs.append("count")
    trans = list(rng.choice(TRANS_DATETIME + TRANS_OTHER + TRANS_BINARY + ["age"],
                            int(rng.integers(0, 6)), replace=False))
    if rng.random() < 0.4:
        trans.append(SCALARS[int(rng.integers(len(SCALARS)))]())
    depth = int(rng.choice([2, 2, 3])) if n_df <= 5 else 2
    kw = dict(agg_primitives=aggs, trans_primitives=trans, max_depth=depth)
    where_note = ""
    if rng.random() < 0.35:  # where clauses on interesting values of some other dataframe
        cand = [(names[i], c) for i in range(n_df) if i != t and len(es[names[i]])
                for c in es[names[i]].columns
                if c.startswith(("cat", "bool", "ordinal")) and not c.startswith("boolnull")]
        if cand:
            dnm, col = cand[int(rng.integers(len(cand)))]
            vals = [py(v) for v in pd.unique(es[dnm][col].dropna())][:2]
            if vals:
                es.add_interesting_values(dataframe_name=dnm, values={col: vals})
                kw["where_primitives"] = [a for a in aggs if a in ("count", "sum", "mean", "max",
                                                                   "num_unique", "mode")] or ["count"]
                where_note = f" where {dnm}.{col}"
    fd = pick(es, target, 2000 + seed, 7, 5, **kw)
    # explicit features: a where clause on a scalar comparison, from a child with one relationship
    kids = [c for p, c in rels if p == t and rels.count((p, c)) == 1 and len(es[names[c]])]
    if kids and rng.random() < 0.6:
        ch = names[int(rng.choice(kids))]
        cats = [c for c in es[ch].columns if c.startswith("cat")]
        nums = [c for c in es[ch].columns if c.startswith(("double", "integer"))]
        cid = idf(es, ch, es[ch].ww.index)
        if cats:
            v = [py(x) for x in pd.unique(es[ch][cats[0]].dropna())]
            if len(v):
                w = ft.Feature(idf(es, ch, cats[0]), primitive=EqualScalar(value=v[0]))
                fd.append(agg(cid, target, Count, where=w))
                fd.append(agg(idf(es, ch, cats[0]), target, NumUnique,
                              where=ft.Feature(idf(es, ch, cats[0]), primitive=NotEqualScalar(value=v[0]))))
        if nums:
            w = ft.Feature(idf(es, ch, nums[0]), primitive=GreaterThanScalar(value=1))
            fd.append(agg(idf(es, ch, nums[0]), target, Sum, where=w))
            fd.append(agg(idf(es, ch, nums[0]), target, Median))
    # cutoffs
    ckind = ["none", "one", "per"][seed % 3]
    ct = None if ckind == "none" else random_cutoff(es, target, rng, ckind, info)
    opts = {}
    if ct is not None:
        if info["time_kind"] == "datetime" and rng.random() < 0.6:
            opts["training_window"] = str(rng.choice(["1 hour", "12 hours", "2 days", "7 days",
                                                      "30 days"]))
        if rng.random() < 0.25:
            opts["include_cutoff_time"] = False
        if rng.random() < 0.2:
            opts["cutoff_time_in_index"] = True
    name = f"{name_es}_{info['kind']}"
    desc = (f"  {name}: {n_df} dataframes, rels {rels}, time {info['time_kind']}, empty "
            f"{info['empty']}, target {target}, by {by}, depth {depth}, cutoff {ckind}{where_note}"
            f" {opts}")
    if ftcase.wanted(name):
        print(desc, flush=True)
    shape_case(name, es, rel, target, fd, by=by, cutoff=ct, **opts)


for seed in range(N_RANDOM):
    random_case(seed)

if TIE_DROPS:
    print("features left out because they depend on sort ties:",
          {k: len(v) for k, v in TIE_DROPS.items()})
if REFUSED:
    print("features featuretools fails to compute (left out):",
          {k: len(v) for k, v in REFUSED.items()})
print(f"{len(WRITTEN)} cases written")
ftcase.finish()
