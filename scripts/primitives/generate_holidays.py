"""Writes src/primitives/trans/holiday_table.rs: the holiday calendars of featuretools 1.31's
HolidayUtil (featuretools/primitives/standard/transform/datetime/utils.py), which
IS_FEDERAL_HOLIDAY, DATE_TO_HOLIDAY and DISTANCE_TO_HOLIDAY read through `HolidayUtil.to_df()`:
`getattr(holidays, country)(years=range(1950, 2075))`, with the `holidays` package's defaults
(observed days included, as "<name> (observed)"; names of one date joined by "; "), sorted by
date.

Usage: python scripts/primitives/generate_holidays.py > src/primitives/trans/holiday_table.rs
(in the venv of scripts/conformance/requirements.txt, with the `holidays` version featuretools
installed; the header of the output records it).

Names. `holidays` translates the names with gettext after the locale of the Python process
(`language=None`: LANGUAGE, LC_ALL, LC_MESSAGES, LANG): Germany's are German with no locale set
and English under LANG=C.UTF-8 or en_US.UTF-8, Canada's change between en_US, en_CA and fr. The
dates never change. So a country gets its names (DATE_TO_HOLIDAY, DISTANCE_TO_HOLIDAY) only when
they are the same under every locale in LOCALES (run in subprocesses); the countries in
DATES_ONLY get their dates only (IS_FEDERAL_HOLIDAY).

Country arguments. HolidayUtil accepts a string when `holidays.country_holidays(country,
subdiv)` and `getattr(holidays, country)` both succeed after `convert_to_subdivision` (UK,
England, Scotland and Wales become GB); each country's accepted strings are its registry names
(`holidays.registry.COUNTRIES`) and the GB subdivision names that map to GB, each checked
through HolidayUtil itself.
"""
import datetime
import json
import os
import subprocess
import sys
import warnings

warnings.filterwarnings("ignore")

import featuretools
import holidays
from holidays.registry import COUNTRIES
from featuretools.primitives.standard.transform.datetime.utils import HolidayUtil

# Countries carried with names: their names must not depend on the locale (checked below).
FULL = ["US", "GB", "AU", "NZ"]
# Countries carried with dates only: their names depend on the locale.
DATES_ONLY = ["CA", "DE", "FR", "IN", "JP", "MX", "BR"]
# LANG values the names must agree under (LANGUAGE, LC_ALL and LC_MESSAGES unset); None: unset.
LOCALES = [None, "C.UTF-8", "en_US.UTF-8", "en_GB.UTF-8", "POSIX"]
EPOCH = datetime.date(1970, 1, 1)


def calendar(country):
    """HolidayUtil(country).to_df() as (ISO code, [(date ISO text, name)])."""
    u = HolidayUtil(country)
    df = u.to_df()
    code = type(u.federal_holidays).country
    return code, [[d.date().isoformat(), n] for d, n in zip(df.holiday_date, df.names)]


def dump():
    print(json.dumps({iso: calendar(iso)[1] for iso in FULL + DATES_ONLY}))


def accepted(iso, table):
    """The country strings HolidayUtil turns into this calendar (the same dates, and the same
    names for a country carried with names; this process's locale is one of LOCALES)."""
    names = next(v for v in COUNTRIES.values() if v[1] == iso)
    candidates = list(names)
    cls = getattr(holidays, iso)
    subdivs = (
        tuple(cls.subdivisions)
        + tuple(cls.subdivisions_aliases)
        + tuple(getattr(cls, "_deprecated_subdivisions", ()))
    )
    probe = HolidayUtil.__new__(HolidayUtil)
    for s in subdivs:
        if probe.convert_to_subdivision(s) != (s, None) and s not in candidates:
            candidates.append(s)
    def key(t):
        return [d for d, _ in t] if iso in DATES_ONLY else t

    out = []
    for c in candidates:
        try:
            code, t = calendar(c)
        except (ValueError, NotImplementedError, AttributeError):
            continue
        if code == iso and key(t) == key(table):
            out.append(c)
    assert iso in out, iso
    return out


def main():
    runs = []
    for lang in LOCALES:
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
        }
        if lang is not None:
            env["LANG"] = lang
        out = subprocess.run(
            [sys.executable, __file__, "--dump"], env=env, check=True, capture_output=True, text=True
        ).stdout
        runs.append(json.loads(out))
    base = runs[0]
    for iso in FULL + DATES_ONLY:
        for lang, run in zip(LOCALES, runs):
            assert [d for d, _ in run[iso]] == [d for d, _ in base[iso]], (iso, lang)
            if iso in FULL:
                assert run[iso] == base[iso], f"{iso}'s names differ under LANG={lang}"
    # HolidayUtil refuses these; ftpart refuses every string it does not list.
    for bad in ["us", "United States", "XX"]:
        try:
            HolidayUtil(bad)
        except ValueError:
            continue
        raise AssertionError(bad)

    seen = {}
    calendars = []
    for iso in FULL + DATES_ONLY:
        table = base[iso]
        acc = accepted(iso, table)
        for a in acc:
            assert a not in seen, (a, iso, seen.get(a))
            seen[a] = iso
        days = [(datetime.date.fromisoformat(d) - EPOCH).days for d, _ in table]
        assert days == sorted(set(days)), iso
        names, index = [], []
        if iso in FULL:
            for _, n in table:
                if n not in names:
                    names.append(n)
                index.append(names.index(n))
            assert len(names) < 256, iso
        calendars.append((iso, acc, days, names, index))

    w = sys.stdout.write
    w("//! The holiday calendars of featuretools 1.31's `HolidayUtil` (`featuretools/primitives/\n")
    w("//! standard/transform/datetime/utils.py`): `getattr(holidays, country)(years=range(1950,\n")
    w("//! 2075))` sorted by date, with observed days (\"<name> (observed)\") as `holidays` adds them.\n")
    w(f"//! Written by `scripts/primitives/generate_holidays.py` from holidays {holidays.__version__}\n")
    w(f"//! (featuretools {featuretools.__version__}); do not edit. Command:\n")
    w("//! `python scripts/primitives/generate_holidays.py > src/primitives/trans/holiday_table.rs`.\n")
    w("//!\n")
    w("//! Names are carried where they are the same under every locale the script tries (LANG unset,\n")
    w(f"//! {', '.join(l for l in LOCALES if l)}; `holidays` translates them after the\n")
    w("//! process's locale): other countries carry their dates only.\n")
    w("\n")
    w("/// One country's calendar.\n")
    w("pub(super) struct Calendar {\n")
    w("    /// The ISO code of the `holidays` class HolidayUtil builds.\n")
    w("    pub code: &'static str,\n")
    w("    /// The `country` arguments HolidayUtil turns into this calendar.\n")
    w("    pub accepted: &'static [&'static str],\n")
    w("    /// The holiday dates, days since 1970-01-01, ascending.\n")
    w("    pub days: &'static [i32],\n")
    w("    /// The distinct names (empty: the names depend on the locale; dates only).\n")
    w("    pub names: &'static [&'static str],\n")
    w("    /// Each date's name, an index into `names` (empty with `names`).\n")
    w("    pub name_of: &'static [u8],\n")
    w("}\n")
    w("\n")
    w("/// The calendars ftpart carries.\n")
    w("#[rustfmt::skip]\n")
    w("pub(super) const CALENDARS: &[Calendar] = &[\n")

    def rows(values, per):
        for i in range(0, len(values), per):
            w("        " + ", ".join(str(v) for v in values[i : i + per]) + ",\n")

    for iso, acc, days, names, index in calendars:
        w("    Calendar {\n")
        w(f'        code: "{iso}",\n')
        w("        accepted: &[" + ", ".join(json.dumps(a) for a in acc) + "],\n")
        w("        days: &[\n")
        rows(days, 16)
        w("        ],\n")
        w("        names: &[\n")
        for n in names:
            assert all(ord(ch) >= 32 for ch in n), n
            w(f"            {json.dumps(n, ensure_ascii=False)},\n")
        w("        ],\n")
        w("        name_of: &[\n")
        rows(index, 32)
        w("        ],\n")
        w("    },\n")
    w("];\n")


if __name__ == "__main__":
    if "--dump" in sys.argv:
        dump()
    else:
        main()
