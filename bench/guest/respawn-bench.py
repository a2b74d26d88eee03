#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
#
# Guest side of scenario S4 of bench/oom-bench.sh, after
# bench/guest/oom-bench.sh has set up the kernel and the defender: a
# runaway that the user's shell restarts as soon as it dies, beside a UI
# and an application, for a fixed time. Runs as root in the VM, pinned in
# memory and exempt from the kernel's OOM killer.
#
# The workload, as a desktop session lays it out:
#   user.slice/user-1000.slice/user@1000.service/app.slice/ui.scope
#       the UI: lrg-standin sweeping 48 MiB every 100 ms
#   .../app.slice/app.scope
#       an application: lrg-standin sweeping 48 MiB (s4) or 96 MiB (s4z)
#       every 1 s
#   user.slice/user-1000.slice/session-1.scope
#       the user's shell: while true; do tail /dev/zero; done
# s4: no swap, the UI's and the application's working sets are files on
#     the throttled ext4 disk (r1.dat, r2.dat), mapped and read: the only
#     memory the kernel can take from them is theirs to read back;
# s4z: zram swap, anonymous working sets.
#
# Prints one "# SUMMARY" line: the UI's and the application's stall (sum
# of sweeps over 100 ms during the loop; under TCG that includes CPU
# contention with the runaway), their major faults (pages the kernel took
# and they read back: the memory side alone), the runaways that died, by whose
# hand (the kernel's OOM killer from dmesg; else the defender), whether the
# loop itself ended (its shell killed: a whole-cgroup kill), wrong kills,
# and the defender's CPU time and largest RSS.
import argparse
import ctypes
import os
import re
import subprocess
import sys
import time

CG = "/sys/fs/cgroup"
USER = "user.slice/user-1000.slice"
APPS = USER + "/user@1000.service/app.slice"
LOOP = "while true; do tail /dev/zero; echo \"tail exit $?\"; done"


def make_cgroup(path):
    """Create path below CG with the memory controller on at every level."""
    parts = path.split("/")
    for i in range(1, len(parts) + 1):
        d = os.path.join(CG, *parts[:i])
        os.makedirs(d, exist_ok=True)
        if i < len(parts):
            try:
                with open(os.path.join(d, "cgroup.subtree_control"), "w") as f:
                    f.write("+memory")
            except OSError:
                pass
    return os.path.join(CG, path)


def enter(cgroup):
    def fn():
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write("0")
        with open(os.path.join(cgroup, "cgroup.procs"), "w") as f:
            f.write(str(os.getpid()))
    return fn


def mono_ms():
    return time.clock_gettime(time.CLOCK_MONOTONIC) * 1000.0


def cpu_ms(pid):
    if not pid:
        return 0
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * 1000 // os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0


def status_kb(pid, key):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def kernel_kills():
    out = subprocess.run(["dmesg"], capture_output=True, text=True).stdout
    return [(int(p), c) for p, c in re.findall(r"Killed process (\d+) \(([^)]*)\)", out)]


def read_int(path):
    try:
        with open(path) as f:
            v = f.read().strip()
        return 0 if v == "max" else int(v)
    except (OSError, ValueError):
        return 0


def majfaults(cgroup):
    """pgmajfault of the cgroup's memory.stat: pages it read back."""
    try:
        with open(os.path.join(cgroup, "memory.stat")) as f:
            for line in f:
                k, v = line.split()
                if k == "pgmajfault":
                    return int(v)
    except (OSError, ValueError):
        pass
    return 0


def stall_ms(path, t0, t1):
    total = 0
    with open(path) as f:
        for line in f:
            m = re.match(r"sweep end_ms=(\d+) ms=(\d+)", line)
            if m and t0 <= int(m.group(1)) <= t1 and int(m.group(2)) > 100:
                total += int(m.group(2))
    return total


def start_standin(a, cgroup, out, mib, period_ms, file):
    env = dict(os.environ, LRG_STANDIN_SWEEPS="1", LRG_STANDIN_PERIOD_MS=str(period_ms))
    if file:
        env["LRG_STANDIN_FILE"] = file
    fo = open(out, "a")
    p = subprocess.Popen([a.standin, str(mib)], stdout=fo, stderr=subprocess.STDOUT,
                         preexec_fn=enter(cgroup), env=env)
    fo.close()
    return p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--config", required=True)
    ap.add_argument("--duration", type=float, default=90)
    ap.add_argument("--standin", required=True)
    ap.add_argument("--disk", default="")
    ap.add_argument("--defender-pid", type=int, default=0)
    ap.add_argument("--tmp", default="/tmp")
    ap.add_argument("--probe", default="", help="shell command run 10 s into the loop")
    a = ap.parse_args()

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.mlockall(3) != 0:
        print("# warning: mlockall failed")
    with open("/proc/self/oom_score_adj", "w") as f:
        f.write("-1000")
    tag = "scenario=%s config=%s" % (a.scenario, a.config)

    ui_cg = make_cgroup(APPS + "/ui.scope")
    app_cg = make_cgroup(APPS + "/app.scope")
    sh_cg = make_cgroup(USER + "/session-1.scope")
    ui_out = os.path.join(a.tmp, "ui.sweeps")
    app_out = os.path.join(a.tmp, "app.sweeps")
    loop_out = os.path.join(a.tmp, "loop.out")
    for p in (ui_out, app_out, loop_out):
        open(p, "w").close()
    disk = a.disk
    ui = start_standin(a, ui_cg, ui_out, 48, 100, disk and os.path.join(disk, "r1.dat"))
    app = start_standin(a, app_cg, app_out, 48 if disk else 96, 1000,
                        disk and os.path.join(disk, "r2.dat"))
    # The UI and the application run 40 s before the loop starts: on a
    # desktop they have run for minutes when a runaway comes, and lrugend
    # protects a working set once it has held for 30 s (its established
    # working set, which a runaway's growth never is).
    time.sleep(40)
    if ui.poll() is not None or app.poll() is not None:
        print("not ok - %s: the UI and the application run" % tag)
        return 1
    known = len(kernel_kills())
    cpu0 = cpu_ms(a.defender_pid)
    rss_max = status_kb(a.defender_pid, "VmRSS")

    prot_min = None
    for cg in (ui_cg, app_cg):
        print("# [at the loop's start] %s: memory.min %d memory.current %d" %
              (cg, read_int(os.path.join(cg, "memory.min")),
               read_int(os.path.join(cg, "memory.current"))))
    faults0 = majfaults(ui_cg) + majfaults(app_cg)
    t0 = mono_ms()
    fo = open(loop_out, "a")
    loop = subprocess.Popen(["sh", "-c", LOOP], stdout=fo, stderr=subprocess.STDOUT,
                            preexec_fn=enter(sh_cg))
    fo.close()
    loop_ended = False
    probed = not a.probe
    ui_died = app_died = 0
    while mono_ms() - t0 < a.duration * 1000:
        time.sleep(1)
        rss_max = max(rss_max, status_kb(a.defender_pid, "VmRSS"))
        if not probed and mono_ms() - t0 >= 10000:
            probed = True
            out = subprocess.run(["sh", "-c", a.probe], capture_output=True, text=True).stdout
            for line in out.splitlines()[:40]:
                print("# [probe at 10 s] %s" % line)
            for cg in (ui_cg, app_cg):
                print("# [probe at 10 s] %s: memory.min %d memory.current %d" %
                      (cg, read_int(os.path.join(cg, "memory.min")),
                       read_int(os.path.join(cg, "memory.current"))))
        prot = read_int(os.path.join(ui_cg, "memory.min"))
        prot_min = prot if prot_min is None else min(prot_min, prot)
        if loop.poll() is not None:
            loop_ended = True
        if ui.poll() is not None:
            ui_died += 1
            ui = start_standin(a, ui_cg, ui_out, 48, 100, disk and os.path.join(disk, "r1.dat"))
        if app.poll() is not None:
            app_died += 1
            app = start_standin(a, app_cg, app_out, 48 if disk else 96, 1000,
                                disk and os.path.join(disk, "r2.dat"))
    t1 = mono_ms()
    faults = majfaults(ui_cg) + majfaults(app_cg) - faults0
    cpu = cpu_ms(a.defender_pid) - cpu0
    rss_max = max(rss_max, status_kb(a.defender_pid, "VmHWM"))
    with open(os.path.join(sh_cg, "cgroup.kill"), "w") as f:
        f.write("1")
    time.sleep(2)

    kk = kernel_kills()[known:]
    k_tail = sum(1 for _, c in kk if c == "tail")
    k_wrong = sum(1 for _, c in kk if c != "tail")
    with open(loop_out) as f:
        exits = [int(x) for x in re.findall(r"tail exit (\d+)", f.read())]
    died = sum(1 for x in exits if x >= 128)
    by_defender = max(died - k_tail, 0)
    if loop_ended:
        by_defender += 1   # the incarnation that went with its shell
    ui_stall = stall_ms(ui_out, t0, t1)
    app_stall = stall_ms(app_out, t0, t1)
    # the same 10 s before the loop: what the sweeps cost without it
    base = stall_ms(ui_out, t0 - 10000, t0) + stall_ms(app_out, t0 - 10000, t0)
    print("# SUMMARY %s stall_ms=%d ui_stall_ms=%d app_stall_ms=%d runaways=%d by_defender=%d "
          "by_kernel=%d loop_ended=%d wrong=%d defender_cpu_ms=%d defender_rss_kb=%d "
          "duration_s=%.0f baseline_stall_ms_10s=%d ui_min_mb=%d majfaults=%d" %
          (tag, ui_stall + app_stall, ui_stall, app_stall, by_defender + k_tail, by_defender,
           k_tail, loop_ended, k_wrong + ui_died + app_died, cpu, rss_max, (t1 - t0) / 1000,
           base, (prot_min or 0) >> 20, faults))
    print("ok - %s: the loop ran %.0f s" % (tag, (t1 - t0) / 1000))
    ui.terminate()
    app.terminate()
    return 0


if __name__ == "__main__":
    sys.exit(main())
