"""Generate extra conformance cases for ftpart: small hand-built entity sets, explicit feature
definitions, cutoff times, and the feature matrices that featuretools 1.31 computes for them.

Usage: python generate_extra.py OUT_DIR [CASE ...]   (only the named cases when given)
Run it in a venv made from requirements.txt (featuretools==1.31.0 pandas==2.2.3 numpy==1.26.4
pyarrow==17.0.0). It writes OUT_DIR/entitysets/<name>/ and OUT_DIR/cases/<name>/ in the same format
as /work/shared/conformance (see its README.md). Every expected.csv is written by featuretools.
No case computes without a cutoff when a primitive reads the calculation time (AGE), so the output
does not depend on the day it is run.
"""
import sys
import ftcase  # first: re-executes this script with PYTHONHASHSEED=0 (see ftcase.py)
from ftcase import NAN, T, save_es, case, per_instance_cutoffs, idf, agg, dfs
import numpy as np, pandas as pd
import featuretools as ft
from woodwork.logical_types import (Boolean, BooleanNullable, Categorical, Datetime, Double,
                                    Integer, IntegerNullable, LatLong, NaturalLanguage)
from featuretools.primitives import (
    And, Age, Count, Equal, EqualScalar, GreaterThan, GreaterThanEqualToScalar,
    GreaterThanScalar, Haversine, IsNull, LessThan, LessThanEqualToScalar, LessThanScalar, Max,
    Mean, Median, Min, Mode, NMostCommon, Not, NotEqual, NotEqualScalar, NumCharacters, NumTrue,
    NumUnique, NumWords, Or, PercentTrue, Skew, Std, Sum)

ftcase.setup(sys.argv[1], sys.argv[2:])


# ---------------------------------------------------------------------------------------------
# x_nan: customers -> orders, with NaN everywhere, Boolean/BooleanNullable, MODE ties
# ---------------------------------------------------------------------------------------------
def build_nan_es():
    customers = pd.DataFrame({
        "customer_id": [1, 2, 3, 4, 5, 6, 7, 8],
        "join_date": pd.to_datetime(["2021-01-01", "2021-01-02", "2021-01-03", "2021-01-04",
                                     "2021-01-05", "2021-01-06", "2021-01-07", "2021-01-08"]),
        "tier": ["gold", NAN, "silver", "gold", "bronze", NAN, "silver", "gold"],
        # whole numbers plus NaN: must stay Double (woodwork would infer IntegerNullable)
        "score": [1.0, 2.0, NAN, 4.0, 5.0, NAN, 7.0, 8.0],
    })
    A = NAN
    # customer_id, amount, price, qty, qty_n, paid, returned, color, size_code
    rows = []
    rows += [(1, 10, 1.5, 1, 1, True, True, "red", 3), (1, 20, 2.25, 2, None, False, None, "red", 10),
             (1, A, 3.0, 3, 2, True, False, "blue", 10), (1, 5, A, 1, 2, True, None, A, 3),
             (1, 15, 0.75, 2, None, False, True, "green", 3), (1, 30, 4.5, 5, 3, True, False, "red", 7)]
    rows += [(2, A, A, 0, None, False, None, A, 5), (2, A, A, 0, None, False, None, A, 5),
             (2, A, A, 0, None, False, None, A, 7)]
    rows += [(3, 7, 2.5, 4, 4, True, None, "blue", 10)]
    rows += [(5, 2, 1.0, 1, 1, True, True, "red", 3), (5, 4, 1.0, 1, 1, True, False, "blue", 10),
             (5, 4, 2.0, 1, 1, True, True, "red", 3), (5, 2, 2.0, 1, 1, True, False, "blue", 10)]
    rows += [(6, 1, 0.5, 2, 0, False, True, A, 10), (6, 1, 0.5, 2, 0, False, True, A, 10),
             (6, 1, 0.5, 2, 0, True, True, A, 7), (6, 1, 0.5, 2, 0, False, True, "red", 7),
             (6, 1, 0.5, 2, 0, False, True, "green", 3)]
    seq = [1, 2, 3, A, 5, 8, 13, 21, A, 34]
    cols7 = ["red", "blue", "green", "yellow", "red", "blue", A, "yellow", "green", "blue"]
    for i, v in enumerate(seq):
        rows.append((7, v, round(0.1 * (i + 1), 2), i, (i if i % 3 else None), i % 2 == 0,
                     (None if i % 4 == 0 else i % 3 == 0), cols7[i], [3, 7, 10][i % 3]))
    rows += [(8, 5, 1.25, 3, 3, False, False, "green", 7), (8, A, 1.75, 4, None, True, None, A, 3)]
    orders = pd.DataFrame(rows, columns=["customer_id", "amount", "price", "qty", "qty_n", "paid",
                                         "returned", "color", "size_code"])
    n = len(orders)
    orders.insert(0, "order_id", np.arange(100, 100 + n))
    rng = np.random.default_rng(11)
    base = T("2021-01-10")
    hours = np.sort(rng.choice(np.arange(0, 24 * 20), size=n, replace=False))
    perm = rng.permutation(n)
    orders["order_time"] = base + pd.to_timedelta(hours[perm], unit="h")
    # customer 8's orders come late (February)
    late = orders["customer_id"] == 8
    orders.loc[late, "order_time"] = [T("2021-02-03 10:00:00"), T("2021-02-05 08:30:00")]
    # two orders share one timestamp (order by [time, index])
    orders.loc[orders["order_id"] == 101, "order_time"] = orders.loc[orders["order_id"] == 100, "order_time"].iloc[0]
    # brand / bin: for N_MOST_COMMON, counts never tie in any time prefix of a customer's orders
    brand = {1: "pppqqr", 2: "___", 3: "q", 5: "rrrp", 6: "q_qp_", 7: "sssspppqqr", 8: "p_"}
    bins = {1: [4, 4, 4, 12, 12, 9], 2: [5, 5, 5], 3: [12], 5: [9, 9, 9, 4], 6: [12, 12, 12, 9, 9],
            7: [4, 4, 4, 4, 9, 9, 9, 12, 12, 5], 8: [9, 9]}
    orders = orders.sort_values(["order_time", "order_id"])
    orders["brand"], orders["bin"] = None, 0
    for c, g in orders.groupby("customer_id"):
        orders.loc[g.index, "brand"] = [NAN if b == "_" else b for b in brand[c]]
        orders.loc[g.index, "bin"] = bins[c]
    orders = orders.sort_values("order_id").reset_index(drop=True)
    orders["qty_n"] = orders["qty_n"].astype("Int64")
    orders["returned"] = orders["returned"].astype("boolean")
    es = ft.EntitySet("x_nan")
    es.add_dataframe(customers, "customers", index="customer_id", time_index="join_date",
                     logical_types={"customer_id": Integer, "join_date": Datetime,
                                    "tier": Categorical, "score": Double})
    es.add_dataframe(orders, "orders", index="order_id", time_index="order_time",
                     logical_types={"order_id": Integer, "customer_id": Integer,
                                    "order_time": Datetime, "amount": Double, "price": Double,
                                    "qty": Integer, "qty_n": IntegerNullable, "paid": Boolean,
                                    "returned": BooleanNullable, "color": Categorical,
                                    "size_code": Categorical, "brand": Categorical,
                                    "bin": Categorical})
    es.add_relationship("customers", "customer_id", "orders", "customer_id")
    return es


es_nan = build_nan_es()
nan_rel = save_es(es_nan, "x_nan")
nan_ct = pd.DataFrame({
    "customer_id": [1, 2, 3, 4, 5, 6, 7, 8, 1, 7, 8, 5],
    "time": [T("2021-01-31"), T("2021-01-31"), T("2021-01-31"), T("2021-01-31"), T("2021-01-31"),
             T("2021-01-31"), T("2021-01-31"), T("2021-02-04"), T("2021-01-15 12:00:00"),
             T("2021-01-18 06:00:00"), T("2021-02-10"), T("2021-01-12")],
    "label": [0, 1, 0, 1, 1, 0, 0, 1, 1, 0, 1, 0],
})

# 1 + 2: booleans and NaNs under the default primitives
fd = dfs(es_nan, "customers")
case("x_nan_dfs_defaults", es_nan, nan_rel, "customers", fd)
case("x_nan_dfs_defaults_cutoffs", es_nan, nan_rel, "customers", fd, cutoff=nan_ct)
fd = dfs(es_nan, "customers", agg_primitives=["percent_true", "num_true"], trans_primitives=[])
case("x_bool_percent_num_true", es_nan, nan_rel, "customers", fd, cutoff=nan_ct)
fd = dfs(es_nan, "orders")
case("x_nan_orders_target", es_nan, nan_rel, "orders", fd, by="customers")
case("x_nan_orders_target_cutoffs", es_nan, nan_rel, "orders", fd, by="customers",
     cutoff=per_instance_cutoffs(es_nan, "orders", 21))

# 13: multi-output N_MOST_COMMON (n=2 and n=3, fewer distinct values than n, ties, NaN)
# (the order of equal counts is not reproducible in featuretools itself: see check_tie_robust)
fd = [agg(idf(es_nan, "orders", "brand"), "customers", NMostCommon(n=2)),
      agg(idf(es_nan, "orders", "bin"), "customers", NMostCommon(n=2)),
      agg(idf(es_nan, "orders", "brand"), "customers", NMostCommon(n=3)),
      agg(idf(es_nan, "orders", "bin"), "customers", NMostCommon()),
      agg(idf(es_nan, "orders", "brand"), "customers", Mode())]
case("x_n_most_common", es_nan, nan_rel, "customers", fd)
case("x_n_most_common_cutoffs", es_nan, nan_rel, "customers", fd, cutoff=nan_ct)

# 9: comparison transforms as plain features (orders target) and in where clauses (customers)
amount, price = idf(es_nan, "orders", "amount"), idf(es_nan, "orders", "price")
color, paid = idf(es_nan, "orders", "color"), idf(es_nan, "orders", "paid")
returned, qty = idf(es_nan, "orders", "returned"), idf(es_nan, "orders", "qty")
size_code = idf(es_nan, "orders", "size_code")
cmp = {
    "gt": ft.Feature(amount, primitive=GreaterThanScalar(value=4)),
    "ge": ft.Feature(amount, primitive=GreaterThanEqualToScalar(value=4)),
    "lt": ft.Feature(amount, primitive=LessThanScalar(value=4)),
    "le": ft.Feature(amount, primitive=LessThanEqualToScalar(value=4)),
    "eq": ft.Feature(amount, primitive=EqualScalar(value=4)),
    "ne": ft.Feature(amount, primitive=NotEqualScalar(value=4)),
    "ceq": ft.Feature(color, primitive=EqualScalar(value="red")),
    "cne": ft.Feature(color, primitive=NotEqualScalar(value="red")),
    "seq": ft.Feature(size_code, primitive=EqualScalar(value=10)),
    "peq": ft.Feature(paid, primitive=EqualScalar(value=True)),
    "gt2": ft.Feature([amount, qty], primitive=GreaterThan),
    "lt2": ft.Feature([amount, qty], primitive=LessThan),
    "eq2": ft.Feature([amount, qty], primitive=Equal),
    "ne2": ft.Feature([amount, qty], primitive=NotEqual),
    "null": ft.Feature(amount, primitive=IsNull),
    "cnull": ft.Feature(color, primitive=IsNull),
    "not": ft.Feature(paid, primitive=Not),
    "and": ft.Feature([paid, ft.Feature(amount, primitive=GreaterThanScalar(value=4))], primitive=And),
    "or": ft.Feature([paid, ft.Feature(price, primitive=LessThanScalar(value=1))], primitive=Or),
}
case("x_cmp_plain_orders", es_nan, nan_rel, "orders", [amount, qty, color, paid] + list(cmp.values()),
     by="customers")
w_ret = ft.Feature(returned, primitive=EqualScalar(value=True))
fd = [agg(idf(es_nan, "orders", "order_id"), "customers", Count, where=cmp["gt"]),
      agg(idf(es_nan, "orders", "order_id"), "customers", Count, where=cmp["not"]),
      agg(idf(es_nan, "orders", "order_id"), "customers", Count, where=w_ret),
      agg(idf(es_nan, "orders", "order_id"), "customers", Count, where=returned),
      agg(idf(es_nan, "orders", "order_id"), "customers", Count, where=cmp["and"]),
      agg(price, "customers", Sum, where=cmp["cne"]),
      agg(price, "customers", Mean, where=cmp["null"]),
      agg(amount, "customers", Max, where=cmp["ge"]),
      agg(amount, "customers", Min, where=cmp["le"]),
      agg(amount, "customers", Mean, where=cmp["seq"]),
      agg(qty, "customers", Sum, where=cmp["lt2"]),
      agg(qty, "customers", Std, where=cmp["ne2"]),
      agg(color, "customers", Mode, where=cmp["lt"]),
      agg(color, "customers", NumUnique, where=cmp["ne"]),
      agg(cmp["gt2"], "customers", PercentTrue),
      agg(cmp["null"], "customers", NumTrue),
      agg(cmp["cnull"], "customers", PercentTrue),
      agg(cmp["or"], "customers", NumTrue),
      agg(w_ret, "customers", PercentTrue)]
case("x_cmp_where_customers", es_nan, nan_rel, "customers", fd)
case("x_cmp_where_customers_cutoffs", es_nan, nan_rel, "customers", fd, cutoff=nan_ct,
     include_cutoff_time=False)


# ---------------------------------------------------------------------------------------------
# x_sti: customers -> loans with a secondary time index (3)
# ---------------------------------------------------------------------------------------------
def build_sti_es():
    customers = pd.DataFrame({
        "customer_id": [1, 2, 3, 4, 5],
        "signup": pd.to_datetime(["2020-01-01", "2020-01-05", "2020-02-01", "2020-02-10", "2020-03-01"]),
        "region": ["north", "south", "north", "east", "south"],
    })
    # customer, start, end (NaT = still open), principal, end_amount, status
    L = [(1, "2020-01-10", "2020-02-10", 100.0, 110.0, "paid"),
         (1, "2020-01-20", "2020-04-01", 200.0, 230.5, "paid"),
         (1, "2020-03-05", "2020-03-20", 50.0, 0.0, "default"),
         (1, "2020-04-10", None, 75.0, NAN, NAN),
         (2, "2020-01-06", "2020-01-30", 300.0, 315.0, "paid"),
         (2, "2020-02-01", "2020-06-01", 120.0, 60.0, "default"),
         (2, "2020-02-15", "2020-02-28", 80.0, 88.0, "paid"),
         (3, "2020-02-05", "2020-05-05", 500.0, 575.0, "paid"),
         (3, "2020-02-05", "2020-02-25", 40.0, 44.0, "paid"),
         (3, "2020-03-01 12:00:00", "2020-03-15", 60.0, 0.0, "default"),
         (4, "2020-02-11", "2020-02-12", 10.0, 11.0, "paid"),
         (5, "2020-03-02", "2020-03-31", 90.0, 99.0, "paid"),
         (5, "2020-03-03", "2020-04-30", 95.0, 20.0, "default"),
         (5, "2020-03-04", "2020-03-10", 33.0, 36.3, "paid")]
    loans = pd.DataFrame(L, columns=["customer_id", "loan_start", "loan_end", "principal",
                                     "end_amount", "status"])
    loans.insert(0, "loan_id", np.arange(1, len(loans) + 1))
    loans["loan_start"] = pd.to_datetime(loans["loan_start"], format="ISO8601")
    loans["loan_end"] = pd.to_datetime(loans["loan_end"], format="ISO8601")
    es = ft.EntitySet("x_sti")
    es.add_dataframe(customers, "customers", index="customer_id", time_index="signup",
                     logical_types={"customer_id": Integer, "signup": Datetime, "region": Categorical})
    es.add_dataframe(loans, "loans", index="loan_id", time_index="loan_start",
                     secondary_time_index={"loan_end": ["end_amount", "status"]},
                     logical_types={"loan_id": Integer, "customer_id": Integer,
                                    "loan_start": Datetime, "loan_end": Datetime,
                                    "principal": Double, "end_amount": Double,
                                    "status": Categorical})
    es.add_relationship("customers", "customer_id", "loans", "customer_id")
    return es


es_sti = build_sti_es()
sti_rel = save_es(es_sti, "x_sti")
sti_ct = pd.DataFrame({
    "customer_id": [1, 1, 1, 2, 2, 3, 3, 4, 5, 5, 1, 3, 5, 2],
    "time": [T("2020-02-15"), T("2020-03-20"), T("2020-05-01"), T("2020-02-20"), T("2020-07-01"),
             T("2020-02-25"), T("2020-03-10"), T("2020-02-12"), T("2020-03-10"), T("2020-05-01"),
             T("2020-01-15"), T("2020-02-05"), T("2020-03-03"), T("2020-01-05")],
})
fd = dfs(es_sti, "customers", agg_primitives=["sum", "mean", "max", "count", "mode", "num_unique"],
         trans_primitives=["month"])
case("x_sti_customers", es_sti, sti_rel, "customers", fd, cutoff=sti_ct)
case("x_sti_customers_exclusive", es_sti, sti_rel, "customers", fd, cutoff=sti_ct,
     include_cutoff_time=False)
loan_ct = pd.DataFrame({
    "loan_id": [1, 2, 3, 6, 8, 9, 11, 13, 14, 4, 2, 10, 7, 5, 12],
    "time": [T("2020-02-09"), T("2020-04-01"), T("2020-03-20"), T("2020-03-01"), T("2020-05-05"),
             T("2020-02-26"), T("2020-02-12"), T("2020-04-29 23:59:59"), T("2020-03-10"),
             T("2020-12-01"), T("2020-01-19"), T("2020-03-14"), T("2020-02-15"), T("2020-01-30"),
             T("2020-03-01")],
    "label": ["a", "b", "a", "b", "a", "b", "a", "b", "a", "b", "a", "b", "a", "b", "a"],
})
fd = dfs(es_sti, "loans", agg_primitives=["sum", "count", "mean"], trans_primitives=[])
case("x_sti_loans_target", es_sti, sti_rel, "loans", fd, by="customers", cutoff=loan_ct)
case("x_sti_loans_target_exclusive", es_sti, sti_rel, "loans", fd, by="customers", cutoff=loan_ct,
     include_cutoff_time=False)


# ---------------------------------------------------------------------------------------------
# x_retail: regions -> stores -> customers -> orders <- products (string keys on regions and
# products), with AGE / NUM_WORDS / NUM_CHARACTERS / HAVERSINE inputs on customers
# ---------------------------------------------------------------------------------------------
def build_retail_es(lti=True, unreferenced_stores=False):
    regions = pd.DataFrame({"region_id": ["north", "south", "west"],
                            "name": ["North Region", "South Region", "West Region"],
                            "tax_rate": [0.05, 0.07, 0.0]})
    stores = pd.DataFrame({
        "store_id": [10, 11, 12, 13, 14, 15],
        "region_id": ["north", "north", "south", "south", "west", "north"],
        "store_name": ["Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta"],
        "opened": pd.to_datetime(["2019-01-01", "2019-06-01", "2019-03-15", "2020-01-01",
                                  "2019-09-09", "2021-06-01"]),
        "size_sqm": [120.0, 80.5, 200.0, 150.0, 95.0, 60.0],
    })
    if unreferenced_stores:
        # stores no customer refers to, in regions with and without customers, one opened late
        extra = pd.DataFrame({"store_id": [16, 17, 18], "region_id": ["south", "west", "north"],
                              "store_name": ["Eta", "Theta", "Iota"],
                              "opened": pd.to_datetime(["2019-02-01", "2020-04-15", "2018-12-01"]),
                              "size_sqm": [300.0, 45.5, 110.0]})
        stores = pd.concat([stores, extra], ignore_index=True)
    bios = ["hello world", "two  spaces  here", "  leading and trailing  ", NAN,
            "punctuation - only -- words!", "tab\tseparated\nnewline", "café naïve résumé",
            "single", "   ", "a b c d e f g", "Numbers 123 and 4.5", NAN, "end.", "x  y", "ok"]
    homes = [(40.7128, -74.006), (34.0522, -118.2437), (41.8781, -87.6298), (29.7604, -95.3698),
             (NAN, NAN), (47.6062, -122.3321), (25.7617, -80.1918), (39.7392, -104.9903),
             (42.3601, -71.0589), (33.749, -84.388), (36.1627, -86.7816), (45.5152, -122.6784),
             (38.9072, -77.0369), (51.5074, -0.1278), (-33.8688, 151.2093)]
    works = [(40.7306, -73.9352), (34.0522, -118.2437), (41.9, -87.65), (30.2672, -97.7431),
             (37.7749, -122.4194), NAN, (26.1224, -80.1373), (39.7392, -104.9903),
             (42.3736, -71.1097), (33.7, -84.4), (36.0, -86.5), (45.5, -122.7),
             (38.8816, -77.091), (48.8566, 2.3522), (-37.8136, 144.9631)]
    n_c = 15
    customers = pd.DataFrame({
        "customer_id": np.arange(1, n_c + 1),
        "store_id": [10, 10, 11, 12, 12, 12, 13, 14, 14, 10, 11, 13, 12, 14, 15],
        "join_date": pd.to_datetime(["2020-01-03", "2020-01-10", "2020-01-11", "2020-01-20",
                                     "2020-02-01", "2020-02-02", "2020-02-14", "2020-03-01",
                                     "2020-03-05", "2020-03-10", "2020-03-11", "2020-03-15",
                                     "2020-04-01", "2020-04-02", "2020-06-01"]),
        "date_of_birth": pd.to_datetime(["1980-02-29", "1990-12-31", "2000-01-01", "1975-06-15",
                                         "1985-03-01", None, "1999-07-04", "1960-10-10",
                                         "2001-02-28", "1995-05-05", "1970-01-01", "1988-08-08",
                                         "1992-11-30", "2002-02-02", "1983-03-03"]),
        "age": [40, 29, 20, 44, 35, 50, 20, 59, 19, 24, 50, 31, 27, 18, 37],
        "bio": bios,
        "home": homes,
        "work": works,
        "segment": ["a", "b", "a", "c", NAN, "b", "a", "a", "c", "b", "b", NAN, "a", "c", "a"],
    })
    products = pd.DataFrame({"product_id": ["P1", "P2", "P3", "P4", "P5", "P6"],
                             "category": ["food", "food", "toys", "books", "toys", "garden"],
                             "list_price": [2.5, 4.0, 15.0, 12.5, 30.0, 7.25]})
    rng = np.random.default_rng(7)
    n_o = 160
    cust = rng.choice(np.arange(1, n_c), size=n_o)  # customer 15 has no orders
    cust[:3] = [1, 1, 1]
    join = customers.set_index("customer_id")["join_date"]
    # orders fall after the customer's join date, over Jan..May 2020, on 15-minute steps
    offs = rng.integers(0, 100 * 24 * 4, size=n_o) * pd.Timedelta("15min")
    times = pd.Series(join.loc[cust].to_numpy()) + offs
    orders = pd.DataFrame({
        "order_id": np.arange(1000, 1000 + n_o),
        "customer_id": cust,
        "product_id": rng.choice(products["product_id"], size=n_o, p=[.3, .25, .15, .1, .1, .1]),
        "order_time": times.to_numpy(),
        "amount": np.round(rng.gamma(2.0, 20.0, size=n_o), 2),
        "channel": rng.choice(["web", "store", "phone"], size=n_o, p=[.5, .35, .15]),
        "express": rng.random(n_o) < 0.3,
    })
    orders.loc[rng.choice(n_o, 8, replace=False), "amount"] = NAN
    # one customer's last order is far after everything else (training windows/LTI)
    orders.loc[orders.index[-1], ["customer_id", "order_time"]] = [7, T("2020-09-01 10:00:00")]
    # an order exactly on a cutoff used below and two orders at the same instant
    orders.loc[orders.index[-2], ["customer_id", "order_time"]] = [3, T("2020-03-01 00:00:00")]
    orders.loc[orders.index[-3], ["customer_id", "order_time"]] = [3, T("2020-03-01 00:00:00")]
    es = ft.EntitySet("x_retail_unreferenced" if unreferenced_stores else "x_retail")
    es.add_dataframe(regions, "regions", index="region_id",
                     logical_types={"region_id": Categorical, "name": Categorical,
                                    "tax_rate": Double})
    es.add_dataframe(stores, "stores", index="store_id", time_index="opened",
                     logical_types={"store_id": Integer, "region_id": Categorical,
                                    "store_name": Categorical, "opened": Datetime,
                                    "size_sqm": Double})
    es.add_dataframe(customers, "customers", index="customer_id", time_index="join_date",
                     logical_types={"customer_id": Integer, "store_id": Integer,
                                    "join_date": Datetime, "date_of_birth": Datetime,
                                    "age": Integer, "bio": NaturalLanguage, "home": LatLong,
                                    "work": LatLong, "segment": Categorical},
                     semantic_tags={"date_of_birth": "date_of_birth"})
    es.add_dataframe(products, "products", index="product_id",
                     logical_types={"product_id": Categorical, "category": Categorical,
                                    "list_price": Double})
    es.add_dataframe(orders, "orders", index="order_id", time_index="order_time",
                     logical_types={"order_id": Integer, "customer_id": Integer,
                                    "product_id": Categorical, "order_time": Datetime,
                                    "amount": Double, "channel": Categorical, "express": Boolean})
    es.add_relationship("regions", "region_id", "stores", "region_id")
    es.add_relationship("stores", "store_id", "customers", "store_id")
    es.add_relationship("customers", "customer_id", "orders", "customer_id")
    es.add_relationship("products", "product_id", "orders", "product_id")
    if lti:
        es.add_last_time_indexes()
    return es


es_r = build_retail_es()
r_rel = save_es(es_r, "x_retail")
es_r_nolti = build_retail_es(lti=False)
r_nolti_rel = save_es(es_r_nolti, "x_retail_nolti")
r_pq_rel = save_es(es_r, "x_retail_parquet", "parquet")

# per-instance cutoffs: repeated ids, an unknown id (999), customer 15 (joined 2020-06-01) before
# it joined, customer 3 exactly on two of its orders (2020-03-01 00:00:00), an int and a string label
r_ct = pd.DataFrame({
    "customer_id": [3, 1, 2, 15, 999, 7, 7, 7, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15, 1, 3, 2, 12],
    "time": [T("2020-03-01"), T("2020-02-01"), T("2020-03-15 12:30:00"), T("2020-03-20"),
             T("2020-04-01"), T("2020-04-01"), T("2020-05-01"), T("2020-10-01"), T("2020-04-10"),
             T("2020-03-03 08:00:00"), T("2020-05-20"), T("2020-04-15"), T("2020-06-01"),
             T("2020-04-04 04:04:04"), T("2020-05-05"), T("2020-03-15"), T("2020-04-30"),
             T("2020-05-31 23:59:59"), T("2020-07-01"), T("2020-04-20"), T("2020-04-20"),
             T("2020-01-09"), T("2020-06-30")],
})
r_ct["label"] = np.arange(len(r_ct)) % 3
r_ct["group"] = ["g%d" % (i % 4) for i in range(len(r_ct))]

# 8: AGE, NUM_WORDS, NUM_CHARACTERS, HAVERSINE (+ kilometres), also under an aggregation and a
# direct feature from above (stores.MEAN(customers.AGE(date_of_birth)))
fd = dfs(es_r, "customers", agg_primitives=[], trans_primitives=["age", "num_words",
                                                                 "num_characters", "haversine"],
         max_depth=1)
dob = idf(es_r, "customers", "date_of_birth")
age_f = ft.Feature(dob, primitive=Age)
home, work = idf(es_r, "customers", "home"), idf(es_r, "customers", "work")
st_age = agg(age_f, "stores", Mean)
reg_age = agg(age_f, "regions", Max)
fd += [ft.Feature([home, work], primitive=Haversine(unit="kilometers")),
       ft.Feature([work, home], primitive=Haversine),
       ft.Feature(st_age, dataframe_name="customers"),
       ft.Feature(ft.Feature(reg_age, dataframe_name="stores"), dataframe_name="customers"),
       ft.Feature(agg(ft.Feature(idf(es_r, "customers", "bio"), primitive=NumWords), "stores", Sum),
                  dataframe_name="customers")]
fd_tr = fd
case("x_transforms_customers", es_r, r_rel, "customers", fd, cutoff=r_ct)
case("x_transforms_customers_random_cutoffs", es_r, r_rel, "customers", fd,
     cutoff=per_instance_cutoffs(es_r, "customers", 31))

# 6: parents above the target, paths that go up then down
fd = dfs(es_r, "customers", agg_primitives=["count", "mean", "sum", "mode"], trans_primitives=[],
         max_depth=3)
case("x_parents_customers", es_r, r_rel, "customers", fd, cutoff=r_ct)
fd = dfs(es_r, "orders", agg_primitives=["count", "mean"], trans_primitives=[], max_depth=3)
case("x_parents_orders_target", es_r, r_rel, "orders", fd, by="customers",
     cutoff=per_instance_cutoffs(es_r, "orders", 32, dup_frac=0.1))
case("x_parents_orders_target_nocutoff", es_r, r_rel, "orders", fd, by="customers")

# ---------------------------------------------------------------------------------------------
# x_mock: featuretools' mock-customer data split by customers, with transactions and sessions
# targets whose products.* aggregations span every customer (answered across parts): per-instance
# cutoffs, a training window, where, use_previous, MEDIAN, and a direct feature as input
# ---------------------------------------------------------------------------------------------
es_m = ft.demo.load_mock_customer(return_entityset=True, random_seed=3)
es_m.add_last_time_indexes()
m_rel = save_es(es_m, "x_mock_customer")
m_amount = idf(es_m, "transactions", "amount")
m_tid = idf(es_m, "transactions", "transaction_id")
m_big = ft.Feature(m_amount, primitive=GreaterThanScalar(value=75))
m_device = ft.Feature(idf(es_m, "sessions", "device"), dataframe_name="transactions")
m_outer = [agg(m_tid, "products", Count),
           agg(m_amount, "products", Mean),
           agg(m_amount, "products", Median),
           agg(m_amount, "products", Std),
           agg(m_amount, "products", Sum, use_previous="2 hours"),
           agg(m_tid, "products", Count, where=m_big),
           agg(m_amount, "products", Max, where=m_big),
           agg(m_device, "products", Mode),
           agg(m_device, "products", NumUnique, use_previous="3 observations")]
fd = dfs(es_m, "transactions", agg_primitives=["count", "mean", "mode"], trans_primitives=[],
         max_depth=2)
fd += [d for d in (ft.Feature(f, dataframe_name="transactions") for f in m_outer)
       if d.get_name() not in {x.get_name() for x in fd}]
m_ct = per_instance_cutoffs(es_m, "transactions", 71, dup_frac=0.1).head(60)
case("x_mock_transactions_outer", es_m, m_rel, "transactions", fd, by="customers", cutoff=m_ct)
case("x_mock_transactions_outer_window", es_m, m_rel, "transactions", fd, by="customers",
     cutoff=m_ct, training_window="3 hours")
fd = dfs(es_m, "sessions", agg_primitives=["count", "mean"], trans_primitives=[], max_depth=2)
fd += [a for a in (agg(ft.Feature(f, dataframe_name="transactions"), "sessions", prim)
                   for f, prim in [(m_outer[0], Mean), (m_outer[1], Max), (m_outer[2], Mean),
                                   (m_outer[7], Mode)])
       if a.get_name() not in {x.get_name() for x in fd}]
case("x_mock_sessions_outer", es_m, m_rel, "sessions", fd, by="customers",
     cutoff=per_instance_cutoffs(es_m, "sessions", 72, dup_frac=0.2))

# stores that no customer refers to still count in their regions' aggregations (the split must
# keep them in some part)
es_ru = build_retail_es(unreferenced_stores=True)
ru_rel = save_es(es_ru, "x_retail_unreferenced")
fd = dfs(es_ru, "customers", agg_primitives=["count", "mean", "sum", "mode", "num_unique"],
         trans_primitives=[], max_depth=3)
case("x_parents_unreferenced_stores", es_ru, ru_rel, "customers", fd, cutoff=r_ct)
case("x_parents_unreferenced_stores_nocutoff", es_ru, ru_rel, "customers", fd)

# dfs defaults at depth 2 over the whole retail set
fd = dfs(es_r, "customers")
case("x_retail_dfs_defaults", es_r, r_rel, "customers", fd, cutoff=r_ct)

# 10: cutoff edge cases, training windows with and without last_time_index
fd = dfs(es_r, "customers", agg_primitives=["count", "sum", "mean", "max", "mode"],
         trans_primitives=[], max_depth=2)
case("x_edges_cutoffs", es_r, r_rel, "customers", fd, cutoff=r_ct)
case("x_edges_cutoffs_exclusive", es_r, r_rel, "customers", fd, cutoff=r_ct, include_cutoff_time=False)
case("x_edges_in_index", es_r, r_rel, "customers", fd, cutoff=r_ct, cutoff_time_in_index=True)
case("x_edges_window_lti", es_r, r_rel, "customers", fd, cutoff=r_ct, training_window="30 days")
case("x_edges_window_lti_exclusive", es_r, r_rel, "customers", fd, cutoff=r_ct,
     training_window="30 days", include_cutoff_time=False)
case("x_edges_window_nolti", es_r_nolti, r_nolti_rel, "customers", fd, cutoff=r_ct,
     training_window="30 days")
case("x_edges_window_nolti_hours", es_r_nolti, r_nolti_rel, "customers", fd, cutoff=r_ct,
     training_window="36 hours")
case("x_edges_single_cutoff_window_lti", es_r, r_rel, "customers", fd,
     cutoff=pd.DataFrame({"customer_id": list(range(1, 16)) + [999], "time": T("2020-04-15")}),
     training_window="14 days")
fdo = dfs(es_r, "orders", agg_primitives=["count", "sum"], trans_primitives=[], max_depth=2)
case("x_edges_orders_window_lti", es_r, r_rel, "orders", fdo, by="customers",
     cutoff=per_instance_cutoffs(es_r, "orders", 33, dup_frac=0.1), training_window="10 days")
case("x_edges_orders_window_nolti", es_r_nolti, r_nolti_rel, "orders", fdo, by="customers",
     cutoff=per_instance_cutoffs(es_r, "orders", 33, dup_frac=0.1), training_window="10 days")

# 11: the same on the Parquet copy
case("x_parquet_transforms", es_r, r_pq_rel, "customers", fd_tr, cutoff=r_ct)
case("x_parquet_window_lti", es_r, r_pq_rel, "customers", fd, cutoff=r_ct, training_window="30 days")

# 5: use_previous (days, hours, weeks, minutes), alone, with where, on a 2-hop path, with a
# training window; cutoffs placed exactly on order times and exactly use_previous after them
o = es_r["orders"]
pick = o[o["customer_id"].isin([1, 2, 4, 6, 9])].groupby("customer_id").nth(3)
up_ct = pd.concat([
    pd.DataFrame({"customer_id": pick["customer_id"], "time": pick["order_time"] + pd.Timedelta("2 days")}),
    pd.DataFrame({"customer_id": pick["customer_id"], "time": pick["order_time"]}),
    pd.DataFrame({"customer_id": pick["customer_id"], "time": pick["order_time"] + pd.Timedelta("12 hours")}),
    pd.DataFrame({"customer_id": [3, 3, 7, 15, 999, 8], "time": [T("2020-03-01"), T("2020-03-03"),
                  T("2020-09-02"), T("2020-04-01"), T("2020-04-01"), T("2020-04-20 13:00:00")]}),
], ignore_index=True)
up_ct["label"] = np.arange(len(up_ct)) % 2
r_amount, r_chan = idf(es_r, "orders", "amount"), idf(es_r, "orders", "channel")
r_oid = idf(es_r, "orders", "order_id")
web = ft.Feature(r_chan, primitive=EqualScalar(value="web"))
lp = ft.Feature(idf(es_r, "products", "list_price"), dataframe_name="orders")
fd = [agg(r_amount, "customers", Sum, use_previous="2 days"),
      agg(r_oid, "customers", Count, use_previous="2 days"),
      agg(r_oid, "customers", Count, use_previous="12 hours"),
      agg(r_amount, "customers", Mean, use_previous="2 days"),
      agg(r_amount, "customers", Max, use_previous="36 hours"),
      agg(r_amount, "customers", Min, use_previous="90 minutes"),
      agg(r_amount, "customers", Std, use_previous="1 week"),
      agg(r_chan, "customers", Mode, use_previous="2 days"),
      agg(idf(es_r, "orders", "product_id"), "customers", NumUnique, use_previous="1 week"),
      agg(idf(es_r, "orders", "express"), "customers", PercentTrue, use_previous="1 week"),
      agg(r_oid, "customers", Count, where=web, use_previous="2 days"),
      agg(r_amount, "customers", Sum, where=web, use_previous="1 week"),
      agg(lp, "customers", Mean, use_previous="2 days"),
      ft.Feature(agg(r_amount, "stores", Sum, use_previous="2 days"), dataframe_name="customers"),
      ft.Feature(agg(r_oid, "stores", Count, use_previous="12 hours"), dataframe_name="customers"),
      agg(r_amount, "customers", Sum),
      agg(r_oid, "customers", Count)]
case("x_use_previous_inclusive", es_r, r_rel, "customers", fd, cutoff=up_ct)
case("x_use_previous_exclusive", es_r, r_rel, "customers", fd, cutoff=up_ct, include_cutoff_time=False)
case("x_use_previous_window", es_r, r_rel, "customers", fd, cutoff=up_ct, training_window="36 hours")
# use_previous counted in observations (the last n child rows in time order)
fd_obs = [agg(r_amount, "customers", Sum, use_previous="3 observations"),
          agg(r_oid, "customers", Count, use_previous="3 observations"),
          agg(r_amount, "customers", Mean, use_previous="1 observations")]
case("x_use_previous_observations", es_r, r_rel, "customers", fd_obs, cutoff=up_ct)

# aggregations over other customers' rows (across parts when split by customers): use_previous
# in observations, MEDIAN along a one- and a two-step path, with where; then one that ftpart
# refuses across parts (its input, stores.COUNT(customers), itself spans the parts)
r_age = idf(es_r, "customers", "age")
fd_xo = [ft.Feature(agg(r_amount, "stores", Sum, use_previous="3 observations"), dataframe_name="customers"),
         ft.Feature(agg(r_oid, "stores", Count, use_previous="5 observations"), dataframe_name="customers"),
         ft.Feature(agg(r_amount, "stores", Mean, where=web, use_previous="2 observations"),
                    dataframe_name="customers"),
         ft.Feature(agg(r_amount, "stores", Median), dataframe_name="customers"),
         ft.Feature(agg(r_amount, "stores", Median, where=web), dataframe_name="customers"),
         ft.Feature(ft.Feature(agg(r_age, "regions", Median), dataframe_name="stores"),
                    dataframe_name="customers")]
case("x_outer_observations_median", es_r, r_rel, "customers", fd_xo, cutoff=r_ct)
case("x_outer_observations_median_nocutoff", es_r, r_rel, "customers", fd_xo)
st_count = agg(idf(es_r, "customers", "customer_id"), "stores", Count)
fd_ref = [ft.Feature(ft.Feature(agg(st_count, "regions", Mean), dataframe_name="stores"),
                     dataframe_name="customers")]
case("x_outer_nested_refused", es_r, r_rel, "customers", fd_ref, cutoff=r_ct)

# 4: where clauses with interesting values (explicit metadata and add_interesting_values), with
# Count, Sum, Mean as where primitives, with cutoffs
es_w = build_retail_es()
es_w.add_interesting_values(dataframe_name="orders", values={"channel": ["web", "phone"]})
es_w.add_interesting_values(dataframe_name="customers")  # segment: computed by featuretools
print("interesting values:", {c: es_w[d].ww.columns[c].metadata.get("interesting_values")
                               for d, c in [("orders", "channel"), ("customers", "segment"),
                                            ("orders", "product_id")]})
w_rel = r_rel  # same data as x_retail; the where clauses live in features.json
fd = dfs(es_w, "customers", agg_primitives=["count", "sum", "mean", "mode"],
         where_primitives=["count", "sum", "mean"], trans_primitives=[], max_depth=2)
case("x_where_dfs_interesting", es_w, w_rel, "customers", fd, cutoff=r_ct)
fd = dfs(es_w, "stores", agg_primitives=["count", "mean"],
         where_primitives=["count", "mean"], trans_primitives=[], max_depth=2,
         ignore_dataframes=["products"])
case("x_where_dfs_stores_target", es_w, w_rel, "stores", fd,
     cutoff=pd.DataFrame({"store_id": [10, 11, 12, 13, 14, 15, 10, 12],
                          "time": [T("2020-03-01"), T("2020-03-01"), T("2020-04-01"),
                                   T("2020-04-01"), T("2020-05-01"), T("2020-07-01"),
                                   T("2020-06-01"), T("2020-02-02")]}))
fd = [agg(r_oid, "customers", Count, where=web),
      agg(r_oid, "customers", Count, where=ft.Feature(r_chan, primitive=EqualScalar(value="phone"))),
      agg(r_amount, "customers", Sum, where=ft.Feature(r_chan, primitive=NotEqualScalar(value="web"))),
      agg(r_amount, "customers", Mean, where=ft.Feature(r_amount, primitive=GreaterThanScalar(value=50))),
      agg(r_amount, "customers", Sum, where=idf(es_r, "orders", "express")),
      agg(r_amount, "customers", Mean, where=ft.Feature(idf(es_r, "orders", "express"), primitive=Not)),
      agg(r_oid, "customers", Count, where=ft.Feature(ft.Feature(idf(es_r, "products", "category"),
                                                                 dataframe_name="orders"),
                                                      primitive=EqualScalar(value="toys"))),
      agg(r_amount, "customers", Sum, where=ft.Feature(lp, primitive=LessThanEqualToScalar(value=4.0))),
      ft.Feature(agg(r_oid, "stores", Count, where=web), dataframe_name="customers")]
case("x_where_explicit", es_r, r_rel, "customers", fd, cutoff=r_ct)
case("x_where_explicit_exclusive_window", es_r, r_rel, "customers", fd, cutoff=r_ct,
     include_cutoff_time=False, training_window="20 days")


# ---------------------------------------------------------------------------------------------
# x_flights: two relationships between flights and airports (origin, destination) (7)
# ---------------------------------------------------------------------------------------------
def build_flights_es():
    airports = pd.DataFrame({
        "airport_code": ["JFK", "LAX", "ORD", "ATL", "SEA", "BOS", "DEN"],
        "state": ["NY", "CA", "IL", "GA", "WA", "MA", "CO"],
        "elevation": [13.0, 125.0, 672.0, 1026.0, 433.0, 20.0, 5431.0],
        "location": [(40.6413, -73.7781), (33.9416, -118.4085), (41.9742, -87.9073),
                     (33.6407, -84.4277), (47.4502, -122.3088), (42.3656, -71.0096), NAN],
    })
    airlines = pd.DataFrame({"airline_id": [1, 2, 3], "carrier": ["AA", "DL", "UA"],
                             "founded": pd.to_datetime(["1926-04-15", "1925-05-30", "1926-04-06"])})
    rng = np.random.default_rng(5)
    n = 48
    codes = ["JFK", "LAX", "ORD", "ATL", "SEA", "BOS"]  # nothing flies to or from DEN
    orig = rng.choice(codes, size=n)
    dest = np.array([rng.choice([c for c in codes if c != o]) for o in orig])
    flights = pd.DataFrame({
        "flight_id": np.arange(500, 500 + n),
        "airline_id": rng.choice([1, 2, 3], size=n),
        "origin_airport": orig,
        "dest_airport": dest,
        "dep_time": T("2022-05-01") + rng.integers(0, 30 * 24 * 12, size=n) * pd.Timedelta("5min"),
        "delay_min": rng.integers(-10, 120, size=n).astype(float),
        "cancelled": rng.random(n) < 0.15,
    })
    flights.loc[flights["cancelled"], "delay_min"] = NAN
    flights.loc[flights.index[:2], "origin_airport"] = "BOS"   # BOS never a destination below
    flights.loc[flights["dest_airport"] == "BOS", "dest_airport"] = "SEA"
    flights.loc[flights.index[:2], "dest_airport"] = ["JFK", "LAX"]
    es = ft.EntitySet("x_flights")
    es.add_dataframe(airports, "airports", index="airport_code",
                     logical_types={"airport_code": Categorical, "state": Categorical,
                                    "elevation": Double, "location": LatLong})
    es.add_dataframe(airlines, "airlines", index="airline_id",
                     logical_types={"airline_id": Integer, "carrier": Categorical,
                                    "founded": Datetime})
    es.add_dataframe(flights, "flights", index="flight_id", time_index="dep_time",
                     logical_types={"flight_id": Integer, "airline_id": Integer,
                                    "origin_airport": Categorical, "dest_airport": Categorical,
                                    "dep_time": Datetime, "delay_min": Double,
                                    "cancelled": Boolean})
    es.add_relationship("airports", "airport_code", "flights", "origin_airport")
    es.add_relationship("airports", "airport_code", "flights", "dest_airport")
    es.add_relationship("airlines", "airline_id", "flights", "airline_id")
    return es


es_f = build_flights_es()
f_rel = save_es(es_f, "x_flights")
fd = dfs(es_f, "airports", agg_primitives=["count", "mean", "sum", "mode", "num_unique",
                                           "percent_true"], trans_primitives=[], max_depth=2)
ap_ct = pd.DataFrame({"airport_code": ["JFK", "LAX", "ORD", "ATL", "SEA", "BOS", "DEN", "JFK", "XXX"],
                      "time": [T("2022-05-10"), T("2022-05-15"), T("2022-05-20"), T("2022-05-31"),
                               T("2022-05-05 12:00:00"), T("2022-06-01"), T("2022-06-01"),
                               T("2022-05-31"), T("2022-06-01")]})
case("x_multirel_airports", es_f, f_rel, "airports", fd, cutoff=ap_ct)
case("x_multirel_airports_nocutoff", es_f, f_rel, "airports", fd)
fd = dfs(es_f, "flights", agg_primitives=["count", "mean", "mode"],
         trans_primitives=["haversine", "month"], max_depth=2)
case("x_multirel_flights_target", es_f, f_rel, "flights", fd, by="airlines",
     cutoff=per_instance_cutoffs(es_f, "flights", 51, dup_frac=0.1))
fd = dfs(es_f, "airlines", agg_primitives=["count", "mean", "mode", "num_unique"],
         trans_primitives=["haversine"], max_depth=3)
case("x_multirel_airlines", es_f, f_rel, "airlines", fd,
     cutoff=per_instance_cutoffs(es_f, "airlines", 52, dup_frac=1.0))


# ---------------------------------------------------------------------------------------------
# x_numeric_time: integer time indexes and integer cutoffs (12). featuretools 1.31 refuses a
# training_window on numeric time (TypeError) and use_previous in observations errors there too,
# so neither is used.
# ---------------------------------------------------------------------------------------------
def build_numeric_es():
    c = pd.DataFrame({"cid": [1, 2, 3, 4, 5], "signup": [0, 5, 10, 50, 7],
                      "kind": ["a", "b", "a", "b", NAN]})
    e = pd.DataFrame({"eid": np.arange(14),
                      "cid": [1, 1, 1, 2, 2, 3, 3, 3, 3, 1, 2, 3, 5, 5],
                      "step": [1, 3, 7, 6, 8, 10, 12, 15, 20, 30, 40, 9, 7, 8],
                      "v": [0.0, 1.5, 3.0, NAN, 6.0, 7.5, 9.0, 10.5, 12.0, 13.5, 15.0, NAN, 2.0, 4.0],
                      "tag": ["x", "y", "x", "y", "y", "z", "x", "x", NAN, "z", "y", "z", "x", "y"]})
    es = ft.EntitySet("x_numeric_time")
    es.add_dataframe(c, "customers", index="cid", time_index="signup",
                     logical_types={"cid": Integer, "signup": Integer, "kind": Categorical})
    es.add_dataframe(e, "events", index="eid", time_index="step",
                     logical_types={"eid": Integer, "cid": Integer, "step": Integer, "v": Double,
                                    "tag": Categorical})
    es.add_relationship("customers", "cid", "events", "cid")
    es.add_last_time_indexes()
    return es


es_n = build_numeric_es()
assert es_n.time_type == "numeric"
n_rel = save_es(es_n, "x_numeric_time")
fd = dfs(es_n, "customers", agg_primitives=["count", "sum", "mean", "max", "mode", "std"],
         trans_primitives=[])
v = idf(es_n, "events", "v")
fd += [agg(v, "customers", Sum, where=ft.Feature(idf(es_n, "events", "tag"), primitive=EqualScalar(value="x")))]
n_ct = pd.DataFrame({"cid": [1, 2, 3, 4, 1, 3, 5, 6, 2], "time": [7, 8, 12, 20, 100, 9, 7, 10, 5]})
case("x_numeric_time_cutoffs", es_n, n_rel, "customers", fd, cutoff=n_ct)
case("x_numeric_time_cutoffs_exclusive", es_n, n_rel, "customers", fd, cutoff=n_ct,
     include_cutoff_time=False)
case("x_numeric_time_nocutoff", es_n, n_rel, "customers", fd)
fd = dfs(es_n, "events", agg_primitives=["count", "sum"], trans_primitives=[])
case("x_numeric_time_events_target", es_n, n_rel, "events", fd, by="customers",
     cutoff=pd.DataFrame({"eid": [0, 1, 2, 3, 4, 5, 9, 13, 13, 99], "time": [1, 2, 20, 6, 40, 11, 30, 8, 7, 50]}))

# ---------------------------------------------------------------------------------------------
# calendar units: training windows and use_previous in months and years (relativedelta: the
# day clipped to the month's end), and a pd.DateOffset of several units, as featuretools
# applies them. Cutoffs on month ends and on the 29th-31st, where a month back is not 30 days.
# ---------------------------------------------------------------------------------------------
cal_ct = pd.DataFrame({"customer_id": [1, 2, 3, 4, 6, 9, 1, 2, 5, 999],
                       "time": [T("2020-03-31"), T("2020-03-31 12:00:00"), T("2020-04-30"),
                                T("2020-05-31"), T("2020-03-29"), T("2020-06-30"),
                                T("2020-04-30 23:00:00"), T("2020-05-01"), T("2020-07-31"),
                                T("2020-04-01")]})
fd = dfs(es_r, "customers", agg_primitives=["count", "sum", "mean", "max", "mode"],
         trans_primitives=[], max_depth=2)
case("x_calendar_window_month", es_r, r_rel, "customers", fd, cutoff=cal_ct,
     training_window="1 month")
case("x_calendar_window_months_exclusive", es_r, r_rel, "customers", fd, cutoff=cal_ct,
     training_window="2 months", include_cutoff_time=False)
case("x_calendar_window_year_nolti", es_r_nolti, r_nolti_rel, "customers", fd, cutoff=cal_ct,
     training_window="1 year")
r_amount2 = idf(es_r, "orders", "amount")
fd_cal = [agg(r_amount2, "customers", Sum, use_previous="1 month"),
          agg(idf(es_r, "orders", "order_id"), "customers", Count, use_previous="2 months"),
          agg(r_amount2, "customers", Mean, use_previous=pd.DateOffset(months=1, days=3)),
          agg(r_amount2, "customers", Max, use_previous="1 year")]
case("x_calendar_use_previous", es_r, r_rel, "customers", fd_cal, cutoff=cal_ct)
case("x_calendar_use_previous_stores", es_r, r_rel, "stores",
     [agg(r_amount2, "stores", Sum, use_previous="1 month"),
      agg(r_amount2, "stores", Mean, use_previous=pd.DateOffset(months=1, days=3))],
     by="regions", cutoff=pd.DataFrame({"store_id": [1, 2, 3, 1, 4],
                                        "time": [T("2020-03-31"), T("2020-04-30"), T("2020-05-31"),
                                                 T("2020-06-30"), T("2020-03-30")]}))
st_sum = agg(r_amount2, "stores", Sum, use_previous="1 month")
st_mean = agg(r_amount2, "stores", Mean, use_previous=pd.DateOffset(months=1, days=3))
case("x_calendar_use_previous_across", es_r, r_rel, "customers",
     [ft.Feature(st_sum, dataframe_name="customers"), ft.Feature(st_mean, dataframe_name="customers")],
     by="customers", cutoff=cal_ct, training_window="2 months")

# ---------------------------------------------------------------------------------------------
# transforms over the whole dataframe (uses_full_dataframe) and group-by transforms: exact
# across parts when grouped by the tree link's key (transactions by session_id, split by
# customers), refused by name otherwise
# ---------------------------------------------------------------------------------------------
from featuretools.tests.testing_utils import make_ecommerce_entityset
es_ecf = make_ecommerce_entityset()
ecf_rel = save_es(es_ecf, "ecom_full")
fs_cum = dfs(es_ecf, "log", agg_primitives=[],
             trans_primitives=["cum_sum", "cum_count", "cum_mean", "cum_min", "cum_max"],
             groupby_trans_primitives=["cum_sum", "cum_count", "cum_max"], max_depth=1)
case("x_full_log_cum_refused", es_ecf, ecf_rel, "log", fs_cum, by="customers",
     cutoff=ftcase.per_instance_cutoffs(es_ecf, "log", 1))
case("x_full_log_cum_nocutoff_refused", es_ecf, ecf_rel, "log", fs_cum, by="customers")
mc_full = ft.demo.load_mock_customer(return_entityset=True, random_seed=0)
mcf_rel = save_es(mc_full, "mock_full")
fs_tx = dfs(mc_full, "transactions", agg_primitives=[], trans_primitives=[],
            groupby_trans_primitives=["cum_sum", "cum_mean", "cum_count", "cum_min", "cum_max"],
            max_depth=1)
fs_tx_session = [f for f in fs_tx if not f.get_name().endswith("by product_id")]
case("x_full_tx_by_session", mc_full, mcf_rel, "transactions", fs_tx_session, by="customers",
     cutoff=ftcase.per_instance_cutoffs(mc_full, "transactions", 2))
case("x_full_tx_by_product_refused", mc_full, mcf_rel, "transactions", fs_tx, by="customers",
     cutoff=ftcase.per_instance_cutoffs(mc_full, "transactions", 2))
fs_cm = [f for f in dfs(mc_full, "customers", agg_primitives=["mean"], trans_primitives=["cum_sum"],
                        max_depth=2) if "CUM_SUM" in f.get_name()]
case("x_full_customers_cum_of_mean_refused", mc_full, mcf_rel, "customers", fs_cm,
     by="customers", cutoff=ftcase.per_instance_cutoffs(mc_full, "customers", 3))

ftcase.finish()
