#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Guest side of tests/system/system-test.sh, run at every boot of the test
# image by lrg-systemtest.service (tests/system/image.sh) from the 9p share
# that also holds the .debs. Prints TAP points on the serial console; the
# host renumbers them. Two boots:
#
#   install  apt installs the two packages (DKMS builds lrugen.ko), checks
#            the running service, adds a stand-in display-manager.service,
#            and reboots;
#   boot2    the module loaded at boot and lrugend started before the
#            display manager; lrugenctl; a refused reload; a runaway in a
#            user's scope killed, and that user told on their session bus;
#            the watchdog; apt purge leaves nothing.
#
# Every wait is a poll with a deadline, by the clock: TCG on a loaded host
# is slow and uneven.
set -u
share=/run/lrgtest
state=/var/lib/lrgtest
kill_id=4c1e2f8a9b7d4e06a3c5d2b1e0f9a8c7	# LRG_MESSAGE_ID_KILL, daemon/oom.h
mkdir -p "$state"
phase=$(cat "$state/phase" 2>/dev/null || echo install)
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export SYSTEMD_PAGER= SYSTEMD_COLORS=0 DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8

ok() { echo "ok - $*"; }
notok() { echo "not ok - $*"; }
check() { # check DESCRIPTION COMMAND...: one TAP point for COMMAND's status
	c_desc=$1
	shift
	if "$@"; then ok "$c_desc"; else notok "$c_desc"; fi
}
comment() { sed 's/^/# /'; }

# wait_for SECONDS COMMAND...: poll every 0.5 s; 0 when COMMAND succeeded
wait_for() {
	w_end=$(($(date +%s) + $1))
	shift
	while [ "$(date +%s)" -lt $w_end ]; do
		"$@" && return 0
		sleep 0.5
	done
	"$@"
}

# The root file system's files, minus what a system changes on its own and
# apt's own bookkeeping (logs, caches, the package lists and the dpkg
# database's backups), and minus this script's state and what its user
# session leaves (the linger flag, the user's home).
snapshot() {
	find / -xdev \( -path /var/log -o -path /var/cache -o -path /var/lib/apt \
		-o -path /tmp -o -path /var/tmp -o -path "$state" \
		-o -path /var/lib/systemd/timers -o -path /var/lib/systemd/coredump \
		-o -path /var/lib/systemd/linger -o -path /home \) -prune \
		-o ! -name '*-old' -print | LC_ALL=C sort
}

unit_journal() { # this boot's messages of lrugend.service, by systemd and by lrugend
	journalctl -b -u lrugend.service -o cat --no-pager "$@"
}

run_journal() { # what lrugend logged in its current run
	journalctl -b "_SYSTEMD_INVOCATION_ID=$(systemctl show -p InvocationID --value lrugend.service)" \
		-o cat --no-pager
}

run_has_backend_kmod() { run_journal | grep -q '^backend kmod'; }

kernel_log_clean() { # no warning, bug or oops in this boot's kernel log
	journalctl -k -b -o cat --no-pager >/tmp/kernel.log
	if grep -E 'WARNING:|BUG:|Oops|cut here|general protection' /tmp/kernel.log >/tmp/kernel.bad; then
		head -20 /tmp/kernel.bad | comment
		return 1
	fi
	return 0
}

# dkms status lrugen into /tmp/dkms.status, shown as comments; its stderr
# apart (Debian 12's dkms reports a broken pipe of its own there)
dkms_status() {
	dkms status lrugen >/tmp/dkms.status 2>/tmp/dkms.err
	comment </tmp/dkms.status
	grep -v "Broken pipe" /tmp/dkms.err | comment
}

main_pid() { systemctl show -p MainPID --value lrugend.service; }
prop() { systemctl show -p "$1" --value lrugend.service; }
is_active() { systemctl is-active --quiet lrugend.service; }
has_word() { echo "$2" | tr ' ' '\n' | grep -qx "$1"; }	# has_word WORD LIST
# less N M: both numbers and N < M
less() { [ -n "$1" ] && [ -n "$2" ] && [ "$1" -lt "$2" ]; }

phase_install() {
	snapshot >"$state/before.list"
	mkdir -p /tmp/debs && cp "$share"/lrugend_*.deb "$share"/lrugen-dkms_*.deb /tmp/debs/
	a_start=$(date +%s)
	if (cd /tmp/debs && apt-get install -y --no-install-recommends ./lrugend_*.deb ./lrugen-dkms_*.deb) \
		>"$state/apt-install.log" 2>&1; then
		ok "apt install ./lrugend_*.deb ./lrugen-dkms_*.deb ($(($(date +%s) - a_start)) s, DKMS build included)"
	else
		notok "apt install ./lrugend_*.deb ./lrugen-dkms_*.deb"
		tail -40 "$state/apt-install.log" | comment
	fi
	rm -rf /tmp/debs
	grep -iE "dkms|building|lrugen" "$state/apt-install.log" | head -20 | comment

	kver=$(uname -r)
	dkms_status
	check "DKMS built and installed lrugen.ko for $kver" \
		grep -q "^lrugen/[^,]*, $kver, [^:]*: installed" /tmp/dkms.status
	find "/lib/modules/$kver" -name 'lrugen.ko*' >/tmp/ko.list
	comment </tmp/ko.list
	check "lrugen.ko is under /lib/modules/$kver" test -s /tmp/ko.list
	check "the package loaded lrugen.ko into the running kernel" test -d /sys/module/lrugen
	check "systemctl is-active lrugend: $(systemctl is-active lrugend.service)" is_active
	check "systemctl is-enabled lrugend: $(systemctl is-enabled lrugend.service)" \
		systemctl is-enabled --quiet lrugend.service

	wait_for 30 run_has_backend_kmod
	unit_journal | comment
	check "the journal: lrugend's current run logged backend kmod" run_has_backend_kmod
	# the unit's capabilities suffice for the trigger (CAP_SYS_RESOURCE)
	check "the journal: a PSI trigger on /proc/pressure/memory wakes lrugend under its unit" \
		sh -c "journalctl -b -u lrugend.service -o cat | grep -q '^PSI trigger: a memory stall'"
	# systemd logs "Started" for a Type=notify unit when READY=1 arrives
	unit_journal >/tmp/unit.journal
	check "the journal: READY=1 received (systemd: Started lrugend.service)" \
		grep -q '^Started lrugend.service' /tmp/unit.journal
	st=$(prop StatusText)
	check "sd_notify STATUS=$st" test "${st#backend kmod}" != "$st"
	check "kernel log clean (boot 1)" kernel_log_clean

	# A stand-in display manager that logs whether lrugend was active when
	# it started: lrugend.service has Before=display-manager.service.
	cat >/etc/systemd/system/display-manager.service <<'UNIT'
[Unit]
Description=Stand-in display manager (tests/system)

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/sh -c 'echo "stand-in display manager: lrugend.service is $(systemctl is-active lrugend.service)"'

[Install]
WantedBy=multi-user.target
UNIT
	systemctl enable display-manager.service >/dev/null 2>&1
	echo boot2 >"$state/phase"
	sync
	echo "### REBOOT"
	systemctl reboot
}

line_of() { # line_of PATTERN: first line number in the boot's journal
	grep -n -m1 -e "$1" /tmp/boot.journal | cut -d: -f1
}

check_boot_order() {
	journalctl -b -o short-monotonic --no-pager >/tmp/boot.journal
	l_mod=$(line_of "Inserted module 'lrugen'")
	l_backend=$(line_of "lrugend\[[0-9]*\]: backend kmod")
	l_started=$(line_of "Started lrugend.service")
	l_dm=$(line_of "Starting display-manager.service")
	echo "boot log excerpt (journalctl -b -o short-monotonic):" | comment
	for l in $l_mod $l_backend $l_started $l_dm; do
		sed -n "${l}p" /tmp/boot.journal | comment
	done
	check "lrugen.ko loaded at boot by systemd-modules-load" test -n "$l_mod" -a -d /sys/module/lrugen
	check "the journal's order: module loaded, lrugend on backend kmod, READY (Started), display manager starting" \
		eval 'less "$l_mod" "$l_backend" && less "$l_backend" "$l_started" && less "$l_started" "$l_dm"'
	check "unit ordering: lrugend Before=display-manager.service" \
		has_word display-manager.service "$(prop Before)"
	check "unit ordering: lrugend After=systemd-modules-load.service" \
		has_word systemd-modules-load.service "$(prop After)"
	dm=$(journalctl -b -u display-manager.service -o cat | grep "stand-in display manager")
	check "the display manager found lrugend active when it started ($dm)" \
		test "${dm%lrugend.service is active}" != "$dm"
}

slice_ttl() { # slice_ttl SLICE: its MIN_TTL column in lrugenctl status
	lrugenctl status 2>/dev/null | awk -v s="$1" '$1 == s { print $2; exit }'
}
ttl_is() { [ "$(slice_ttl user.slice)" = "$1" ]; }	# ttl_is VALUE: user.slice's
journal_since_has() { unit_journal --since "$1" | grep -q -e "$2"; }

check_reload() {
	pid=$(main_pid)
	ttl0=$(slice_ttl user.slice)
	mkdir -p /etc/lrugend/lrugend.conf.d
	f=/etc/lrugend/lrugend.conf.d/90-systest.conf
	printf '[slice user.slice]\nmin_ttl_ms = 2500\nswappiness = plenty\n' >"$f"
	since=$(date '+%Y-%m-%d %H:%M:%S')
	systemctl reload lrugend.service
	wait_for 20 journal_since_has "$since" "reload refused"
	unit_journal --since "$since" | comment
	check "reload with an error: the journal names $f:3" journal_since_has "$since" "$f:3"
	check "reload with an error: refused, the old configuration stays (user.slice min_ttl $(slice_ttl user.slice), was $ttl0)" \
		eval 'test -n "$ttl0" && ttl_is "$ttl0"'
	check "reload with an error: the service stays active, same pid ($pid)" \
		eval 'is_active && test "$(main_pid)" = "$pid"'
	# the drop-in without its error is taken: the check above can fail
	printf '[slice user.slice]\nmin_ttl_ms = 2500\n' >"$f"
	systemctl reload lrugend.service
	wait_for 20 ttl_is 2500ms
	check "reload without the error: user.slice min_ttl $(slice_ttl user.slice)" ttl_is 2500ms
	rm -f "$f"
	systemctl reload lrugend.service
	wait_for 20 ttl_is "$ttl0"
}

kill_events() { journalctl -b "MESSAGE_ID=$kill_id" -o cat | wc -l; }
kernel_kills() { journalctl -k -b -o cat | grep -c "Out of memory: Killed process"; }

runaway_once() { # runaway_once N: tail /dev/zero in user 1000's scope; sets r_kill
	r_k0=$(kill_events)
	r_kk0=$(kernel_kills)
	r_start=$(date +%s)
	# the kernel's OOM killer would end it too; 120 s at most
	timeout -s KILL 120 systemd-run --quiet --uid=1000 --scope --slice=user-1000.slice \
		--unit="lrg-runaway-$1" tail /dev/zero >/dev/null 2>&1
	r_st=$?
	sleep 2
	r_kill=$(($(kill_events) - r_k0))
	echo "attempt $1: tail ended with status $r_st after $(($(date +%s) - r_start)) s ($r_kill lrugend kill event(s), $(($(kernel_kills) - r_kk0)) kernel OOM kill(s))" | comment
}

# start_session: uid 1000's service manager (lingering, as a logged-in
# user's runs) with its session bus, and lrg-notify-sink on it in place of
# the desktop's notification daemon, writing what it is told to
# /tmp/notes; sets sink
start_session() {
	loginctl enable-linger tester
	wait_for 60 test -S /run/user/1000/bus
	runuser -u tester -- env XDG_RUNTIME_DIR=/run/user/1000 \
		DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/1000/bus \
		"$share/lrg-notify-sink" /tmp/notes >/tmp/sink.out 2>&1 &
	sink=$!
	wait_for 20 grep -q ready /tmp/sink.out
	check "uid 1000's session bus and a notification server on it ($(cat /tmp/sink.out))" \
		grep -q ready /tmp/sink.out
}

stop_session() {
	kill "$sink" 2>/dev/null
	loginctl disable-linger tester
	wait_for 30 eval '! systemctl -q is-active user@1000.service'
}

check_runaway() {
	start_session
	modprobe zram && echo 256M >/sys/block/zram0/disksize && mkswap /dev/zram0 >/dev/null &&
		swapon /dev/zram0
	check "zram swap of 256 MiB" grep -q zram0 /proc/swaps
	# Who ends a runaway first, lrugend or the kernel's OOM killer, is a
	# race (PSI averages lag; the kernel acts when reclaim fails): an
	# attempt the kernel won is run again, up to 3 attempts.
	for a in 1 2 3; do
		runaway_once $a
		[ "$r_kill" -ge 1 ] && break
	done
	journalctl -b "MESSAGE_ID=$kill_id" -o verbose --no-pager | tail -n 40 >/tmp/kill.event
	grep -E "MESSAGE=|VICTIM_|REASON|DECISION|KILL_UNIT|TTL_SLICE|MIN_TTL|PRIORITY|_SYSTEMD_UNIT" /tmp/kill.event | comment
	check "the runaway in user-1000.slice was killed by lrugend (attempt $a)" test "$r_kill" -ge 1
	check "journalctl MESSAGE_ID=$kill_id: the structured event names tail in user-1000.slice" \
		eval 'grep -q "VICTIM_COMM=tail" /tmp/kill.event &&
			grep -q "VICTIM_CGROUP=.*user-1000.slice/lrg-runaway-$a.scope" /tmp/kill.event &&
			grep -q "VICTIM_PID=[0-9]" /tmp/kill.event && grep -q "_SYSTEMD_UNIT=lrugend.service" /tmp/kill.event'
	check "lrugend survived the runaway" is_active
	wait_for 20 grep -q "was stopped" /tmp/notes
	check "the victim's user was told on their desktop, under the unit's sandbox: $(cut -f2 /tmp/notes 2>/dev/null | head -1)" \
		grep -q "^lrugend	tail was stopped" /tmp/notes
	cut -f3 /tmp/notes 2>/dev/null | comment
	unit_journal | grep -i "notification" | comment
	stop_session
	swapoff /dev/zram0
	echo 1 >/sys/block/zram0/reset
}

restarted_from() { # restarted_from PID: another main process runs, active
	p=$(main_pid)
	[ "$p" != "$1" ] && [ "$p" != 0 ] && is_active
}

check_watchdog() {
	d=/etc/systemd/system/lrugend.service.d
	mkdir -p "$d"
	printf '[Service]\nWatchdogSec=4s\nTimeoutAbortSec=5s\n' >"$d/90-systest-watchdog.conf"
	systemctl daemon-reload
	systemctl restart lrugend.service
	pid=$(main_pid)
	n0=$(prop NRestarts)
	check "WatchdogSec=4s in a drop-in: WatchdogUSec=$(prop WatchdogUSec)" test "$(prop WatchdogUSec)" = 4s
	since=$(date '+%Y-%m-%d %H:%M:%S')
	kill -STOP "$pid"
	wait_for 60 restarted_from "$pid"
	unit_journal --since "$since" | head -20 | comment
	check "the watchdog: systemd logged the timeout of the stopped daemon" \
		journal_since_has "$since" "Watchdog timeout"
	check "the watchdog: restarted (pid $pid -> $(main_pid), NRestarts $n0 -> $(prop NRestarts)), active" \
		eval 'restarted_from "$pid" && test "$(prop NRestarts)" -gt "$n0"'
	rm -rf "$d"
	systemctl daemon-reload
}

service_gone() {
	! systemctl cat lrugend.service >/dev/null 2>&1 && ! is_active && ! pgrep -x lrugend >/dev/null
}

check_purge() {
	# what the test itself added, as an administrator would remove it
	systemctl disable display-manager.service >/dev/null 2>&1
	rm -f /etc/systemd/system/display-manager.service
	systemctl daemon-reload
	p_start=$(date +%s)
	if apt-get purge -y lrugend lrugen-dkms >"$state/apt-purge.log" 2>&1; then
		ok "apt purge lrugend lrugen-dkms ($(($(date +%s) - p_start)) s)"
	else
		notok "apt purge lrugend lrugen-dkms"
		tail -30 "$state/apt-purge.log" | comment
	fi
	check "the service is gone (no unit, not active, no lrugend process)" service_gone
	dkms_status
	check "the module is gone: dkms status empty" test ! -s /tmp/dkms.status
	find /lib/modules -name 'lrugen.ko*' >/tmp/ko.list
	comment </tmp/ko.list
	check "the module is gone: no lrugen.ko under /lib/modules" test ! -s /tmp/ko.list
	check "the module is gone: unloaded from the running kernel" test ! -d /sys/module/lrugen
	check "no /run/lrugend" test ! -e /run/lrugend
	check "dpkg knows neither package (not even config-files)" \
		eval '! dpkg-query -W lrugend lrugen-dkms >/dev/null 2>&1'
	snapshot >"$state/after.list"
	comm -13 "$state/before.list" "$state/after.list" >/tmp/added
	comm -23 "$state/before.list" "$state/after.list" >/tmp/removed
	[ -s /tmp/added ] && { echo "left behind:"; head -30 /tmp/added; } | comment
	[ -s /tmp/removed ] && { echo "gone since before the install:"; head -30 /tmp/removed; } | comment
	check "no file left behind ($(wc -l <"$state/before.list") files before install, $(wc -l <"$state/after.list") after purge)" \
		eval 'test ! -s /tmp/added && test ! -s /tmp/removed'
}

systemctl is-system-running --wait >/dev/null 2>&1
echo "### PHASE $phase $(cut -d' ' -f1 /proc/uptime) s after boot, kernel $(uname -r)"
case $phase in
install)
	phase_install
	;;
boot2)
	check_boot_order
	lrugenctl status >/tmp/status 2>&1
	rc=$?
	head -12 /tmp/status | comment
	check "lrugenctl status answers (exit $rc, backend kmod)" eval 'test $rc = 0 && grep -q kmod /tmp/status'
	check_reload
	check_runaway
	check_watchdog
	check "kernel log clean (boot 2)" kernel_log_clean
	check_purge
	echo done >"$state/phase"
	echo "### END"
	sync
	systemctl poweroff
	;;
*)
	notok "an unexpected boot (phase $phase)"
	echo "### END"
	systemctl poweroff
	;;
esac
