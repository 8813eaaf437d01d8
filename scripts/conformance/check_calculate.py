"""Run conformance cases through `ftpart calculate` (the whole matrix in one process) and compare
each matrix with featuretools' expected.csv using /work/shared/conformance/compare_fm.py.

Usage: python check_calculate.py CASES_DIR [CASE ...]
  CASES_DIR is a folder of cases (e.g. tests/fixtures/shapes/cases); only the named cases when given.
  FTPART=path/to/ftpart picks the binary (default target/release/ftpart);
  COMPARE=path/to/compare_fm.py the comparer (default /work/shared/conformance/compare_fm.py).
Prints one line per case (ok, FAIL with the first difference, or ERROR with ftpart's message) and
exits non-zero when any case does not match.
"""
import json, os, subprocess, sys, tempfile

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
ftpart = os.environ.get("FTPART", os.path.join(root, "target", "release", "ftpart"))
compare = os.environ.get("COMPARE", "/work/shared/conformance/compare_fm.py")


def run_case(case_dir, out):
    spec = json.load(open(os.path.join(case_dir, "case.json")))
    args = [ftpart, "calculate", os.path.normpath(os.path.join(case_dir, spec["entityset"])),
            "--features", os.path.join(case_dir, spec["features"])]
    if spec.get("cutoff_time"):
        args += ["--cutoff-time", os.path.join(case_dir, spec["cutoff_time"])]
    if spec.get("training_window"):
        args += ["--training-window", spec["training_window"]]
    if spec.get("include_cutoff_time") is False:
        args += ["--include-cutoff-time", "false"]
    if spec.get("cutoff_time_in_index"):
        args.append("--cutoff-time-in-index")
    args += ["--out", out]
    r = subprocess.run(args, capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        msg = (r.stderr or r.stdout).strip().splitlines()
        return "ERROR", " | ".join(msg[-3:])[:400]
    c = subprocess.run([sys.executable, compare, out, os.path.join(case_dir, spec["expected"])],
                       capture_output=True, text=True)
    if c.returncode == 0:
        return "ok", ""
    lines = c.stdout.strip().splitlines()
    return "FAIL", (lines[1].strip() if len(lines) > 1 else c.stdout.strip())[:400]


def main():
    cases_dir = sys.argv[1]
    names = sys.argv[2:] or sorted(os.listdir(cases_dir))
    bad = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            status, detail = run_case(os.path.join(cases_dir, name), os.path.join(tmp, "fm.csv"))
            bad += status != "ok"
            print(f"{status:5} {name}" + (f": {detail}" if detail else ""), flush=True)
    print(f"{len(names) - bad} of {len(names)} cases match")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
