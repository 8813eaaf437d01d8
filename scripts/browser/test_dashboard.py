"""Headless Chromium tests of the dashboard and the report (issue 14).

A run slowed down on purpose (FTPART_TEST_JOB_DELAY_MS, test-only) is watched live: the page must
show both workers and a task stream that grows between two looks. After the run the report opens
from disk with the network off and must show one bar per part. Screenshots go to
target/test-artifacts/. Usage: python3 test_dashboard.py FTPART_BINARY
"""
import os
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ARTIFACTS = os.path.join(ROOT, "target", "test-artifacts")
PARTS = 16


def chromium(args, profile):
    """Runs headless Chromium (flags that keep it off this machine's closed network) and returns
    its standard output."""
    cmd = [
        "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--user-data-dir=" + profile, "--window-size=1400,1500", "--virtual-time-budget=1500",
    ] + args
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise SystemExit("chromium failed: " + out.stderr[-2000:])
    return out.stdout


def count(pattern, dom):
    m = re.search(pattern, dom)
    return int(m.group(1)) if m else -1


def watch(ftpart, d, delay_ms):
    """Runs compute with part jobs slowed to delay_ms and looks at its dashboard twice. Returns the
    two looks and the report's path, or None when the run had ended before the second look was
    taken (the looks would then be of a page that is gone, not of the dashboard)."""
    env = dict(os.environ, FTPART_TEST_JOB_DELAY_MS=str(delay_ms))
    report = f"{d}/run-{delay_ms}.html"
    proc = subprocess.Popen(
        [ftpart, "compute", f"{d}/shards", "--features", f"{d}/f.json", "--jobs", "2",
         "--dashboard", "0", "--report", report, "--out", f"{d}/fm-{delay_ms}.csv"],
        env=env, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)
    line = proc.stderr.readline()
    m = re.search(r"dashboard at (http://\S+)", line)
    if not m:
        proc.kill()
        raise SystemExit("no dashboard address: " + line)
    url = m.group(1)
    looks = []
    for i in range(2):
        dom = chromium(["--dump-dom", url], f"{d}/profile-{delay_ms}-{i}")
        looks.append((count(r'data-workers="(\d+)"', dom), count(r'data-tasks="(\d+)"', dom),
                      "finished" in re.findall(r'class="state (\w+)"', dom)))
        if i == 0:
            chromium([f"--screenshot={ARTIFACTS}/dashboard-live.png", url], f"{d}/profile-shot-{delay_ms}")
    still_running = proc.poll() is None
    rest = proc.stderr.read()
    if proc.wait() != 0:
        raise SystemExit("the run failed: " + rest)
    return (looks, report) if still_running else None


def main():
    ftpart = os.path.abspath(sys.argv[1])
    os.makedirs(ARTIFACTS, exist_ok=True)
    with tempfile.TemporaryDirectory() as d:
        run = lambda *a: subprocess.run([ftpart, *a], check=True, capture_output=True)
        run("demo", f"{d}/es", "--transactions", "20000", "--features", f"{d}/f.json")
        run("split", f"{d}/es", "--by", "customers", "--parts", str(PARTS), "--out", f"{d}/shards")
        # Both looks (a cold Chromium each, and a screenshot) must fall inside the run. How long
        # Chromium takes depends on the machine's load, so a run that ended before the second look
        # is tried again with part jobs twice as slow, rather than judged on a look at a closed page.
        for delay_ms in (1500, 3000, 6000, 12000):
            attempt = watch(ftpart, d, delay_ms)
            if attempt is not None:
                looks, report = attempt
                break
            print(f"the run ended before the second look with {delay_ms} ms per job; slower again")
        else:
            raise SystemExit("every run ended before the second look")
        print("live looks (workers, task bars, finished):", looks)
        (w1, t1, f1), (w2, t2, _) = looks
        assert not f1, "the run had ended before the first look"
        assert w1 == 2 and w2 == 2, looks
        assert 0 < t1 < t2, f"the task stream did not grow: {looks}"

        # The report from disk, every request to the network refused by a proxy that is not there.
        off = ["--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>"]
        dom = chromium(off + ["--dump-dom", "file://" + report], f"{d}/profile-r")
        bars = re.findall(r'<rect class="task done" data-round="matrix" data-part="(\d+)"', dom)
        print("report: matrix bars", len(bars), "parts", sorted({int(b) for b in bars}) == list(range(PARTS)))
        assert sorted(int(b) for b in bars) == list(range(PARTS)), bars
        assert "finished" in dom and "Slowest part jobs" in dom
        chromium(off + [f"--screenshot={ARTIFACTS}/report.png", "file://" + report], f"{d}/profile-rs")
    print("browser tests: 2 passed, 0 failed")


if __name__ == "__main__":
    main()
