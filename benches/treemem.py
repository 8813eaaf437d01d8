"""Run a command and report its wall time and the peak RSS summed over it and its children
(sampled from /proc every 5 ms): how ftpart's figures for "memory across processes" are measured.

Usage: python3 benches/treemem.py target/release/ftpart compute SHARDS --features F --jobs 2 --out fm.csv
"""
import subprocess, sys, time, os
def rss(pid):
    try:
        for l in open(f'/proc/{pid}/status'):
            if l.startswith('VmRSS:'): return int(l.split()[1])
    except Exception: return 0
    return 0
def kids(pid):
    out=[]
    for p in os.listdir('/proc'):
        if p.isdigit():
            try:
                st=open(f'/proc/{p}/stat').read(); ppid=int(st[st.rfind(')')+2:].split()[1])
                if ppid==pid: out.append(int(p))
            except Exception: pass
    return out
t0=time.time(); p=subprocess.Popen(sys.argv[1:], stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
peak=0; peak_coord=0
while p.poll() is None:
    c=rss(p.pid); tot=c+sum(rss(k) for k in kids(p.pid))
    peak=max(peak,tot); peak_coord=max(peak_coord,c); time.sleep(0.005)
print(f"wall {time.time()-t0:.2f} s, peak total RSS of all processes {peak/1024:.0f} MB (coordinator alone {peak_coord/1024:.0f} MB), exit {p.returncode}")
