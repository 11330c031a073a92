"""Runs a command and reports the peak memory of its whole process tree: every 0.2 s it sums the proportional set
size (Pss, /proc/PID/smaps_rollup: shared pages split between the processes that map them, so forked DataLoader
workers are not counted twice) of the command and all its descendants, and also reads the main process's own peak
RSS (VmHWM). Prints the command's output, then `peak_pss_mb P main_peak_rss_mb R`. Linux only."""
import os
import subprocess
import sys
import time


def children(pid):
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return found


def tree(pid):
    pids, todo = [], [pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        todo += children(p)
    return pids


def field(path, name):
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(name + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main():
    process = subprocess.Popen(sys.argv[1:])
    peak_pss, main_hwm = 0, 0
    while process.poll() is None:
        peak_pss = max(peak_pss, sum(field(f"/proc/{p}/smaps_rollup", "Pss") for p in tree(process.pid)))
        main_hwm = max(main_hwm, field(f"/proc/{process.pid}/status", "VmHWM"))
        time.sleep(0.2)
    print(f"peak_pss_mb {peak_pss / 1024:.0f} main_peak_rss_mb {main_hwm / 1024:.0f}", flush=True)
    sys.exit(process.returncode)


main()
