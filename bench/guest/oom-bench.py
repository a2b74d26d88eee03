#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
#
# Guest side of bench/oom-bench.sh, after bench/guest/oom-bench.sh has set
# up the kernel and the defender: runs the workload and the incidents and
# measures them. Runs as root in the VM; pinned in memory (mlockall) and
# exempt from the kernel's OOM killer, so the measurement is not what
# stalls or dies.
#
# The workload, all in /sys/fs/cgroup/user.slice (as a desktop session):
#   - the stand-in (tests/vm/lrg-standin 48: sweeps 48 MiB every 100 ms),
#     with LRG_STANDIN_SWEEPS=1 so every sweep is recorded;
#   - s2 only: one reader per file on the disk: mmaps it and reads one byte
#     per page, then sleeps 200 ms, over and over (a file-backed working set);
#   - per incident: `tail /dev/zero`, the runaway allocator, capped at CAP s
#     (--leak MBPS: instead, a slow leak that touches MBPS MiB of new
#     anonymous memory a second, like a leaking tab; reported as "tail"
#     all the same, the runaway)
#     (then SIGKILLed by this script: "capped", a livelock).
#
# Per incident, sampled every 100 ms: PSI memory some/full totals.
#   onset  = first sample after the runaway starts whose `some` stall is
#            >= 5% of the interval;
#   relief = first sample after the runaway is gone whose `some` stall is
#            < 5% (at most 30 s after it is gone);
#   kills  = processes killed by anyone but this script (the workload's
#            early deaths, and the kernel's OOM kills from dmesg);
#   wrong  = those kills that were not the runaway.
# A workload process that died is restarted before the next incident.
import argparse
import ctypes
import glob
import os
import re
import signal
import subprocess
import sys
import time

CG = "/sys/fs/cgroup/user.slice/cgroup.procs"
# The stand-in runs in a cgroup of its own below user.slice (no controller
# of its own: user.slice keeps its processes, so it is still user.slice's
# memory), only for its memory.pressure: the time the stand-in itself was
# stalled on memory, which host CPU starvation of the VM does not inflate
# (TCG shows the guest no steal time; slow sweeps include it).
STANDIN_CG = "/sys/fs/cgroup/user.slice/standin"
SAMPLE = 0.1
READER = r"""
import mmap, os, sys, time
f = open(sys.argv[1], 'rb')
m = mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)
n = len(m)
while True:
    s = 0
    for off in range(0, n, 4096):
        s += m[off]
    time.sleep(0.2)
"""


LEAK = r"""
import sys, time
rate = float(sys.argv[1])
chunks = []
t0 = time.monotonic()
n = 0
while True:
    chunks.append(bytearray(1 << 20))   # zero-filled: every page touched
    n += 1
    ahead = n / rate - (time.monotonic() - t0)
    if ahead > 0:
        time.sleep(ahead)
"""


def mono_ms():
    return time.clock_gettime(time.CLOCK_MONOTONIC) * 1000.0


def psi(path="/proc/pressure/memory"):
    """(some, full) memory stall totals in microseconds, of the machine or
    of a cgroup's memory.pressure; (0, 0) when the file cannot be read."""
    some = full = 0
    try:
        with open(path) as f:
            for line in f:
                total = int(line.split("total=")[1])
                if line.startswith("some"):
                    some = total
                else:
                    full = total
    except OSError:
        pass
    return some, full


def in_user_slice(procs=CG):
    # children inherit this script's oom_score_adj of -1000: undo it
    with open("/proc/self/oom_score_adj", "w") as f:
        f.write("0")
    with open(procs, "w") as f:
        f.write(str(os.getpid()))


def standin_psi():
    """(some, full) memory stall totals of the stand-in's cgroup, us."""
    return psi(os.path.join(STANDIN_CG, "memory.pressure"))


def cpu_ms(pid):
    """utime + stime of pid in ms (0 when it is gone or pid is 0)."""
    if not pid:
        return 0
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * 1000 // os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0


def meminfo_kb(*keys):
    with open("/proc/meminfo") as f:
        mi = dict(l.split(":", 1) for l in f)
    return [int(mi[k].split()[0]) for k in keys]


def reclaim_counters():
    """(pages reclaimed, workingset refaults) so far, from /proc/vmstat."""
    steal = back = 0
    with open("/proc/vmstat") as f:
        for line in f:
            k, v = line.split()
            if k.startswith("pgsteal_"):
                steal += int(v)
            elif k in ("workingset_refault_file", "workingset_refault_anon"):
                back += int(v)
    return steal, back


def rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def kernel_kills():
    """[(pid, comm)] of every kernel OOM kill so far."""
    out = subprocess.run(["dmesg"], capture_output=True, text=True).stdout
    return [(int(p), c) for p, c in re.findall(r"Killed process (\d+) \(([^)]*)\)", out)]


class Proc:
    def __init__(self, role, argv, out=None, env=None, procs=CG):
        self.role = role
        self.argv = argv
        self.out = out
        self.env = env
        self.procs = procs
        self.start()

    def start(self):
        fo = open(self.out, "a") if self.out else subprocess.DEVNULL
        self.p = subprocess.Popen(self.argv, stdout=fo, stderr=subprocess.DEVNULL,
                                  preexec_fn=lambda: in_user_slice(self.procs), env=self.env)
        if self.out:
            fo.close()
        self.pid = self.p.pid
        self.died_ms = None

    def check(self):
        if self.died_ms is None and self.p.poll() is not None:
            self.died_ms = mono_ms()
            return True
        return False


def settle(limit_ms=30000, quiet_ms=1000):
    """Wait until the memory stall has been below the onset mark for
    quiet_ms (at most limit_ms): the survivors of the incident before read
    their working sets back for a while after it, and a runaway started
    then had that taken for its own onset (S2, 0.3 s after the start).
    Returns the ms waited, or -1 if the machine never settled."""
    start = mono_ms()
    prev = (start, psi()[0])
    quiet = 0
    while mono_ms() - start < limit_ms:
        time.sleep(SAMPLE)
        now = mono_ms()
        some, _ = psi()
        frac = (some - prev[1]) / 1000.0 / max(now - prev[0], 1.0)
        quiet = quiet + (now - prev[0]) if frac < 0.05 else 0
        prev = (now, some)
        if quiet >= quiet_ms:
            return now - start
    return -1


def slow_sweeps(path, seen):
    """Sum of the sweeps over 100 ms recorded after line `seen`; new count."""
    total = 0
    with open(path) as f:
        lines = f.readlines()
    for line in lines[seen:]:
        m = re.match(r"sweep end_ms=(\d+) ms=(\d+)", line)
        if m and int(m.group(2)) > 100:
            total += int(m.group(2))
    return total, len(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--config", required=True)
    ap.add_argument("--incidents", type=int, default=2)
    ap.add_argument("--cap", type=float, default=120)
    ap.add_argument("--standin", required=True)
    ap.add_argument("--disk", default="")
    ap.add_argument("--defender-log", default="")
    ap.add_argument("--defender-pid", type=int, default=0)
    ap.add_argument("--tmp", default="/tmp")
    ap.add_argument("--probe", default="", help="shell command run 20 s into each incident")
    ap.add_argument("--leak", type=float, default=0,
                    help="the runaway is a leak of this many MiB/s, not tail /dev/zero")
    ap.add_argument("--timeline", action="store_true",
                    help="print a line a second per incident: memory, swap, PSI, defender CPU, "
                         "the stand-in's slow sweeps")
    a = ap.parse_args()

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.mlockall(3) != 0:  # MCL_CURRENT | MCL_FUTURE
        print("# warning: mlockall failed")
    with open("/proc/self/oom_score_adj", "w") as f:
        f.write("-1000")

    tag = "scenario=%s config=%s" % (a.scenario, a.config)
    env = dict(os.environ, LRG_STANDIN_SWEEPS="1")
    sout = os.path.join(a.tmp, "standin.sweeps")
    open(sout, "w").close()
    os.makedirs(STANDIN_CG, exist_ok=True)
    work = [Proc("standin", [a.standin, "48"], out=sout, env=env,
                 procs=os.path.join(STANDIN_CG, "cgroup.procs"))]
    if a.disk:
        for path in sorted(glob.glob(os.path.join(a.disk, "*.dat"))):
            work.append(Proc("reader", [sys.executable, "-c", READER, path]))
    # let them fault their working sets in, then a quiet baseline
    time.sleep(15 if a.disk else 5)
    for w in work:
        if w.check():
            print("not ok - %s %d died before the first incident" % (w.role, w.pid))
            return 1
    with open("/proc/meminfo") as f:
        mi = dict(l.split(":", 1) for l in f)
    print("# workload up: %d processes; MemAvailable %s, Cached %s" %
          (len(work), mi["MemAvailable"].strip(), mi["Cached"].strip()))
    base0 = mono_ms()
    time.sleep(5)
    base1 = mono_ms()

    known_kernel = len(kernel_kills())
    windows = []
    incidents = []
    psi_start = psi()
    cpu_start = cpu_ms(a.defender_pid)
    sweeps_seen = 0
    standin_mem_us = [0, 0]
    for i in range(1, a.incidents + 1):
        waited = settle()
        print("# settle before incident %d: %s" % (i, "%.1f s" % (waited / 1000.0) if waited >= 0
                                                   else "never quiet in 30 s"))
        t0 = mono_ms()
        some0, full0 = psi()
        ssome0, sfull0 = standin_psi()
        run = Proc("runaway", [sys.executable, "-c", LEAK, str(a.leak)] if a.leak
                   else ["tail", "/dev/zero"])
        prev = (t0, some0)
        onset = death = relief = None
        capped = False
        probe = None
        early = []  # workload processes that died in this incident
        tl_prev = (t0, some0, full0, cpu_ms(a.defender_pid)) + reclaim_counters()
        while True:
            time.sleep(SAMPLE)
            now = mono_ms()
            some, _ = psi()
            dt = max(now - prev[0], 1.0)
            frac = (some - prev[1]) / 1000.0 / dt  # us -> ms, per ms
            prev = (now, some)
            for w in work:
                if w.check():
                    early.append(w)
            if a.timeline and now - tl_prev[0] >= 1000:
                some_t, full_t = psi()
                cpu = cpu_ms(a.defender_pid)
                avail, swapf = meminfo_kb("MemAvailable", "SwapFree")
                slow, sweeps_seen = slow_sweeps(sout, sweeps_seen)
                steal, back = reclaim_counters()
                print("# TL %d t=%.1f avail_mb=%d swapfree_mb=%d some_ms=%d full_ms=%d "
                      "defender_cpu_ms=%d slow_sweeps_ms=%d runaway_rss_mb=%d steal=%d refault=%d" %
                      (i, (now - t0) / 1000.0, avail // 1024, swapf // 1024,
                       (some_t - tl_prev[1]) // 1000, (full_t - tl_prev[2]) // 1000,
                       cpu - tl_prev[3], slow, rss_kb(run.pid) // 1024 if death is None else 0,
                       steal - tl_prev[4], back - tl_prev[5]))
                tl_prev = (now, some_t, full_t, cpu, steal, back)
            if a.probe and probe is None and death is None and now - t0 >= 20000:
                probe = subprocess.Popen(["sh", "-c", a.probe], stdout=open(
                    os.path.join(a.tmp, "probe-%d.txt" % i), "w"), stderr=subprocess.STDOUT)
            if death is None:
                if onset is None and frac >= 0.05:
                    onset = now
                if run.check():
                    death = run.died_ms
                elif now - t0 >= a.cap * 1000:
                    capped = True
                    run.p.kill()
                    run.p.wait()
                    run.check()
                    death = run.died_ms
            elif relief is None and frac < 0.05:
                relief = now
            if relief is not None or (death is not None and now - death > 30000):
                break
        time.sleep(3)  # settle: the stand-in's last slow sweep ends
        t1 = mono_ms()
        ssome1, sfull1 = standin_psi()
        standin_mem_us[0] += ssome1 - ssome0
        standin_mem_us[1] += sfull1 - sfull0
        for w in work:
            if w.check():
                early.append(w)
        kk = kernel_kills()
        new_kernel = kk[known_kernel:]
        known_kernel = len(kk)
        kpids = {p for p, _ in new_kernel}
        ours = {w.pid: w for w in work}
        ours[run.pid] = run
        kills = []  # (pid, comm/role, by)
        rc = run.p.returncode
        if not capped and rc is not None and rc < 0:
            kills.append((run.pid, "tail", "kernel" if run.pid in kpids else a.config))
        elif not capped and rc is not None and rc != 0 and run.pid in kpids:
            kills.append((run.pid, "tail", "kernel"))
        for w in early:
            kills.append((w.pid, w.role, "kernel" if w.pid in kpids else a.config))
        for p, c in new_kernel:
            if p not in ours:
                kills.append((p, c, "kernel"))
        wrong = [k for k in kills if k[0] != run.pid]
        o2r = 0.0
        if onset is not None:
            o2r = ((relief if relief is not None else t1) - onset) / 1000.0
        life = (death - t0) / 1000.0
        inc = dict(i=i, life=life, capped=capped, kills=len(kills), wrong=len(wrong),
                   o2r=o2r, onset=(onset - t0) / 1000.0 if onset else -1,
                   relief=relief is not None, t0=t0, t1=t1)
        incidents.append(inc)
        windows.append((t0, t1))
        print("# RESULT %s incident=%d runaway_life_s=%.1f capped=%d onset_s=%.1f "
              "onset_to_relief_s=%.1f relieved=%d kills=%d wrong=%d victims=%s" %
              (tag, i, life, capped, inc["onset"], o2r, inc["relief"], len(kills), len(wrong),
               ",".join("%s:%d:%s" % (c, p, by) for p, c, by in kills) or "-"))
        if probe is not None:
            try:
                probe.wait(timeout=10)
            except subprocess.TimeoutExpired:
                probe.kill()
            with open(os.path.join(a.tmp, "probe-%d.txt" % i)) as f:
                for line in f.read().splitlines()[:25]:
                    print("# [probe at 20 s, incident %d] %s" % (i, line))
        sys.stdout.flush()
        # restart what died, and let it settle before the next incident
        for w in early:
            w.start()
        time.sleep(8 if early else 3)
        for w in work:
            if w.check():
                print("# %s %d died between incidents" % (w.role, w.pid))
                w.start()
    psi_end = psi()
    cpu_end = cpu_ms(a.defender_pid)

    standin = work[0]
    standin_alive = standin.p.poll() is None
    standin.p.send_signal(signal.SIGTERM)
    for w in work:
        try:
            w.p.kill() if w is not standin else None
            w.p.wait(timeout=10)
        except Exception:
            pass

    sweeps = []
    base = []
    with open(sout) as f:
        for line in f:
            m = re.match(r"sweep end_ms=(\d+) ms=(\d+)", line)
            if not m:
                continue
            end, d = int(m.group(1)), int(m.group(2))
            if base0 <= end <= base1:
                base.append(d)
            if any(t0 <= end <= t1 for t0, t1 in windows):
                sweeps.append(d)
    sweeps.sort()
    stall = sum(d for d in sweeps if d > 100)
    p99 = sweeps[(len(sweeps) * 99) // 100] if sweeps else 0
    mx = sweeps[-1] if sweeps else 0
    bstall = sum(d for d in base if d > 100)
    wrong = sum(x["wrong"] for x in incidents)
    print("# SUMMARY %s stall_ms=%d p99_ms=%d max_ms=%d sweeps=%d wrong=%d kills=%s "
          "onset_to_relief_s=%s capped=%d psi_full_ms=%d psi_some_ms=%d baseline_stall_ms=%d "
          "life_s=%s standin_alive=%d defender_cpu_ms=%d standin_mem_some_ms=%d" %
          (tag, stall, p99, mx, len(sweeps), wrong,
           ",".join(str(x["kills"]) for x in incidents),
           ",".join("%.1f" % x["o2r"] for x in incidents),
           sum(1 for x in incidents if x["capped"]),
           (psi_end[1] - psi_start[1]) // 1000, (psi_end[0] - psi_start[0]) // 1000, bstall,
           ",".join("%.1f" % x["life"] for x in incidents), standin_alive,
           cpu_end - cpu_start, standin_mem_us[0] // 1000))
    print("ok - %s: %d incidents measured" % (tag, len(incidents)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
