"""Generate conformance cases that test every featuretools 1.31 primitive: all rows of
`ft.list_primitives()` (65 aggregation, 138 transform), one primitive per case, so that a failing
case names the primitive that fails.

Usage: python generate_primitives.py OUT_DIR [CASE ...]
    (only the named cases when given; a CASE may be a glob such as 'a_mean_*'; -j N runs N worker
    processes, default 2). Run it in a venv made from requirements.txt (featuretools==1.31.0
    pandas==2.2.3 numpy==1.26.4 pyarrow==17.0.0).

It writes OUT_DIR/entitysets/<es>/ and OUT_DIR/cases/<case>/ in the format of the shape fixtures
(see generate_shapes.py and ftcase.py), plus OUT_DIR/primitives.json (the manifest: one entry per
primitive with its class, module, cases, constructor arguments as saved in features.json, the
features left out and notes) and OUT_DIR/README.md. Case names:

  a_<prim>_ecom_sessions          ecommerce, target sessions, by customers, DFS depth 3
  a_<prim>_ecom_customers_window  ecommerce, target customers, by customers, depth 2, training
                                  window
  a_<prim>_mock                   mock customer data, target customers, by customers, depth 2
  a_<prim>_edge                   a synthetic parent/child set full of edge cases, with non-default
                                  constructor arguments and use_previous
  t_<prim>_ecom_log               ecommerce, target log, by customers, depth 2
  t_<prim>_ecom_customers         ecommerce, target customers, by customers, depth 1
  t_<prim>_extra                  a synthetic dataframe with every logical type a transform reads,
                                  with non-default constructor arguments
  g_<prim>_mock                   group-by transform: mock customer data, target transactions,
                                  by customers, DFS groupby_trans_primitives=[prim], depth 1
  m_<name>                        aggregations of transforms (two primitives), by customers

Each case holds the identity (and direct identity) features DFS gives plus features that use only
its primitive (stacked on itself and carried by direct features). All cases have per-instance
cutoff times with repeated ids, so nothing depends on the day the script runs. Before a case is
written, the features featuretools fails to compute, those whose value depends on the order of sort
ties and those whose value changes when computed on the entity set read back from disk with the
features read back from features.json are left out, and recorded in the manifest.
"""
import sys
import ftcase  # first: re-executes this script with PYTHONHASHSEED=0 (see ftcase.py)
from ftcase import NAN, T, save_es, idf, agg, dfs
import fnmatch, json, multiprocessing, os, re, shutil, time, zlib
import numpy as np, pandas as pd
import featuretools as ft
from featuretools.feature_base.feature_base import _ES_REF
from featuretools.feature_base import AggregationFeature, TransformFeature
from featuretools.primitives.utils import get_aggregation_primitives, get_transform_primitives
from featuretools.tests.testing_utils import make_ecommerce_entityset
from woodwork.logical_types import (URL, Boolean, BooleanNullable, Categorical, Datetime, Double,
                                    EmailAddress, Filepath, Integer, IntegerNullable, LatLong,
                                    NaturalLanguage, Ordinal, PersonFullName, PostalCode)

T0 = time.time()
ARGS = sys.argv[1:]
JOBS_N = 2
if "-j" in ARGS:
    i = ARGS.index("-j")
    JOBS_N = int(ARGS[i + 1])
    del ARGS[i:i + 2]
OUT = ARGS[0]
PATTERNS = ARGS[1:]
ftcase.setup(OUT)  # the case filter is set below, once the case names are known

AGG = dict(get_aggregation_primitives())
TRANS = dict(get_transform_primitives())
LISTED = ft.list_primitives()
assert len(LISTED) == 203 and set(LISTED.name) == set(AGG) | set(TRANS)
AGG_NAMES = sorted(LISTED[LISTED.type == "aggregation"].name)
TRANS_NAMES = sorted(LISTED[LISTED.type == "transform"].name)

MAX_COLS = 40      # feature columns per case at most
MAX_PLAIN = 6      # of which identity / direct identity features at most


def seed_of(name):
    return zlib.crc32(name.encode())


# ---------------------------------------------------------------------------------------------
# feature lists
# ---------------------------------------------------------------------------------------------
def all_deps(f):
    return [f] + f.get_dependencies(deep=True)


def prims_of(f):
    """Class names of the primitives F uses."""
    return {type(g.primitive).__name__ for g in all_deps(f)
            if isinstance(g, (AggregationFeature, TransformFeature))}


def cap(features, max_cols=MAX_COLS, max_plain=MAX_PLAIN, first=()):
    """DFS order; the first MAX_PLAIN features without a primitive, then features with one (the
    explicit ones in FIRST before DFS's), up to MAX_COLS columns in all; repeated names dropped."""
    seen, plain, rest = set(), [], []
    for f in list(first) + list(features):
        n = f.get_name()
        if n in seen:
            continue
        seen.add(n)
        (rest if prims_of(f) else plain).append(f)
    plain = plain[:max_plain]
    cols = sum(f.number_output_features for f in plain)
    out = list(plain)
    for f in rest:
        if cols + f.number_output_features > max_cols:
            continue
        out.append(f)
        cols += f.number_output_features
    return out


def with_prim(features):
    return [f for f in features if prims_of(f)]


def snap_cutoffs(es, target, seed, times, dup_frac=0.3, ids=None, extra_ids=(), all_at=None):
    """ftcase.per_instance_cutoffs (ids in random order, some repeated) with the times replaced by
    a seeded choice among TIMES (a few instants where something happens: on an event, between
    events, before and after all of them), so that each case computes few distinct cutoff times.
    IDS: take only these instance ids; EXTRA_IDS: ids not in the data, added once each; ALL_AT:
    also every instance at this time."""
    ct = ftcase.per_instance_cutoffs(es, target, seed, dup_frac=dup_frac)
    idx = es[target].ww.index
    if ids is not None:
        rng = np.random.default_rng(seed + 1)
        keep = list(ids) + list(rng.choice(list(ids), max(1, int(len(ids) * dup_frac))))
        rng.shuffle(keep)
        ct = pd.DataFrame({idx: keep, "time": ct["time"].iloc[0], "label": 0})
        ct["label"] = rng.integers(0, 2, len(ct))
    if len(extra_ids):
        ct = pd.concat([ct, pd.DataFrame({idx: list(extra_ids), "time": ct["time"].iloc[0],
                                          "label": 1})], ignore_index=True)
    rng = np.random.default_rng(seed + 2)
    ct["time"] = [times[int(i)] for i in rng.integers(0, len(times), len(ct))]
    # every time used at least once when there are enough rows
    for j, t in enumerate(times[:len(ct)]):
        ct.loc[ct.index[j], "time"] = t
    if all_at is not None:
        ids_all = es[target][idx].tolist()
        ct = pd.concat([ct, pd.DataFrame({idx: ids_all, "time": all_at,
                                          "label": rng.integers(0, 2, len(ids_all))})],
                       ignore_index=True)
    ct = ct.drop_duplicates([idx, "time"]).reset_index(drop=True)
    return ct


# ---------------------------------------------------------------------------------------------
# entity sets
# ---------------------------------------------------------------------------------------------
ES, ES_REL, PRISTINE = {}, {}, {}


def snapshot(es):
    """The data of ES as text (to check that computing features does not change it)."""
    return "".join(f"{df.ww.name}\n{df.dtypes.to_dict()}\n{df.to_csv()}" for df in es.dataframes)


def register(key, es):
    ES[key] = es
    ES_REL[key] = save_es(es, key)
    PRISTINE[key] = snapshot(es)


# featuretools' ecommerce entity set (featuretools/tests/testing_utils/mock_ds.py):
#   régions <- stores;  régions <- customers <- sessions <- log -> products;  cohorts <- customers
# log events: 2011-04-09 10:30:00 ... 10:40:00 and 2011-04-10 10:40:00 ... 11:10:03.
# With last time indexes (es.add_last_time_indexes()): a training window also filters the target
# dataframe, by its time index or by its last time index when it has one; the customers signed up
# days before the events, so without last time indexes a window of hours would leave no customer
# in the window-cases. Last time indexes change nothing without a training window. (Features find
# their entity set by its id, so there is one ecommerce entity set, not one with and one without.)
_es = make_ecommerce_entityset()
_es.add_last_time_indexes()
register("ecom", _es)
ECOM_TIMES = [T("2011-04-09 10:30:12"),  # on an event of session 0
              T("2011-04-09 10:35:00"),  # after sessions 0 and 1
              T("2011-04-10 10:40:01"),  # on an event, day 2
              T("2011-04-10 10:41:03"),  # on an event, day 2
              T("2011-04-10 11:10:03"),  # the last event
              T("2011-04-11 00:00:00")]  # after everything
ECOM_WINDOW = "2 hours"  # keeps the customers active in the window, drops the other day's events

# ft.demo.load_mock_customer(return_entityset=True, random_seed=0) (with last time indexes):
#   customers <- sessions <- transactions -> products; transactions 2014-01-01 00:00 ... 09:00:35
register("mock", ft.demo.load_mock_customer(return_entityset=True, random_seed=0))
MOCK_TIMES = [T("2011-06-01"),           # before customers 3 and 2 joined
              T("2014-01-01 01:10:25"),  # on a transaction
              T("2014-01-01 03:30:00"),
              T("2014-01-01 06:00:00"),
              T("2014-01-01 09:00:35"),  # the last transaction
              T("2014-01-02")]


def edge_es():
    """groups <- items: groups with no children (5, 8), with all-NaN values (3), a single child (4),
    all negative or zero (6), children only late (7); ties in values and in the time index, items
    whose group does not exist (99); Integer / IntegerNullable / Double / Boolean /
    BooleanNullable / Categorical / Ordinal / Datetime columns."""
    groups = pd.DataFrame({
        "id": [1, 2, 3, 4, 5, 6, 7, 8],
        "since": [T("2020-01-01")] * 6 + [T("2020-01-05"), T("2020-01-20")],
        "kind": ["a", "b", "a", None, "b", "a", "c", "c"],
    })
    I = []  # (group, time, i_int, i_null, x, flag, flag_null, cat, ord, when)
    NA = pd.NA
    d = T("2020-01-02")
    # group 1: mixed values, a tie in time, NaN in the middle
    for k, (dt, ii, inl, x, fl, fn, c, o, w) in enumerate([
            ("0h", -2, 1, -3.5, True, True, "red", "lo", "2020-02-29 10:00"),
            ("6h", 0, NA, 0.0, False, NA, "red", "mid", "2020-12-31 23:59"),
            ("1d", 3, 4, 2.0, True, False, "blue", "hi", "2019-12-31 08:00"),
            ("1d", 3, 4, 2.0, True, True, None, "hi", None),
            ("2d", 5, 0, 7.25, False, False, "green", None, "2020-03-01"),
            ("2d 1h", 1, -3, NAN, True, True, "blue", "lo", "2020-01-07"),
            ("3d", 8, 2, 1000.0, True, NA, "red", "mid", "2020-01-13"),
            ("4d", -1, 2, -0.5, False, False, "blue", "lo", "2020-06-15 12:30"),
            ("5d", 4, 9, 4.0, False, True, "red", "mid", "2021-01-01"),
            ("6d", 4, 9, 4.0, True, True, "green", "hi", "2020-01-14")]):
        I.append((1, d + pd.Timedelta(dt), ii, inl, x, fl, fn, c, o, w))
    # group 2: all rows at one time, ties in values
    for ii, inl, x, fl, fn, c, o, w in [
            (1, 1, 1.0, True, True, "red", "lo", "2020-01-01"),
            (1, 1, 1.0, False, False, "blue", "lo", "2020-01-01"),
            (2, NA, 2.0, True, NA, "red", "mid", "2020-01-08"),
            (2, 2, 2.0, False, True, "blue", "mid", "2020-01-08"),
            (3, 3, NAN, True, False, None, "hi", None),
            (0, 0, 3.0, False, NA, "green", "hi", "2020-02-02")]:
        I.append((2, T("2020-01-03 12:00"), ii, inl, x, fl, fn, c, o, w))
    # group 3: values all missing (and zero integers, False booleans)
    for h in range(4):
        I.append((3, d + pd.Timedelta(hours=12 * h), 0, NA, NAN, False, NA, None, None, None))
    # group 4: a single row
    I.append((4, T("2020-01-04 09:00"), 7, 5, 3.5, True, False, "green", "mid", "2020-05-05"))
    # group 6: negative and zero values, booleans all True
    for k, (ii, inl, x, fn) in enumerate([(-1, -1, -1.0, True), (-2, NA, -2.0, True),
                                          (0, 0, 0.0, NA), (-4, -4, -4.0, True),
                                          (-4, -4, -4.0, True)]):
        I.append((6, d + pd.Timedelta(days=k, hours=3), ii, inl, x, True, fn, "red", "lo",
                  f"2020-0{k + 1}-28"))
    # group 7: only late children
    for k in range(5):
        I.append((7, T("2020-01-08") + pd.Timedelta(days=k), k + 1, k, 0.5 * k + 1,
                  k % 2 == 0, [True, False, NA, True, False][k], ["red", "blue"][k % 2],
                  ["lo", "hi"][k % 2], f"2020-01-{10 + 3 * k:02d}"))
    # items of a group that does not exist
    I.append((99, T("2020-01-03"), 9, 9, 9.0, True, True, "red", "hi", "2020-01-03"))
    I.append((99, T("2020-01-06"), -9, NA, -9.0, False, False, "blue", "lo", None))
    cols = list(zip(*I))
    items = pd.DataFrame({
        "id": range(1, len(I) + 1),
        "group_id": cols[0],
        "t": pd.to_datetime(list(cols[1])),
        "i_int": np.array(cols[2], dtype="int64"),
        "i_null": pd.array(list(cols[3]), dtype="Int64"),
        "x": np.array(cols[4], dtype="float64"),
        "flag": np.array(cols[5], dtype=bool),
        "flag_null": pd.array(list(cols[6]), dtype="boolean"),
        "cat": pd.Series(list(cols[7]), dtype=object),
        "ord": pd.Series(list(cols[8]), dtype=object),
        "when": pd.to_datetime(pd.Series(list(cols[9]), dtype=object), format="ISO8601"),
    })
    es = ft.EntitySet("edge")
    es.add_dataframe(groups, "groups", index="id", time_index="since",
                     logical_types={"id": Integer, "kind": Categorical})
    es.add_dataframe(items, "items", index="id", time_index="t", logical_types={
        "id": Integer, "group_id": Integer, "t": Datetime, "i_int": Integer,
        "i_null": IntegerNullable, "x": Double, "flag": Boolean, "flag_null": BooleanNullable,
        "cat": Categorical, "ord": Ordinal(order=["lo", "mid", "hi"]), "when": Datetime})
    es.add_relationship("groups", "id", "items", "group_id")
    return es


register("edge", edge_es())
EDGE_TIMES = [T("2019-12-31"),            # before every item
              T("2020-01-03 12:00"),      # exactly on group 2's tied times
              T("2020-01-06"),
              T("2020-01-09 00:00"),      # on an item of group 7
              T("2020-02-01")]            # after every item
EDGE_PREVIOUS = "2 days"


def extra_es():
    """One dataframe, `things`, with every logical type a transform primitive reads: EmailAddress,
    URL, Filepath, PersonFullName, PostalCode, LatLong, NaturalLanguage (unicode, hashtags,
    mentions, quotes, punctuation, upper case), Datetime (leap days, year and quarter ends,
    holidays, NaT, a date of birth), numbers (negative, zero, NaN), booleans with and without
    nulls, categories and ordinals. Time index `t` with equal times."""
    rows = [
        # t, d, birth, n, k, kn, b, bn, c, o, email, url, path, name, zip, loc, loc2, text
        ("2019-12-30 09:15", "2016-02-29 00:00", "1980-02-29", 1.5, 3, 1, True, True, "red",
         "low", "alice@gmail.com", "https://www.example.com/a/b?q=1", "/home/u/report.PDF",
         "Dr. Alice Smith", "02139", (42.36, -71.06), (40.71, -74.0),
         "The cat sat on the mat. #cats @bob \"so cute\""),
        ("2019-12-31 23:59:59", "1999-12-31 23:59:59", "1990-06-15", -2.0, -1, None, False,
         False, "blue", "mid", "bob.jones@yahoo.com", "http://sub.domain.co.uk/path",
         "C:\\Users\\bob\\data.tar.gz", "Jones, Bob", "10001-1234", (51.5, -0.12),
         (48.85, 2.35), "Hello, World!! It's   a TEST... #Hello #World"),
        ("2020-01-01 00:00", "2000-01-01", "2001-01-01", 0.0, 0, 0, True, None, None, "high",
         "carol@company.org", "ftp://files.example.net", "archive.zip", "Carol", "94105",
         (37.77, -122.42), (37.77, -122.42),
         "Naïve café — déjà vu? «quoted» 'single quotes'"),
        ("2020-01-01 00:00", "2020-07-04 12:00", "1975-12-31", 10.0, 7, 5, False, True, "red",
         "low", "DAVE@HOTMAIL.COM", "www.shop.com", ".bashrc", "Mr. Dave O'Neil Jr.", "60091",
         (-33.87, 151.21), (35.68, 139.69), "@alice @carol: meet at 12:30?  The THE the"),
        ("2020-01-03 12:00", None, None, NAN, 2, None, True, False, "green", None, None, None,
         None, None, None, NAN, NAN, None),
        ("2020-02-28 08:00", "2020-11-26 10:00", "1960-03-01", 3.25, 12, 2, False, None, "blue",
         "mid", "eve@outlook.com", "https://EXAMPLE.org", "/tmp/noext", "Ms. Eve Adams",
         "13244", (0.0, 0.0), (0.0, 0.0), "\"Double quoted words here\" and more"),
        ("2020-02-29 13:00", "2020-12-25 00:00", "2004-02-29", -7.5, -3, -3, True, True, "red",
         "high", "frank@gmail.com", "http://localhost:8080/x", "./rel/path/img.jpeg",
         "Frank", "99501", (64.2, -149.5), (61.2, -149.9), "ALL CAPS SENTENCE HERE!"),
        ("2020-03-01 00:00", "2021-01-01 00:00", "1999-01-01", 1e6, 100, 100, False, False,
         "green", "low", "grace@protonmail.com", "https://a.b.c.example.com/", "music.mp3",
         "Grace Hopper", "00501", (10.5, 20.25), (-10.5, -20.25), "one"),
        ("2020-03-31 18:00", "2019-01-21 09:00", "1985-07-04", 0.001, 1, 1, True, None, "blue",
         "mid", "heidi@yahoo.co.uk", "https://www.example.com", "doc.tar", "Heidi Klum",
         "30301", (33.75, -84.39), (33.75, -84.39), "   "),
        ("2020-04-01 08:00", "2020-05-25 17:00", "2010-10-10", -0.001, -100, None, False, True,
         None, "high", "ivan@mail.ru", "http://xn--bcher-kva.example", "a.b.c.d",
         "Prof. Ivan Petrov", "75001", (55.75, 37.62), (59.93, 30.36),
         "Line one\nLine two\tTabbed; semi; colons, commas."),
        ("2020-05-02 12:30", "2020-09-07 08:00", "1970-01-01", 2.5, 5, 4, True, False, "red",
         "low", "judy@gmail.com", "https://docs.example.com/guide#intro", "/var/log/syslog",
         "Judy", "02134-0001", (47.6, -122.33), (45.52, -122.68),
         "#one#two @three@four 'it''s' \"a\" \"b c\""),
        ("2020-05-03 12:59", "2020-10-12 12:00", "1995-05-05", 2.5, 5, 4, False, True, "green",
         "mid", None, "http://example.com", "index.HTML", "Karl Marx", "10115",
         (52.52, 13.4), (48.14, 11.58), "the the the"),
        ("2020-06-30 23:00", "2020-11-11 11:11", "1988-08-08", -2.0, 0, 0, True, None, "blue",
         "high", "leo@icloud.com", None, "photo.PNG", "Sir Leo Tolstoy", "94110",
         (-23.55, -46.63), (-22.91, -43.17), "Emoji 😀 test 🎉 ok"),
        ("2020-07-04 12:00", "2020-01-20 10:00", "2000-02-29", 4.0, 9, None, False, False, "red",
         "low", "mia@gmail.com", "https://example.com:443/p", "file.", "Mia Wong",
         "97201", (45.5, -122.6), (45.5, -122.6), "Independence day! Fireworks."),
        ("2020-07-04 12:00", "2020-02-17 00:00", "1955-11-05", 4.0, 9, 9, True, True, "green",
         "mid", "nick@aol.com", "http://www.a.io", "~/notes.txt", "Nick", "33101",
         (25.76, -80.19), (26.12, -80.14), "? ! . , ;"),
        ("2020-09-30 09:00", "2020-09-30 09:00", "1992-12-25", 8.0, -8, 8, False, None, None,
         "high", "olga@yandex.ru", "https://test.example.com/a.html", "backup.tar.bz2",
         "Olga", "20001", (38.9, -77.04), (39.29, -76.61), "Mixed CASE Words In Title Form"),
        ("2020-10-01 10:00", "2020-12-31 23:59:59", "1981-04-01", -5.0, 4, 3, True, False, "blue",
         "low", "pat@gmail.com", "http://example.com/", "Makefile", "Pat Smith-Jones", "60601",
         (41.88, -87.63), (41.88, -87.63), "Don't stop 'believing'"),
        ("2020-11-26 15:00", "2020-11-26 15:00", "1966-06-06", 6.0, 6, 6, False, True, "red",
         "mid", "quinn@hotmail.com", "https://shop.example.co.jp/item", "data.csv",
         "Quinn Lee", "73301", (30.27, -97.74), (29.76, -95.37), "Thanksgiving!! #turkey"),
        ("2020-12-24 20:00", "2019-07-04 00:00", "1999-12-31", 1.0, 1, 1, True, True, "green",
         "high", "ray@gmail.com", "https://example.com/?a=1&b=2", "script.py", "Ray Charles",
         "37201", (36.16, -86.78), (35.15, -90.05), "Short"),
        ("2020-12-25 00:00", "2020-12-25 00:00", "2012-02-29", -1.0, -1, None, False, False,
         "blue", "low", "sue@example.com", "http://www.example.edu", "image.jpeg", "Sue",
         "80202", (39.74, -104.99), (40.01, -105.27), "Merry Christmas @all #xmas"),
        ("2020-12-31 23:59:59", "2021-01-01 00:00", "1970-01-01", 0.5, 2, 2, True, None, "red",
         "mid", "tom@gmail.com", "https://example.com", "z.tar.gz", "Tom", "85001",
         (33.45, -112.07), (32.22, -110.97), "End of year..."),
        ("2021-01-01 00:00", "2021-02-14 12:00", "2003-03-03", 7.0, 3, 3, False, True, "green",
         "high", None, "https://sub.example.com", "x.y", "Dr. Uma Thurman", "98101",
         (47.61, -122.33), (47.61, -122.33), "Happy New Year \"2021\""),
        ("2021-01-02 06:00", "2021-01-18 00:00", "1977-07-07", 3.0, 0, None, True, False, "blue",
         None, "vic@yahoo.com", "ftp://ftp.example.org/pub", "/etc/hosts", "Vic", "02115",
         (42.35, -71.1), (42.35, -71.1), "@vic says hi #hi"),
        ("2021-01-02 06:00", "2020-03-01 00:00", "1983-09-09", 3.0, 11, 11, False, None, "red",
         "low", "wes@gmail.com", "https://www.example.com/a", "README", "Wes Anderson", "15213",
         (40.44, -79.99), (39.95, -75.17), "quiet"),
    ]
    cols = list(zip(*rows))
    df = pd.DataFrame({
        "id": range(len(rows)),
        "t": pd.to_datetime(list(cols[0]), format="ISO8601"),
        "d": pd.to_datetime(pd.Series(list(cols[1]), dtype=object), format="ISO8601"),
        "birth": pd.to_datetime(pd.Series(list(cols[2]), dtype=object), format="ISO8601"),
        "n": np.array(cols[3], dtype="float64"),
        "k": np.array(cols[4], dtype="int64"),
        "kn": pd.array(list(cols[5]), dtype="Int64"),
        "b": np.array(cols[6], dtype=bool),
        "bn": pd.array(list(cols[7]), dtype="boolean"),
        "c": pd.Series(list(cols[8]), dtype=object),
        "o": pd.Series(list(cols[9]), dtype=object),
        "email": pd.Series(list(cols[10]), dtype=object),
        "url": pd.Series(list(cols[11]), dtype=object),
        "path": pd.Series(list(cols[12]), dtype=object),
        "name": pd.Series(list(cols[13]), dtype=object),
        "zip": pd.Series(list(cols[14]), dtype=object),
        "loc": pd.Series(list(cols[15]), dtype=object),
        "loc2": pd.Series(list(cols[16]), dtype=object),
        "text": pd.Series(list(cols[17]), dtype=object),
    })
    es = ft.EntitySet("extra")
    es.add_dataframe(df, "things", index="id", time_index="t", logical_types={
        "id": Integer, "t": Datetime, "d": Datetime, "birth": Datetime, "n": Double,
        "k": Integer, "kn": IntegerNullable, "b": Boolean, "bn": BooleanNullable,
        "c": Categorical, "o": Ordinal(order=["low", "mid", "high"]), "email": EmailAddress,
        "url": URL, "path": Filepath, "name": PersonFullName, "zip": PostalCode,
        "loc": LatLong, "loc2": LatLong, "text": NaturalLanguage},
        semantic_tags={"birth": "date_of_birth"})
    return es


register("extra", extra_es())
EXTRA_TIMES = [T("2020-01-01 00:00"),     # on two tied rows
               T("2020-07-04 12:00"),     # on two tied rows
               T("2020-12-01"),
               T("2022-01-01")]           # after every row (every instance has a cutoff here)


# ---------------------------------------------------------------------------------------------
# non-default constructor arguments (aggregation primitives: in a_<prim>_edge; transforms: in
# t_<prim>_extra)
# ---------------------------------------------------------------------------------------------
NO_SKIPNA = [{"skipna": False}]
AGG_ARGS = {
    "average_count_per_unique": NO_SKIPNA,
    "avg_time_between": [{"unit": "minutes"}, {"unit": "days"}],
    "count_above_mean": NO_SKIPNA,
    "count_below_mean": NO_SKIPNA,
    "count_greater_than": [{"threshold": 3}, {"threshold": -1.5}],
    "count_less_than": [{"threshold": 0}, {"threshold": 2.5}],
    "count_inside_nth_std": [{"n": 2}, {"n": 0.5}],
    "count_outside_nth_std": [{"n": 2}, {"n": 0.5}],
    "count_inside_range": [{"lower": 1, "upper": 5}, {"lower": -2, "upper": 0, "skipna": False}],
    "count_outside_range": [{"lower": 1, "upper": 5}, {"lower": -2, "upper": 0, "skipna": False}],
    "entropy": [{"dropna": True, "base": 2}, {"base": 10}],
    "has_no_duplicates": NO_SKIPNA,
    "kurtosis": [{"fisher": False}, {"bias": False}, {"nan_policy": "omit"}],
    "max_consecutive_negatives": NO_SKIPNA,
    "max_consecutive_positives": NO_SKIPNA,
    "max_consecutive_zeros": NO_SKIPNA,
    "max_count": NO_SKIPNA,
    "max_min_delta": NO_SKIPNA,
    "mean": NO_SKIPNA,
    "median_count": NO_SKIPNA,
    "min_count": NO_SKIPNA,
    "n_most_common": [{"n": 1}, {"n": 2}],
    "n_most_common_frequency": [{"n": 2}, {"n": 1, "skipna": False}],
    "num_consecutive_greater_mean": NO_SKIPNA,
    "num_consecutive_less_mean": NO_SKIPNA,
    "num_unique": [{"use_string_for_pd_calc": False}],
    "percent_unique": NO_SKIPNA,
    "time_since_first": [{"unit": "hours"}, {"unit": "years"}],
    "time_since_last": [{"unit": "days"}, {"unit": "minutes"}],
}

# DFS returns only numeric, categorical and boolean features unless told otherwise: these
# primitives (may) return datetimes, time deltas or lat-longs, so their DFS runs ask for all types
ALL_RETURN_TYPES = {"date_first_event", "first", "last", "geomidpoint", "diff_datetime"}


def dfs_p(es, target, p, **kw):
    if p in ALL_RETURN_TYPES:
        kw["return_types"] = "all"
    return dfs(es, target, **kw)


NOTES = {}  # primitive name -> notes (filled while building cases, and below)


def note(prim, text):
    NOTES.setdefault(prim, [])
    if text not in NOTES[prim]:
        NOTES[prim].append(text)


# ---------------------------------------------------------------------------------------------
# cases
# ---------------------------------------------------------------------------------------------
JOBS = []  # (case name, primitive names, builder returning the case spec or a reason to skip)


def job(name, prims, builder):
    JOBS.append((name, tuple(prims), builder))


def spec(es, target, features, cutoff, by=None, training_window=None, json_check=False,
         allowed=None):
    return dict(es=es, target=target, features=features, cutoff=cutoff, by=by or target,
                training_window=training_window, json_check=json_check, allowed=allowed)


def instances(cls, arglist):
    out = []
    for a in arglist:
        out.append(cls(**a))
    return out


def agg_jobs(p):
    cls = AGG[p]

    def ecom_sessions():
        es = ES["ecom"]
        fd = dfs_p(es, "sessions", p, agg_primitives=[p], trans_primitives=[], max_depth=3)
        ct = snap_cutoffs(es, "sessions", seed_of("sessions"), ECOM_TIMES)
        return spec("ecom", "sessions", cap(fd, max_cols=30), ct, by="customers")

    def ecom_customers_window():
        es = ES["ecom"]
        fd = dfs_p(es, "customers", p, agg_primitives=[p], trans_primitives=[], max_depth=2)
        ct = snap_cutoffs(es, "customers", seed_of("customers"), ECOM_TIMES, dup_frac=1.0)
        return spec("ecom", "customers", cap(fd, max_cols=24), ct, by="customers",
                    training_window=ECOM_WINDOW)

    def mock():
        es = ES["mock"]
        fd = dfs_p(es, "customers", p, agg_primitives=[p], trans_primitives=[], max_depth=2)
        ct = snap_cutoffs(es, "customers", seed_of("mock customers"), MOCK_TIMES, dup_frac=1.0)
        return spec("mock", "customers", cap(fd), ct)

    def edge():
        es = ES["edge"]
        prims = [cls()] + instances(cls, AGG_ARGS.get(p, []))
        fd = dfs_p(es, "groups", p, agg_primitives=prims, trans_primitives=[], max_depth=1)
        # use_previous on the first feature of each argument set
        prev, done = [], set()
        for f in with_prim(fd):
            key = json.dumps(f.primitive.get_arguments(), sort_keys=True, default=str)
            if key in done or not isinstance(f, AggregationFeature):
                continue
            done.add(key)
            prev.append(ft.Feature(f.base_features, parent_dataframe_name="groups",
                                   primitive=f.primitive, use_previous=EDGE_PREVIOUS))
        ct = snap_cutoffs(es, "groups", seed_of("edge groups"), EDGE_TIMES[:-1], dup_frac=0.6,
                          extra_ids=[42], all_at=EDGE_TIMES[-1])
        return spec("edge", "groups", cap(fd, first=prev), ct, json_check=True)

    job(f"a_{p}_ecom_sessions", [p], ecom_sessions)
    job(f"a_{p}_ecom_customers_window", [p], ecom_customers_window)
    job(f"a_{p}_mock", [p], mock)
    job(f"a_{p}_edge", [p], edge)


for p in AGG_NAMES:
    agg_jobs(p)


ROLL = [{"window_length": 3, "gap": 1, "min_periods": 1}, {"window_length": 2, "gap": 0,
                                                          "min_periods": 2},
        {"window_length": "7D", "gap": "1D", "min_periods": 1}]
EXPANDING = [{"gap": 0, "min_periods": 2}, {"gap": 2, "min_periods": 1}]
EWM = [{"com": 0.5}, {"span": 3}, {"halflife": 2}, {"alpha": 0.3, "ignore_na": True}]
TRANS_ARGS = {
    "absolute_diff": [{"method": "bfill"}, {"limit": 1}],
    "add_numeric_scalar": [{"value": 2.5}],
    "subtract_numeric_scalar": [{"value": -1.5}],
    "multiply_numeric_scalar": [{"value": 3}],
    "divide_numeric_scalar": [{"value": 4}, {"value": 0}],
    "divide_by_feature": [{"value": 2}],
    "modulo_numeric_scalar": [{"value": 3}, {"value": -2.5}],
    "modulo_by_feature": [{"value": 7}],
    "scalar_subtract_numeric_feature": [{"value": 10}],
    "greater_than_scalar": [{"value": 1.5}],
    "greater_than_equal_to_scalar": [{"value": 2.5}],
    "less_than_scalar": [{"value": -1}],
    "less_than_equal_to_scalar": [{"value": 2.5}],
    "equal_scalar": [{"value": 2.5}, {"value": "red"}, {"value": True}],
    "not_equal_scalar": [{"value": 2.5}, {"value": "red"}, {"value": True}],
    "cityblock_distance": [{"unit": "kilometers"}],
    "haversine": [{"unit": "kilometers"}],
    "count_string": [{"string": "the", "ignore_case": False},
                     {"string": "the", "match_whole_words_only": True},
                     {"string": "[a-z]+s\\b", "is_regex": True},
                     {"string": "hello world", "ignore_non_alphanumeric": True}],
    "date_to_holiday": [{"country": "CA"}],
    "distance_to_holiday": [{"holiday": "Independence Day", "country": "US"},
                            {"holiday": "Christmas Day"}],
    "diff": [{"periods": 1}, {"periods": 2}],
    "diff_datetime": [{"periods": 1}],
    "expanding_count": EXPANDING, "expanding_max": EXPANDING, "expanding_mean": EXPANDING,
    "expanding_min": EXPANDING, "expanding_std": EXPANDING, "expanding_trend": EXPANDING,
    "exponential_weighted_average": EWM, "exponential_weighted_std": EWM,
    "exponential_weighted_variance": EWM,
    "is_federal_holiday": [{"country": "CA"}],
    "is_in_geobox": [{"point1": (30, -130), "point2": (50, -60)},
                     {"point1": (50, 10), "point2": (-40, -80)}],
    "is_lunch_time": [{"lunch_hour": 13}],
    "is_working_hours": [{"start_hour": 9, "end_hour": 17}],
    "isin": [{"list_of_outputs": ["red", "green"]}, {"list_of_outputs": [2.5, 4.0, 10]}],
    "lag": [{"periods": 2}, {"periods": -1}],
    "numeric_lag": [{"periods": 2, "fill_value": 0}, {"periods": -1}],
    "median_word_length": [{"delimiters_regex": "[ ,.]"}],
    "num_unique_separators": [{"separators": [" ", "#", "@"]}],
    "number_of_common_words": [{"word_set": {"the", "a", "of", "and"}},
                               {"word_set": {"hello", "world"}, "delimiters_regex": "[ ,!]"}],
    "number_of_unique_words": [{"case_insensitive": True}],
    "number_of_words_in_quotes": [{"quote_type": "single"}, {"quote_type": "double"}],
    "percent_change": [{"periods": 2}, {"fill_method": "backfill"}, {"limit": 1}],
    "rolling_count": [{"window_length": 2, "gap": 0, "min_periods": 1},
                      {"window_length": "7D", "gap": "1D", "min_periods": 1}],
    "rolling_max": ROLL, "rolling_mean": ROLL, "rolling_min": ROLL, "rolling_std": ROLL,
    "rolling_trend": ROLL, "rolling_outlier_count": ROLL,
    "same_as_previous": [{"fill_method": "bfill"}, {"limit": 1}],
    "savgol_filter": [{"window_length": 5, "polyorder": 2},
                      {"window_length": 7, "polyorder": 3, "deriv": 1, "mode": "nearest"}],
    "time_since": [{"unit": "days"}, {"unit": "years"}],
    "time_since_previous": [{"unit": "minutes"}],
    "total_word_length": [{"do_not_count": "[ .]"}],
}


note("date_to_time_zone", "woodwork's Datetime logical type stores datetime64[ns] without a time "
     "zone (a tz-aware column added to an entity set loses its zone), so DATE_TO_TIME_ZONE is NaN "
     "everywhere here")
for _p in ("subtract_numeric", "divide_numeric"):
    note(_p, "the `commutative` argument only changes which column pairs DFS builds (and is "
         "not part of the feature name); the values do not depend on it, so it is not varied")
note("number_of_common_words", "features.json saves word_set as a JSON list; featuretools reads "
     "it back as a set")


def balanced(features, per_args_total=24):
    """Features with non-default arguments, at most PER_ARGS_TOTAL, spread over the argument
    sets (DFS order within each set)."""
    groups = {}
    for f in with_prim(features):
        a = f.primitive.get_arguments()
        if a:
            groups.setdefault(json.dumps(a, sort_keys=True, default=str), []).append(f)
    if not groups:
        return []
    k = max(2, per_args_total // len(groups))
    return [f for g in groups.values() for f in g[:k]]


G_TIMES = [T("2014-01-01 01:10:25"), T("2014-01-01 04:00:00"), T("2014-01-01 09:00:35")]


def trans_jobs(p):
    cls = TRANS[p]

    def ecom_log():
        es = ES["ecom"]
        fd = dfs_p(es, "log", p, agg_primitives=[], trans_primitives=[p], max_depth=2)
        first = []
        if p in ("and", "or", "multiply_boolean"):  # log has one boolean; DFS pairs none here
            love = ft.Feature(ft.Feature(idf(es, "customers", "loves_ice_cream"),
                                         dataframe_name="sessions"), dataframe_name="log")
            first = [ft.Feature([idf(es, "log", "purchased"), love], primitive=cls)]
        ct = snap_cutoffs(es, "log", seed_of("log"), ECOM_TIMES, dup_frac=0.3)
        return spec("ecom", "log", cap(fd, first=first), ct, by="customers")

    def ecom_customers():
        es = ES["ecom"]
        fd = dfs_p(es, "customers", p, agg_primitives=[], trans_primitives=[p], max_depth=1)
        ct = snap_cutoffs(es, "customers", seed_of("customers"), ECOM_TIMES, dup_frac=1.0)
        return spec("ecom", "customers", cap(fd), ct, by="customers")

    def extra():
        es = ES["extra"]
        prims = [cls()]
        for a in TRANS_ARGS.get(p, []):
            try:
                prims.append(cls(**a))
            except Exception as e:
                note(p, f"{cls.__name__}(**{a}) cannot be constructed: {short(e)}")
        fd = dfs_p(es, "things", p, agg_primitives=[], trans_primitives=prims, max_depth=1)
        # the features with non-default arguments first, so that the cap keeps them
        ct = snap_cutoffs(es, "things", seed_of("things"), EXTRA_TIMES[:3], dup_frac=0.3,
                          all_at=EXTRA_TIMES[-1])
        return spec("extra", "things", cap(fd, first=balanced(fd)), ct, json_check=True)

    def groupby_mock():
        es = ES["mock"]
        fd = dfs_p(es, "transactions", p, agg_primitives=[], trans_primitives=[],
                 groupby_trans_primitives=[p], max_depth=1)
        ids = sorted(es["transactions"]["transaction_id"])[::10]  # 50 transactions
        ct = snap_cutoffs(es, "transactions", seed_of("transactions"), G_TIMES, dup_frac=0.3,
                          ids=ids)
        return spec("mock", "transactions", cap(fd), ct, by="customers")

    job(f"t_{p}_ecom_log", [p], ecom_log)
    job(f"t_{p}_ecom_customers", [p], ecom_customers)
    job(f"t_{p}_extra", [p], extra)
    job(f"g_{p}_mock", [p], groupby_mock)


for p in TRANS_NAMES:
    trans_jobs(p)


# aggregations of transforms: two primitives per case
def mixed_jobs():
    from featuretools.primitives import (CumCount, CumSum, Diff, Last, Lag, Max, Mean, Std, Sum,
                                         TimeSincePrevious)

    def gb(base, by, prim):
        return ft.Feature(base, groupby=by, primitive=prim)

    def ecom_sessions_mean_cum_sum():
        es = ES["ecom"]
        v = [idf(es, "log", c) for c in ("value", "value_2", "value_many_nans")]
        cs = [ft.Feature(x, primitive=CumSum) for x in v]
        by_s = gb(v[0], idf(es, "log", "session_id"), CumSum)
        by_p = gb(v[0], idf(es, "log", "product_id"), CumSum)
        fd = [agg(f, "sessions", Mean) for f in cs + [by_s, by_p]]
        fd.append(ft.Feature(agg(cs[0], "customers", Mean), dataframe_name="sessions"))
        fd.append(ft.Feature(agg(by_p, "customers", Mean), dataframe_name="sessions"))
        plain = [idf(es, "sessions", c) for c in ("customer_id", "device_type")]
        ct = snap_cutoffs(es, "sessions", seed_of("sessions"), ECOM_TIMES)
        return spec("ecom", "sessions", plain + fd, ct, by="customers",
                    allowed={"Mean", "CumSum"})

    def ecom_sessions_last_time_since_previous():
        es = ES["ecom"]
        dt = idf(es, "log", "datetime")
        tsp = ft.Feature(dt, primitive=TimeSincePrevious)
        tsp_s = gb(dt, idf(es, "log", "session_id"), TimeSincePrevious)
        tsp_m = ft.Feature(dt, primitive=TimeSincePrevious(unit="minutes"))
        fd = [agg(tsp, "sessions", Last), agg(tsp_s, "sessions", Last),
              agg(tsp_m, "sessions", Last),
              ft.Feature(agg(tsp, "customers", Last), dataframe_name="sessions")]
        ct = snap_cutoffs(es, "sessions", seed_of("sessions"), ECOM_TIMES)
        return spec("ecom", "sessions", [idf(es, "sessions", "device_name")] + fd, ct,
                    by="customers", allowed={"Last", "TimeSincePrevious"}, json_check=True)

    def mock_last_time_since_previous():
        es = ES["mock"]
        ss = idf(es, "sessions", "session_start")
        tt = idf(es, "transactions", "transaction_time")
        fd = [agg(ft.Feature(ss, primitive=TimeSincePrevious), "customers", Last),
              agg(gb(ss, idf(es, "sessions", "customer_id"), TimeSincePrevious), "customers",
                  Last),
              agg(ft.Feature(tt, primitive=TimeSincePrevious), "customers", Last),
              agg(gb(tt, idf(es, "transactions", "session_id"), TimeSincePrevious),
                  "customers", Last),
              agg(gb(tt, idf(es, "transactions", "product_id"), TimeSincePrevious),
                  "customers", Last)]
        ct = snap_cutoffs(es, "customers", seed_of("mock customers"), MOCK_TIMES, dup_frac=1.0)
        return spec("mock", "customers", [idf(es, "customers", "zip_code")] + fd, ct,
                    allowed={"Last", "TimeSincePrevious"})

    def mock_max_cum_count():
        es = ES["mock"]
        pid, sid = idf(es, "transactions", "product_id"), idf(es, "transactions", "session_id")
        fd = [agg(ft.Feature(pid, primitive=CumCount), "customers", Max),
              agg(ft.Feature(sid, primitive=CumCount), "customers", Max),
              agg(gb(pid, sid, CumCount), "customers", Max),
              agg(gb(sid, pid, CumCount), "sessions", Max)]
        fd[-1] = agg(fd[-1], "customers", Max)
        ct = snap_cutoffs(es, "customers", seed_of("mock customers"), MOCK_TIMES, dup_frac=1.0)
        return spec("mock", "customers", [idf(es, "customers", "zip_code")] + fd, ct,
                    allowed={"Max", "CumCount"})

    def mock_sum_diff():
        es = ES["mock"]
        amt, sid = idf(es, "transactions", "amount"), idf(es, "transactions", "session_id")
        fd = [agg(ft.Feature(amt, primitive=Diff), "customers", Sum),
              agg(ft.Feature(amt, primitive=Diff(periods=1)), "customers", Sum),
              agg(gb(amt, sid, Diff), "customers", Sum),
              agg(agg(gb(amt, sid, Diff), "sessions", Sum), "customers", Sum)]
        ct = snap_cutoffs(es, "customers", seed_of("mock customers"), MOCK_TIMES, dup_frac=1.0)
        return spec("mock", "customers", [idf(es, "customers", "zip_code")] + fd, ct,
                    allowed={"Sum", "Diff"}, json_check=True)

    def ecom_customers_std_lag():
        es = ES["ecom"]
        dt = idf(es, "log", "datetime")
        fd = [agg(ft.Feature([idf(es, "log", c), dt], primitive=Lag), "customers", Std)
              for c in ("value", "value_2", "value_many_nans")]
        fd.append(agg(ft.Feature([idf(es, "log", "value"), dt], primitive=Lag(periods=2)),
                      "customers", Std))
        ct = snap_cutoffs(es, "customers", seed_of("customers"), ECOM_TIMES, dup_frac=1.0)
        return spec("ecom", "customers", [idf(es, "customers", "age")] + fd, ct,
                    by="customers", allowed={"Std", "Lag"}, json_check=True)

    def ecom_customers_dfs_mean_cum_sum():
        es = ES["ecom"]
        fd = dfs(es, "customers", agg_primitives=["mean"], trans_primitives=["cum_sum"],
                 max_depth=2)
        ct = snap_cutoffs(es, "customers", seed_of("customers"), ECOM_TIMES, dup_frac=1.0)
        return spec("ecom", "customers", cap(fd), ct, by="customers",
                    allowed={"Mean", "CumSum"})

    job("m_mean_cum_sum_ecom_sessions", ["mean", "cum_sum"], ecom_sessions_mean_cum_sum)
    job("m_last_time_since_previous_ecom_sessions", ["last", "time_since_previous"],
        ecom_sessions_last_time_since_previous)
    job("m_last_time_since_previous_mock", ["last", "time_since_previous"],
        mock_last_time_since_previous)
    job("m_max_cum_count_mock", ["max", "cum_count"], mock_max_cum_count)
    job("m_sum_diff_mock", ["sum", "diff"], mock_sum_diff)
    job("m_std_lag_ecom_customers", ["std", "lag"], ecom_customers_std_lag)
    job("m_dfs_mean_cum_sum_ecom_customers", ["mean", "cum_sum"],
        ecom_customers_dfs_mean_cum_sum)


mixed_jobs()


# EQUAL / NOT_EQUAL of a datetime and a text column: pandas reads the strings as dates only when
# every string of the rows computed together at one cutoff is a date (DatetimeArray._cmp_method),
# so the answer changes with the other instances of a cutoff group. groups <- events; the rows
# of the first cutoff group hold only date strings, the second group's hold "hello" (and rows
# that would be equal as dates).
def datetext_es():
    events = pd.DataFrame({
        "eid": [1, 2, 3, 4, 5, 6, 7, 8],
        "gid": [1, 1, 2, 2, 3, 3, 4, 4],
        "t": pd.to_datetime(["2020-01-01", "2020-01-02", "2020-01-03", "2020-01-04",
                             "2020-01-05", "2020-01-06", "2020-01-07", "2020-01-08"]),
        "d": pd.to_datetime(["2020-03-01", "2020-03-01", "2020-03-03", "2020-03-04",
                             "2020-03-05", "2020-03-06", None, "2020-03-07"]),
        "s": pd.Series(["2020-03-01", "2020-03-05", "2020-03-03 00:00:00", "2020-03-03",
                        "hello", "2020-03-06", "2020-03-07", None], dtype=object),
    })
    groups = pd.DataFrame({"gid": [1, 2, 3, 4]})
    es = ft.EntitySet("datetext")
    es.add_dataframe(groups, "groups", index="gid")
    es.add_dataframe(events, "events", index="eid", time_index="t",
                     logical_types={"gid": Integer, "d": Datetime, "s": NaturalLanguage})
    es.add_relationship("groups", "gid", "events", "gid")
    return es


register("datetext", datetext_es())


def datetext_jobs():
    from featuretools.primitives import Equal, First, Last, NotEqual

    def events():
        es = ES["datetext"]
        d, s = idf(es, "events", "d"), idf(es, "events", "s")
        fd = [d, s] + [ft.Feature([a, b], primitive=p) for p in (Equal, NotEqual)
                       for a, b in ((d, s), (s, d))]
        # eids 1-4 at one time (every string a date), 5-8 at another ("hello" among them)
        ct = pd.DataFrame({"eid": [1, 2, 3, 4, 5, 6, 7, 8],
                           "time": [T("2020-02-01")] * 4 + [T("2020-02-02")] * 4})
        return spec("datetext", "events", fd, ct, by="groups", allowed={"Equal", "NotEqual"})

    def groups():
        es = ES["datetext"]
        last = agg(idf(es, "events", "d"), "groups", Last)
        first = agg(idf(es, "events", "s"), "groups", First)
        fd = [last, first] + [ft.Feature([last, first], primitive=p) for p in (Equal, NotEqual)]
        ct = pd.DataFrame({"gid": [1, 2, 3, 4],
                           "time": [T("2020-02-01")] * 2 + [T("2020-02-02")] * 2})
        return spec("datetext", "groups", fd, ct, by="groups",
                    allowed={"Equal", "NotEqual", "Last", "First"})

    job("m_equal_datetext_events", ["equal", "not_equal"], events)
    job("m_equal_last_first_datetext_groups", ["equal", "not_equal", "last", "first"], groups)


datetext_jobs()


# ---------------------------------------------------------------------------------------------
# writing a case: leave out what featuretools refuses, what depends on sort ties and what
# changes on the entity set / features read back from disk; record it all
# ---------------------------------------------------------------------------------------------
_reloaded = {}


def reloaded(key):
    if key not in _reloaded:
        _reloaded[key] = ft.read_entityset(os.path.join(OUT, ES_REL[key]))
    return _reloaded[key]


def col_text(fm, c):
    return fm[[c]].to_csv(date_format=ftcase.DATE_FORMAT).splitlines()


def first_diff(a, b):
    for x, y in zip(a, b):
        if x != y:
            return f"{x!r} vs {y!r}"
    return f"{len(a)} vs {len(b)} lines"


def short(e):
    s = re.sub(r"0x[0-9a-fA-F]+", "0x...", f"{type(e).__name__}: {e}".replace("\n", " "))
    return s if len(s) <= 300 else s[:297] + "..."


def analyse(name, features, es_key, cutoff, kw, drops):
    """Features of FEATURES that featuretools computes, independent of sort ties and the same
    on the entity set and features read back from disk; reasons for the others go to DROPS."""
    es = ES[es_key]
    # not saveable to features.json
    keep = []
    for f in features:
        try:
            ft.load_features(ft.save_features([f]))
            keep.append(f)
        except Exception as e:
            drops.append(f"{f.get_name()}: featuretools cannot save/load it: {short(e)}")
    features = keep
    # refused by featuretools: halve the list until the failing features are found
    def refused(fs):
        if not fs:
            return []
        try:
            ftcase._calc(fs, es, cutoff, kw)
            return []
        except Exception as e:
            if len(fs) == 1:
                return [(fs[0], e)]
        return refused(fs[:len(fs) // 2]) + refused(fs[len(fs) // 2:])

    bad = refused(features)
    names_bad = {f.get_name() for f, _ in bad}
    for f, e in bad:
        drops.append(f"{f.get_name()}: featuretools raises {short(e)}")
    features = [f for f in features if f.get_name() not in names_bad]
    fm = None
    if features:
        try:
            fm = ftcase._calc(features, es, cutoff, kw)
        except Exception:  # fails only in combination: try each feature with those kept before
            keep = []
            for f in features:
                try:
                    ftcase._calc(keep + [f], es, cutoff, kw)
                    keep.append(f)
                except Exception as e:
                    drops.append(f"{f.get_name()}: featuretools raises {short(e)} (together "
                                 f"with the other features of the case)")
            features = keep
            fm = ftcase._calc(features, es, cutoff, kw) if features else None
    if not features:
        return features
    # sort ties
    bad = {}
    for first in (True, False):
        other = ftcase.calc_with_tie_order(features, es, cutoff, kw, first)
        for c in fm.columns:
            a, b = col_text(fm, c), col_text(other, c)
            if a != b and c not in bad:
                bad[c] = first_diff(a, b)
    keep = []
    for f in features:
        hit = [c for c in f.get_feature_names() if c in bad]
        if hit:
            drops.append(f"{f.get_name()}: depends on the order of sort ties ({bad[hit[0]]})")
        else:
            keep.append(f)
    features = keep
    if not features:
        return features
    # entity set and features read back from disk
    loaded = ft.load_features(ft.save_features(features))
    try:
        other = ftcase._calc(loaded, reloaded(es_key), cutoff, kw)
    except Exception as e:  # one at a time
        other = None
    keep = []
    for f, g in zip(features, loaded):
        cols = f.get_feature_names()
        if other is None:
            try:
                o = ftcase._calc([g], reloaded(es_key), cutoff, kw)
            except Exception as e:
                drops.append(f"{f.get_name()}: featuretools raises on the entity set read back "
                             f"from disk: {short(e)}")
                continue
        else:
            o = other
        why = None
        for c in cols:
            a, b = col_text(fm, c), col_text(o, c)
            if a != b:
                why = first_diff(a, b)
                break
        if why:
            drops.append(f"{f.get_name()}: differs when computed on the entity set and features "
                         f"read back from disk (in memory vs read back: {why})")
        else:
            keep.append(f)
    return keep


def run_job(i):
    name, prims, builder = JOBS[i]
    t0 = time.time()
    # features find their entity set by id in a registry that reading an entity set or features
    # back from disk overwrites: point it at the in-memory entity sets again
    for es_ in ES.values():
        _ES_REF[es_.id] = es_
    rec = dict(case=name, primitives=list(prims), dropped=[], skipped=None)
    try:
        s = builder()
    except Exception as e:
        rec["skipped"] = f"building the case failed: {short(e)}"
        return rec
    if isinstance(s, str):
        rec["skipped"] = s
        return rec
    features = s["features"]
    allowed = set(s["allowed"] or [(AGG.get(p) or TRANS[p]).__name__ for p in prims])
    for f in features:
        assert prims_of(f) <= allowed, (name, f.get_name(), prims_of(f), allowed)
        assert f.dataframe_name == s["target"], (name, f.get_name())
    if not with_prim(features):
        rec["skipped"] = "DFS makes no feature with this primitive here"
        rec["seconds"] = round(time.time() - t0, 2)
        return rec
    es_key, cutoff = s["es"], s["cutoff"]
    kw = dict(training_window=s["training_window"], include_cutoff_time=True,
              cutoff_time_in_index=False)

    def write(features):
        n0 = len(ftcase.RELOAD_DIFFS)
        try:
            ftcase.case(name, ES[es_key], ES_REL[es_key], s["target"], features, by=s["by"],
                        cutoff=cutoff, training_window=s["training_window"])
        except Exception as e:
            return f"ftcase.case: {short(e)}"
        if len(ftcase.RELOAD_DIFFS) > n0:
            del ftcase.RELOAD_DIFFS[n0:]
            return "differs on the entity set read back from disk"
        if s["json_check"]:  # the features as read back from features.json
            d = os.path.join(OUT, "cases", name)
            loaded = ft.load_features(os.path.join(d, "features.json"))
            try:
                fm = ftcase._calc(loaded, reloaded(es_key), cutoff, kw)
            except Exception as e:
                return f"features read back from features.json: {short(e)}"
            got = fm.to_csv(date_format=ftcase.DATE_FORMAT)
            if got != open(os.path.join(d, "expected.csv")).read():
                return "differs with the features read back from features.json"
        return None

    err = write(features)
    if err:
        print(f"  {name}: {err}; checking features one by one", flush=True)
        features = analyse(name, features, es_key, cutoff, kw, rec["dropped"])
        if not with_prim(features):
            rec["skipped"] = "every feature with this primitive was left out"
            d = os.path.join(OUT, "cases", name)
            if os.path.exists(d):
                shutil.rmtree(d)
            return rec
        err = write(features)
        if err:
            raise RuntimeError(f"{name}: still failing after leaving features out: {err}")
    # the in-memory entity set must be as it was (cases share it within a worker process)
    assert snapshot(ES[es_key]) == PRISTINE[es_key], f"{name} changed entity set {es_key}"
    d = os.path.join(OUT, "cases", name)
    saved = json.load(open(os.path.join(d, "features.json")))
    rec["arguments"] = {}
    for pd_ in saved["primitive_definitions"].values():
        a = rec["arguments"].setdefault(pd_["type"], [])
        if pd_["arguments"] not in a:
            a.append(pd_["arguments"])
    fm_cols = pd.read_csv(os.path.join(d, "expected.csv"), nrows=0).columns
    rec["features"] = len(features)
    rec["columns"] = len(fm_cols) - 1
    rec["with_primitive"] = len(with_prim(features))
    rec["seconds"] = round(time.time() - t0, 2)
    return rec


# ---------------------------------------------------------------------------------------------
# README
# ---------------------------------------------------------------------------------------------
RUN_TIME = ("about 18 minutes with -j 2 on a 2-CPU machine that was busy with other work "
            "(load about 5)")  # measured; update when it changes


# What featuretools 1.31 does that a reimplementation may not expect (seen in these fixtures; the
# cases named show it)
OBSERVATIONS = [
    "Aggregation results that come out NaN are replaced by the primitive's `default_value`, not "
    "only for instances without children (feature_set_calculator: `frame.fillna(defaults)`): "
    "KURTOSIS(items.x) is 0.0 for a group whose x holds a NaN (scipy's nan_policy='propagate' "
    "gives NaN) and for a group of one item; MEDIAN_COUNT(items.x, skipna=False) is 0 for "
    "groups with a NaN (`a_kurtosis_edge`, `a_median_count_edge`). Direct features of features "
    "with a non-NaN default are filled the same way.",
    "Values for an instance without children (and for cutoff ids that do not exist, 42 in the "
    "edge cases): 0 for COUNT, SUM, NUM_TRUE, COUNT_* , MAX_CONSECUTIVE_*, MEDIAN_COUNT, "
    "KURTOSIS, AVERAGE_COUNT_PER_UNIQUE, PERCENT_UNIQUE, TIME_SINCE_LAST_TRUE/FALSE/MAX/MIN; "
    "False for IS_UNIQUE and IS_MONOTONICALLY_*; True for HAS_NO_DUPLICATES; NaN for MEAN, MAX, "
    "MIN, STD, SKEW, MODE, FIRST, LAST, ENTROPY, PERCENT_TRUE and NUM_UNIQUE (NaN, not 0).",
    "Value counts of a Categorical column include the categories that do not occur in the group "
    "(count 0): AVERAGE_COUNT_PER_UNIQUE(items.cat) of a group holding one 'green' (categories "
    "blue, green, red) is 1/3; N_MOST_COMMON_FREQUENCY gives 0.0, not NaN, for ranks past the "
    "categories present; N_MOST_COMMON / N_MOST_COMMON_FREQUENCY then break ties among them in "
    "sort order (those features are left out as tie-dependent).",
    "PERCENT_TRUE counts the nulls of a BooleanNullable column as False ([T, NA, F, T, F, T, NA, "
    "F, T, T] gives 0.5, all-null gives 0.0); ALL of an all-null group is True and ANY False.",
    "use_previous makes featuretools raise for the aggregations it computes by groupby-apply "
    "(KeyError: 'id' for TREND, N_MOST_COMMON, N_MOST_COMMON_FREQUENCY, TIME_SINCE_FIRST, "
    "TIME_SINCE_LAST, TIME_SINCE_LAST_TRUE/FALSE/MAX/MIN; TypeConversionError for "
    "AVG_TIME_BETWEEN and ENTROPY; 'Cannot setitem on a Categorical with a new category' for "
    "AVERAGE_COUNT_PER_UNIQUE, PERCENT_UNIQUE, IS_UNIQUE, HAS_NO_DUPLICATES of a category): "
    "those features are left out of the `a_*_edge` cases; use_previous works for COUNT, SUM, "
    "MEAN and the other aggregations pandas computes with groupby-agg.",
    "N_MOST_COMMON(n=1) raises 'Must produce aggregated value'. COUNT_ABOVE_MEAN, "
    "COUNT_BELOW_MEAN, MAX_COUNT, MIN_COUNT, MEDIAN_COUNT of an IntegerNullable column with an "
    "all-null group raise 'boolean value of NA is ambiguous'; HAS_NO_DUPLICATES and "
    "IS_MONOTONICALLY_* of an IntegerNullable column raise \"Invalid value 'True' for dtype "
    "Int64\" (the default does not fit the column's dtype); AVERAGE_COUNT_PER_UNIQUE and "
    "PERCENT_UNIQUE of a category raise 'Cannot setitem on a Categorical with a new category "
    "(0)' when no child row is left at some cutoff time.",
    "DFS returns only numeric, categorical and boolean features by default: DATE_FIRST_EVENT "
    "(and FIRST / LAST of datetimes, GEOMIDPOINT, DIFF_DATETIME) only appear with "
    "return_types='all', which these cases pass for those primitives.",
    "DATE_FIRST_EVENT of an instance without children is 1970-01-01 (the default_value 0 "
    "cast to a datetime) in the first computation of a process and NaT in later ones; the "
    "sort-tie check catches the difference and `a_date_first_event_edge` holds NaT.",
    "Rows with equal time index keep the order of the data (featuretools sorts stably), so "
    "FIRST, LAST and the cumulative and rolling transforms are defined on ties; all rows of edge "
    "group 2 share one time. TREND over equal times is 0.0; AVG_TIME_BETWEEN of one event is "
    "NaN, of equal times 0.0.",
    "Time units: 'years' is 31,540,000 s and 'months' 2,628,000 s (featuretools "
    "convert_time_units), in TIME_SINCE, TIME_SINCE_FIRST/LAST, AVG_TIME_BETWEEN, ...",
    "A training window also filters the target dataframe: by its last time index when it has "
    "one, otherwise by its time index (without last time indexes the ecommerce customers, who "
    "signed up days before any event, would all be outside a window of hours).",
    "EQUAL / NOT_EQUAL raise for two Categorical columns with different categories "
    "('Categoricals can only be compared if 'categories' are the same') and for a column with "
    "nulls against a text column ('boolean value of NA is ambiguous').",
    "PERCENTILE (Series.rank(pct=True)) of an IntegerNullable column with nulls gives the null "
    "rows a rank computed from the masked placeholder value, so it differs between the entity "
    "set in memory and the one read back from CSV (left out of `t_percentile_extra`).",
    "Group-by: LAG(product_id, transaction_time) by product_id is built by DFS but "
    "ft.load_features refuses it ('Provided inputs don't match input type requirements'); by "
    "session_id featuretools raises a pandas AssertionError; EXPANDING_COUNT by a foreign key "
    "raises a KeyError (`g_lag_mock`, `g_expanding_count_mock`).",
    "EXPONENTIAL_WEIGHTED_* with every smoothing argument None (the defaults) sets com=0.5 "
    "(saved as {\"com\": 0.5}). DIFF's default periods=0 is a plain diff; periods=k is "
    "shift(k).diff(). DIFF_DATETIME returns time deltas, written as '1 days 14:44:59'.",
    "DATE_TO_TIME_ZONE is NaN everywhere: woodwork's Datetime drops time zones. SAVGOL_FILTER "
    "returns its input unchanged for fewer than 20 rows; its NaN interpolation never runs "
    "(`np.isnan(np.min(series))` skips NaN), so with NaN in the input it raises 'array must "
    "not contain infs or NaNs' in the default mode='interp' and gives NaN near them in the "
    "other modes (`t_savgol_filter_extra`).",
    "URL_TO_DOMAIN('ftp://files.example.net') is 'ftp' and it strips 'www.'; URL_TO_PROTOCOL "
    "knows only http and https; URL_TO_TLD('http://localhost:8080/x') is NaN. "
    "EMAIL_ADDRESS_TO_DOMAIN keeps the case and IS_FREE_EMAIL_DOMAIN('DAVE@HOTMAIL.COM') is "
    "False. FILE_EXTENSION lowercases and keeps the dot ('report.PDF' -> '.pdf', '.bashrc' -> "
    "'.bashrc', 'data.tar.gz' -> '.gz', 'file.' -> NaN). FULL_NAME_TO_FIRST_NAME('Sir Leo "
    "Tolstoy') is 'Sir' (no title), 'Jones, Bob' gives first name Bob and last name Jones.",
    "Empty strings in a NaturalLanguage column are read back from CSV as null, so the extra "
    "set uses a blank string instead; WEEK is the ISO week (2021-01-01 is week 53); the holiday "
    "primitives count observed holidays (1999-12-31 is \"New Year's Day (observed)\").",
]


def write_readme(prims, cases):
    written = {c: r for c, r in cases.items() if not r["skipped"]}
    fam = {}
    for c in written:
        fam[c[0]] = fam.get(c[0], 0) + 1
    covered = [p for p in prims if p["cases"]]
    L = ["# Primitive fixtures", "",
         "Conformance cases for every featuretools 1.31 primitive (all 203 rows of "
         "`ft.list_primitives()`: 65 aggregation, 138 transform), written by "
         "`scripts/conformance/generate_primitives.py` with featuretools computing every "
         "`expected.csv`. Same format as `tests/fixtures/shapes` (`entitysets/<name>/`, "
         "`cases/<name>/case.json` + `features.json` + `cutoff.csv` + `expected.csv`). "
         "Never edit by hand: regenerate.", "",
         "Regenerate (from the project root; " + RUN_TIME + "):", "",
         "    /work/venv-ft/bin/python scripts/conformance/generate_primitives.py "
         "tests/fixtures/primitives", "",
         "Add case names or globs (`'a_mean_*'`) to rewrite only those cases (the manifest is "
         "updated for them); `-j N` sets the number of worker processes (default 2). The output "
         "is deterministic (fixed seeds, PYTHONHASHSEED=0, cutoff times everywhere).", "",
         "## What is here", "",
         "Each case uses one primitive P (named in the case) besides identity and direct "
         "identity features: DFS with only P, capped to the first "
         f"{MAX_PLAIN} plain features and at most {MAX_COLS} feature columns in DFS order (30 in "
         "`a_*_ecom_sessions`, 24 in `a_*_ecom_customers_window`), plus "
         "explicit features with non-default constructor arguments. P may be stacked on itself "
         "and carried down by direct features. `m_` cases combine an aggregation with a "
         "transform (both named).", "",
         "| family | cases |", "|---|---|"]
    for k in ("a", "t", "g", "m"):
        L.append(f"| `{k}_` {FAMILY[k]} | {fam.get(k, 0)} |")
    L += [f"| total | {len(written)} |", "",
          f"Primitives with at least one case: {len(covered)} of {len(prims)}.", "",
          "Entity sets (`entitysets/`):", "",
          "- `ecom`: `make_ecommerce_entityset()` (featuretools' test data) with last time indexes "
          "(`es.add_last_time_indexes()`): a training window also filters the target dataframe, "
          "by its time index or by its last time index when it has one, and the customers signed "
          "up days before the events (last time indexes change nothing without a window).",
          "- `mock`: `ft.demo.load_mock_customer(return_entityset=True, random_seed=0)` (with "
          "last time indexes).",
          "- `edge`: groups <- items, built by the script: groups without items, with only "
          "missing values, with one item, with only negative values, with only late items; "
          "items of a group that does not exist; ties in values and in the time index; "
          "Integer, IntegerNullable, Double, Boolean, BooleanNullable, Categorical, Ordinal and "
          "Datetime columns.",
          "- `extra`: one dataframe `things` with EmailAddress, URL, Filepath, PersonFullName, "
          "PostalCode, LatLong, NaturalLanguage (unicode, hashtags, mentions, quotes), Datetime "
          "(leap days, year ends, holidays, NaT, a date of birth), "
          "numbers, booleans, categories and ordinals, with nulls.", "",
          "Case variants:", "",
          "- `a_<P>_ecom_sessions`: target sessions, DFS depth 3 (paths through products and "
          "up to customers, cohorts and régions), by customers.",
          "- `a_<P>_ecom_customers_window`: target customers, depth 2, training "
          "window " + ECOM_WINDOW + ", by customers.",
          "- `a_<P>_mock`: target customers, depth 2.",
          "- `a_<P>_edge`: target groups, depth 1, non-default arguments, use_previous "
          f"{EDGE_PREVIOUS!r}, a cutoff row for a group that does not exist (42).",
          "- `t_<P>_ecom_log` (target log, depth 2, by customers), `t_<P>_ecom_customers` "
          "(depth 1), `t_<P>_extra` (target things, depth 1, non-default arguments).",
          "- `g_<P>_mock`: target transactions (50 of them, some repeated), "
          "`groupby_trans_primitives=[P]`, depth 1 (groups by session_id and product_id), by "
          "customers.",
          "- `m_*`: aggregations of transforms written by hand (and one DFS case).", "",
          "Cutoff times: `ftcase.per_instance_cutoffs` (instances in random order, some repeated) "
          "with the times replaced by a seeded choice among a few instants where something "
          "happens (on an event, between events, before and after all of them), so that each "
          "case computes few distinct cutoff times.", "",
          "Before a case is written, features are left out when featuretools raises on them, "
          "when their value depends on the order of sort ties (checked as in ftcase.py), or "
          "when they differ on the entity set read back from disk with the features read back "
          "from features.json. `primitives.json` lists them per primitive and case (`dropped`), "
          "with the variants skipped because DFS makes no feature with P there (`skipped`).", "",
          "## Observations", "",
          "What featuretools 1.31 (pandas 2.2.3) does here that a reimplementation may not "
          "expect:", ""] + [f"- {o}" for o in OBSERVATIONS] + ["",
          "## primitives.json", "",
          "`primitives`: one entry per row of `ft.list_primitives()`: `name`, `class` (the "
          "`type` in features.json's primitive_definitions), `module`, `type`, `cases` (the "
          "cases whose features.json uses the class), `arguments` (the distinct `arguments` "
          "objects saved in features.json), `dropped`, `skipped`, `note`. `cases`: per case, the "
          "primitives it is about, the features left out and the constructor arguments saved.",
          "", "## Primitives", ""]
    for p in prims:
        line = f"- `{p['name']}` ({p['class']}, {p['type']}): {len(p['cases'])} cases"
        L.append(line)
        if p["skipped"]:
            L.append("  - skipped: " + "; ".join(f"{c} ({w})" for c, w in p["skipped"].items()))
        for c, ds in p["dropped"].items():
            L.append(f"  - left out of {c}: " + "; ".join(ds))
        if p["note"]:
            L.append("  - note: " + p["note"])
    with open(os.path.join(OUT, "README.md"), "w") as fh:
        fh.write("\n".join(L) + "\n")


# ---------------------------------------------------------------------------------------------
# run
# ---------------------------------------------------------------------------------------------
names = [j[0] for j in JOBS]
assert len(set(names)) == len(names)
if PATTERNS:
    chosen = [n for n in names if any(fnmatch.fnmatchcase(n, pat) for pat in PATTERNS)]
else:
    chosen = names
ftcase.setup(OUT, chosen)
todo = [i for i, n in enumerate(names) if n in set(chosen)]
print(f"{len(todo)} of {len(JOBS)} cases", flush=True)
if JOBS_N > 1:
    with multiprocessing.get_context("fork").Pool(JOBS_N) as pool:
        results = list(pool.imap(run_job, todo, chunksize=1))
else:
    results = [run_job(i) for i in todo]
for r in results:
    if r["skipped"]:
        print(f"  skipped {r['case']}: {r['skipped']}")
        d = os.path.join(OUT, "cases", r["case"])
        if os.path.exists(d):
            shutil.rmtree(d)
ELAPSED = time.time() - T0
if os.environ.get("PRIM_TIMINGS"):  # where to write the time each case took (outside OUT)
    with open(os.environ["PRIM_TIMINGS"], "w") as fh:
        for r in results:
            fh.write(f"{r['case']}\t{r.get('seconds', 0)}\n")
slow = sorted((r for r in results if r.get("seconds")), key=lambda r: -r["seconds"])[:12]
print("slowest:", ", ".join(f"{r['case']} {r['seconds']:.1f}s" for r in slow))
print(f"{sum(1 for r in results if not r['skipped'])} cases written, "
      f"{sum(1 for r in results if r['skipped'])} skipped, in {ELAPSED:.0f} s", flush=True)


# ---------------------------------------------------------------------------------------------
# manifest and README
# ---------------------------------------------------------------------------------------------
MANIFEST = os.path.join(OUT, "primitives.json")
old = {}
if PATTERNS and os.path.exists(MANIFEST):
    old = json.load(open(MANIFEST)).get("cases", {})
CASES = {k: v for k, v in old.items() if k in set(names) and k not in set(chosen)}
for r in results:
    r = dict(r)
    r.pop("seconds", None)
    CASES[r["case"]] = r
CASES = {k: CASES[k] for k in sorted(CASES)}
if not PATTERNS:  # a full run: no stale case or entity set folders
    for d in sorted(os.listdir(os.path.join(OUT, "cases"))):
        if d not in CASES or CASES[d]["skipped"]:
            shutil.rmtree(os.path.join(OUT, "cases", d))
    for d in sorted(os.listdir(os.path.join(OUT, "entitysets"))):
        if d not in ES_REL:
            shutil.rmtree(os.path.join(OUT, "entitysets", d))

FAMILY = {"a": "aggregation", "t": "transform", "g": "group-by transform",
          "m": "aggregation of a transform"}


def auto_notes(p, cls):
    out = []
    if getattr(cls, "uses_calc_time", False):
        out.append("uses the cutoff time (the current time when there is none); every case has "
                   "cutoff times, so the expected values do not depend on the day of the run")
    if getattr(cls, "uses_full_dataframe", False):
        out.append("uses_full_dataframe: the value of a row depends on the other rows before the "
                   "cutoff time, sorted by the time index")
    if p in ("date_to_holiday", "distance_to_holiday", "is_federal_holiday"):
        import holidays
        out.append(f"reads the holidays package (version {holidays.__version__} here); other "
                   "versions may name or date holidays differently")
    return out


def manifest():
    prims = []
    for _, row in LISTED.sort_values(["type", "name"]).iterrows():
        p, kind = row["name"], row["type"]
        cls = AGG[p] if kind == "aggregation" else TRANS[p]
        cases, args, dropped, skipped = [], [], {}, {}
        for c, r in CASES.items():
            mine = p in r["primitives"]
            if not r["skipped"] and cls.__name__ in r.get("arguments", {}):
                cases.append(c)
                for a in r["arguments"][cls.__name__]:
                    if a not in args:
                        args.append(a)
            if mine and r["dropped"]:
                dropped[c] = r["dropped"]
            if mine and r["skipped"]:
                skipped[c] = r["skipped"]
        prims.append({
            "name": p, "class": cls.__name__, "module": cls.__module__, "type": kind,
            "cases": cases, "arguments": args, "dropped": dropped, "skipped": skipped,
            "note": "; ".join(auto_notes(p, cls) + NOTES.get(p, [])),
        })
    return prims


PRIMS = manifest()
with open(MANIFEST, "w") as fh:
    json.dump({"featuretools": ft.__version__, "pandas": pd.__version__,
               "numpy": np.__version__, "primitives": PRIMS, "cases": CASES}, fh, indent=1,
              ensure_ascii=False, sort_keys=False, default=str)
    fh.write("\n")
write_readme(PRIMS, CASES)
bad = [p["name"] for p in PRIMS if not p["cases"]]
if bad:
    print("primitives without a case:", bad)
ftcase.finish()
