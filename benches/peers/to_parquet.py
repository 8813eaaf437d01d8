#!/usr/bin/env python3
"""Convert an entity set directory in featuretools' `es.to_csv` layout (what `ftpart demo` writes)
into the `es.to_parquet` layout, so the peers (and ftpart) read Parquet as in issue #17:

    python benches/peers/to_parquet.py CSV_ES_DIR PARQUET_ES_DIR

Layout written (as featuretools 1.31 / woodwork 0.31 write it, cf.
/work/shared/conformance/entitysets/mock_customer_s0_parquet): `data_description.json` with
"format": "parquet", and `data/<df>/data/<df>.parquet` per dataframe, the woodwork typing info in the
file's `ww_meta` schema metadata (loading_info type parquet, engine pyarrow) instead of a
`woodwork_typing_info.json`. Physical types from the typing info: int64, float64,
datetime64[ns] -> timestamp[ns], category of strings -> dictionary<string>, category of int64
-> int64 (as woodwork writes it), string -> string.
"""
import json
import os
import shutil
import sys

import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq


def arrow_type(phys):
    t = phys["type"]
    if t == "int64":
        return pa.int64()
    if t == "float64":
        return pa.float64()
    if t.startswith("datetime64"):
        return pa.timestamp("ns")
    if t == "category":
        return pa.int64() if phys.get("cat_dtype") == "int64" else pa.string()
    if t in ("string", "object"):
        return pa.string()
    if t == "bool":
        return pa.bool_()
    raise SystemExit(f"physical type {phys} not handled")


def convert(src, dst):
    desc = json.load(open(os.path.join(src, "data_description.json")))
    if desc.get("format") != "csv":
        raise SystemExit(f"{src}: format {desc.get('format')!r}, expected csv")
    if os.path.exists(dst):
        shutil.rmtree(dst)
    for name in desc["dataframes"]:
        info = json.load(open(os.path.join(src, "data", name, "woodwork_typing_info.json")))
        cols = info["column_typing_info"]
        types = {c["name"]: arrow_type(c["physical_type"]) for c in cols}
        table = pcsv.read_csv(
            os.path.join(src, "data", name, "data", f"{name}.csv"),
            convert_options=pcsv.ConvertOptions(column_types=types, strings_can_be_null=True),
            read_options=pcsv.ReadOptions(block_size=1 << 24),
        )
        arrays = []
        for c in cols:
            a = table.column(c["name"])
            if c["physical_type"]["type"] == "category" and types[c["name"]] == pa.string():
                a = a.dictionary_encode()
            arrays.append(a)
        info["loading_info"] = {"table_type": "pandas", "location": None, "type": "parquet",
                                "params": {"engine": "pyarrow"}}
        out = pa.table(arrays, names=[c["name"] for c in cols])
        out = out.replace_schema_metadata({"ww_meta": json.dumps(info)})
        d = os.path.join(dst, "data", name, "data")
        os.makedirs(d)
        pq.write_table(out, os.path.join(d, f"{name}.parquet"))
    desc["format"] = "parquet"
    with open(os.path.join(dst, "data_description.json"), "w") as f:
        json.dump(desc, f)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    convert(sys.argv[1], sys.argv[2])
