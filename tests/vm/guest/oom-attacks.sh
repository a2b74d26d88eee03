#!/bin/sh
# Guest of tests/vm/oom-attacks.sh, one boot, no swap. The cgroup tree is
# systemd's: user-UID.slice with a session scope and the user's own
# service manager, user@UID.service, delegated to the user (its directory
# and cgroup.procs, cgroup.subtree_control and cgroup.threads are the
# user's, as systemd's Delegate= makes them). lrugend runs on its built-in
# defaults in system.slice/lrugend.service.
#
# uid 1001's application is the bystander: lrg-standin, 96 MiB swept every
# 100 ms, in its app.slice. uid 1000 is the attacker: a runaway (lrg-leak,
# 24 MiB/s) dressed up in one way per attack:
#   plain                in its session scope;
#   init.scope           moved by the user into user@1000.service/init.scope
#                        (the top-level /init.scope, PID 1's, is oom=never);
#   comm gnome-shell, comm systemd, comm bash
#                        named by prctl(PR_SET_NAME);
#   copy named Xorg, copy named sshd
#                        a copy of the binary under that file name;
#   preloaded into systemd
#                        LD_PRELOAD into /usr/lib/systemd/systemd, a file
#                        root owns that the built-in profile protects by exe:
#                        with the user's own library lrugend ends it; with
#                        a library of root's lrugend kills nobody in its
#                        place (the kernel ends it);
#   user's system.slice  a system.slice/sshd.service the user made below
#                        user@1000.service;
#   230-char scope       a cgroup whose name is 230 characters long;
#   40 levels deep       a cgroup 40 levels below user@1000.service;
#   split over 8         eight processes of 3 MiB/s each in one scope;
#   leaderless           the leak in a thread, the main thread gone by
#                        pthread_exit: the leader is a zombie (no mm of its
#                        own in /proc) while the process runs on;
#   1100 cgroups first   1,100 empty cgroups made before the runaway's.
# Each point: the runaway is gone, lrugend ended it (its log names only the
# attacker's pids), the kernel's OOM killer killed nothing, the bystander
# lives.
set -u
B=$LRG_BUILDDIR
T=$LRG_TMP
CG=/sys/fs/cgroup
ATT=user.slice/user-1000.slice
BYS=user.slice/user-1001.slice
UM=$ATT/user@1000.service
RATE=24

. "$LRG_SRCDIR/tests/vm/guest/oom-lib.sh"

# memcg PATH: a cgroup below $CG with the memory controller on the way
memcg() {
	m_path=
	for m_c in $(echo "$1" | tr / ' '); do
		echo +memory >"$CG/$m_path/cgroup.subtree_control" 2>/dev/null
		m_path=$m_path/$m_c
		mkdir -p "$CG/$m_path"
	done
}
# delegate PATH UID: the user's own, as systemd's Delegate=yes leaves
# user@UID.service: the directory, every cgroup below it, and the files
# cgroup.procs, cgroup.subtree_control and cgroup.threads of each
delegate() {
	find "$CG/$1" -type d | while read -r d; do
		chown "$2:$2" "$d" "$d/cgroup.procs" "$d/cgroup.subtree_control" "$d/cgroup.threads"
	done
}

insmod "$LRG_KO" || { echo "not ok - insmod lrugen.ko"; exit 1; }
echo +memory >$CG/cgroup.subtree_control
memcg system.slice/lrugend.service
memcg $ATT/session-1.scope
memcg $UM/init.scope
memcg $UM/app.slice/start.scope
delegate $UM 1000
memcg $BYS/user@1001.service/app.slice/app-ui.scope
# the attacker's files: a tmpfs of its own
A=/run/attacker
mkdir -p $A && mount -t tmpfs -o mode=0755,uid=1000,gid=1000 attacker $A ||
	{ echo "not ok - a tmpfs for the attacker's files"; exit 1; }

in_cg $BYS/user@1001.service/app.slice/app-ui.scope \
	setpriv --reuid=1001 --regid=1001 --clear-groups "$B/tests/vm/lrg-standin" 96 >"$T/ui.out" 2>&1 &
ui=$!
wait_for 60 grep -qs "standin ready" "$T/ui.out" || { echo "not ok - the bystander started"; exit 1; }

LRG_CGROUP=system.slice/lrugend.service start_lrugend /dev/null "$T/lrugend.log"
sleep 10   # the bystander's working set established and protected

# attack NAME COMMAND [CGROUP]: COMMAND, a shell command without single
# quotes, run by uid 1000 in CGROUP (its app.slice/start.scope, where its
# service manager would start it, unless given); it execs the runaway
# itself, so $! is the runaway's pid, unless it forks more (their pids
# are then listed in $A/pids by the command).
attack() {
	a_name=$1
	a_cmd=$2
	a_cg=${3:-$UM/app.slice/start.scope}
	a_k0=$(dmesg | grep -c "Killed process")
	a_l0=$(wc -l <"$LOG")
	a_t0=$(date +%s)
	: >"$A/pids"
	chown 1000:1000 "$A/pids"
	(
		exec sh -c "echo \$\$ >$CG/$a_cg/cgroup.procs &&
			exec setpriv --reuid=1000 --regid=1000 --clear-groups --inh-caps=-all sh -c '$a_cmd'"
	) &
	a_pid=$!
	sleep 2
	# the pids are read anew each time: a slow guest may list them late
	a_gone() { for p in $a_pid $(cat "$A/pids"); do alive "$p" && return 1; done; return 0; }
	wait_for 150 a_gone
	a_ended=$?
	a_pids=$(echo $a_pid $(cat "$A/pids"))   # one line, spaces between
	for p in $a_pids; do kill -9 "$p" 2>/dev/null; done
	wait $a_pid 2>/dev/null
	sleep 3 # the kill's log line and the kernel's, if late
	a_secs=$(($(date +%s) - a_t0))
	a_kernel=$(($(dmesg | grep -c "Killed process") - a_k0))
	tail -n +$((a_l0 + 1)) "$LOG" | grep -E "(killed|would kill|failed to kill) (pid|cgroup of pid)" >"$T/kills"
	a_mine=0
	a_wrong=0
	while read -r line; do
		k_pid=$(echo "$line" | sed -E 's/.*(killed|kill) (pid|cgroup of pid) ([0-9]+) .*/\3/')
		case " $a_pids " in
		*" $k_pid "*) a_mine=$((a_mine + 1)) ;;
		*) a_wrong=$((a_wrong + 1)) ;;
		esac
	done <"$T/kills"
	sed 's/^/#   /' "$T/kills" | cut -c1-240
	if [ "${a_protected:-}" ]; then
		tail -n +$((a_l0 + 1)) "$LOG" | grep -m1 "the runaway is protected" | cut -c1-240 | sed 's/^/#   /'
		if [ $a_ended = 0 ] && [ $a_mine = 0 ] && [ $a_wrong = 0 ] && alive $ui &&
			tail -n +$((a_l0 + 1)) "$LOG" | grep -q "another user's: the runaway is protected"; then
			echo "ok - $a_name: protected, so lrugend killed nobody in its place; the kernel ended it ($a_kernel kill(s)) in $a_secs s, the bystander lives"
		else
			echo "not ok - $a_name: protected; lrugend kills of it $a_mine, of others $a_wrong, kernel $a_kernel, bystander $(alive $ui && echo lives || echo dead)"
		fi
	elif [ $a_ended = 0 ] && [ $a_mine -ge 1 ] && [ $a_wrong = 0 ] && [ $a_kernel = 0 ] && alive $ui; then
		echo "ok - $a_name: lrugend ended the runaway in $a_secs s ($a_mine kill(s)), the kernel killed nothing, the bystander lives"
	else
		echo "not ok - $a_name: runaway ended=$([ $a_ended = 0 ] && echo yes || echo no) after $a_secs s, lrugend kills of it $a_mine, of others $a_wrong, kernel OOM kills $a_kernel, bystander $(alive $ui && echo lives || echo dead)"
		echo "#   the runaway's pids: $a_pids"
		dmesg | grep "Killed process" | tail -n "$a_kernel" | sed 's/^/#   kernel: /'
		tail -n +$((a_l0 + 1)) "$LOG" | grep -iE "incomplete|skipp|error|warn" | head -5 | cut -c1-240 | sed 's/^/#   log: /'
	fi
	alive $ui || exit 1
	sleep 3
}

L=$B/tests/vm/lrg-leak
U=$CG/$UM
attack "a plain leak in its session" "exec $L $RATE" $ATT/session-1.scope
attack "moved into its user@1000.service/init.scope" \
	"echo \$\$ >$U/init.scope/cgroup.procs && exec $L $RATE"
attack "comm gnome-shell" "exec $L $RATE gnome-shell"
attack "comm systemd" "exec $L $RATE systemd"
attack "comm bash (avoided by name in older profiles)" "exec $L $RATE bash"
attack "a copy named Xorg" "cp $L $A/Xorg && exec $A/Xorg $RATE"
attack "a copy named sshd" "mkdir -p $A/sbin && cp $L $A/sbin/sshd && exec $A/sbin/sshd $RATE"
# The profile protects the program by exe. Preloaded with the user's own
# library (a copy in the user's files) it loses the rule: its code is not
# all root's (lrugend.conf(5)), and lrugend ends it like any runaway.
attack "its own library preloaded into /usr/lib/systemd/systemd, which the profile protects" \
	"cp $B/tests/vm/lrg-leak.so $A/leak.so && LRG_LEAK_RATE=$RATE LD_PRELOAD=$A/leak.so exec /usr/lib/systemd/systemd --version"
# Preloaded with a library root installed (the build's, root's here), it
# keeps the rule: nothing protected is killed by lrugend, and the kill
# never passes to another user: lrugend kills nobody, the kernel's OOM
# killer ends it.
a_protected=1
attack "root's library preloaded into /usr/lib/systemd/systemd, which the profile protects" \
	"LRG_LEAK_RATE=$RATE LD_PRELOAD=$B/tests/vm/lrg-leak.so exec /usr/lib/systemd/systemd --version"
a_protected=
attack "a system.slice/sshd.service of its own below user@1000.service" \
	"mkdir -p $U/system.slice/sshd.service && echo +memory >$U/system.slice/cgroup.subtree_control && echo \$\$ >$U/system.slice/sshd.service/cgroup.procs && exec $L $RATE"
long=app-$(printf "%0220d" 0).scope
attack "a scope with a 230-character name" \
	"mkdir $U/app.slice/$long && echo \$\$ >$U/app.slice/$long/cgroup.procs && exec $L $RATE"
attack "a cgroup 40 levels deep, each a memcg" \
	"p=$U/deep && mkdir \$p && for i in \$(seq 2 40); do echo +memory >\$p/cgroup.subtree_control && p=\$p/d\$i && mkdir \$p || exit 1; done; echo \$\$ >\$p/cgroup.procs && exec $L $RATE"
attack "a runaway split over 8 processes" \
	"mkdir $U/app.slice/split.scope && echo \$\$ >$U/app.slice/split.scope/cgroup.procs && for i in 1 2 3 4 5 6 7 8; do $L 3 & echo \$! >>$A/pids; done; wait"
attack "its leader gone by pthread_exit, a zombie while the leak runs on in a thread" \
	"LRG_LEAK_LEADERLESS=1 exec $L $RATE"
# The user makes them first (not on the attack's clock: under TCG 1,100
# mkdirs take a while), memcgs all, then the runaway's after them. No
# candidate is hidden (the lists are sized to fit), and lrugend must not
# be slowed into losing the race to the kernel: an idle cgroup costs it
# nothing until inotify says something in it changed.
setpriv --reuid=1000 --regid=1000 --clear-groups --inh-caps=-all sh -c \
	"mkdir $U/many && echo +memory >$U/many/cgroup.subtree_control && seq 1 1100 | sed 's|^|$U/many/c|' | xargs mkdir"
echo "# $(ls -d $U/many/c[0-9]* | wc -l) empty memcgs made by uid 1000"
attack "1,100 empty cgroups made before the runaway's" \
	"mkdir $U/many/z && echo \$\$ >$U/many/z/cgroup.procs && exec $L $RATE"

rmdir $U/many/* $U/many 2>/dev/null

kill $dpid
wait_for 20 sh -c "! kill -0 $dpid 2>/dev/null"
ok() { if [ "$1" = 0 ]; then echo "ok - $2"; else echo "not ok - $2"; fi; }
ok $(alive $ui; echo $?) "the bystander lived through every attack"
grep -iE "incomplete|cannot|skipped" "$LOG" | head -10 | cut -c1-240 | sed 's/^/# log: /'
kill $ui 2>/dev/null
exit 0
