#!/bin/sh
# Guest: the host backends on the real kernel, cgroup v2, one boot.
#   1. kmod eviction: the daemon's kmod backend harvests a child that keeps
#      half of 64 MiB hot and pages out the other half (backend-test).
#   2. mglru: the backend parses the real lru_gen (with a 277-byte cgroup
#      path in it), '+' makes a generation
#      that reads back, '-' retires the oldest (backend-test); then lrugend
#      --backend=mglru ages a cgroup (lrugenctl gens).
#   3. cgroup move: lrugend (kmod) lists an mm under its cgroup; after the
#      pid is written to another cgroup's cgroup.procs the mm is listed and
#      aged there, and the old cgroup lets go of it (lrugenctl gens --json).
#   4. proc: lrugend --backend=proc ages, reports generations, evicts a
#      cold VMA (evict_min_age_ms), with no warning or error in its log.
# Every wait polls with a deadline: the host runs other VMs beside this one.
set -u
B=$LRG_BUILDDIR
T=$LRG_TMP
CG=/sys/fs/cgroup
CTL="$B/lrugenctl"

pass() { echo "ok - $*"; }
fail() { echo "not ok - $*"; }
check() { # check "description" command...: one TAP point from a command's status
	d=$1
	shift
	if "$@"; then pass "$d"; else fail "$d"; fi
}
# poll SECONDS command...: until the command succeeds, once a second
poll() {
	_lim=$1
	shift
	_n=0
	while [ "$_n" -lt "$_lim" ]; do
		"$@" 2>/dev/null && return 0
		sleep 1
		_n=$((_n + 1))
	done
	return 1
}

for p in backend-test backend-mem; do
	[ -x "$B/tests/vm/$p" ] || { echo "not ok - $B/tests/vm/$p not built"; exit 1; }
done

insmod "$LRG_KO" || { echo "not ok - insmod lrugen.ko"; exit 1; }
modprobe zram 2>/dev/null
if echo 192M >/sys/block/zram0/disksize && mkswap /dev/zram0 >/dev/null && swapon /dev/zram0; then
	pass "zram swap of 192 MiB"
else
	fail "zram swap of 192 MiB"
	exit 1
fi
echo +memory >$CG/cgroup.subtree_control
for c in bk-evict bk-mglru bk-a bk-b bk-proc; do
	mkdir -p $CG/$c
done

in_cg() { # in_cg CGROUP command...: run a command inside a cgroup
	sh -c "echo \$\$ >$CG/$1/cgroup.procs && shift && exec \"\$@\"" sh "$@"
}

# start_mem NAME CGROUP HOT COLD [GROW]: backend-mem in the background;
# sets mem_pid, its output in $T/NAME.out
start_mem() {
	_name=$1
	_cg=$2
	shift 2
	: >"$T/$_name.out"
	in_cg "$_cg" "$B/tests/vm/backend-mem" "$@" >"$T/$_name.out" 2>&1 &
	if poll 30 grep -q "^ready" "$T/$_name.out"; then
		# its own pid: $! is the background subshell's
		mem_pid=$(sed -n 's/^ready pid=\([0-9]*\).*/\1/p' "$T/$_name.out")
		return 0
	fi
	echo "# backend-mem $_name did not get ready:"
	sed 's/^/#   /' "$T/$_name.out"
	return 1
}

# start_daemon NAME CONF BACKEND: lrugend with its own runtime directory;
# sets dpid and sock
start_daemon() {
	_name=$1
	mkdir -p "$T/$_name"
	printf '%s\n' "$2" >"$T/$_name/lrugend.conf"
	RUNTIME_DIRECTORY="$T/$_name" "$B/lrugend" --config="$T/$_name/lrugend.conf" \
		--backend="$3" >"$T/$_name/lrugend.log" 2>&1 &
	dpid=$!
	sock="$T/$_name/control"
	if poll 30 "$CTL" -s "$sock" -t 2000 status >/dev/null; then
		return 0
	fi
	echo "# lrugend ($3) did not serve:"
	sed 's/^/#   /' "$T/$_name/lrugend.log"
	return 1
}
stop_daemon() {
	kill "$dpid" 2>/dev/null
	wait "$dpid" 2>/dev/null
}
# log_clean NAME: lrugend's log holds only what a healthy run logs (stderr
# has no priorities: anything else is a warning or an error)
log_clean() {
	# the notices of a normal start and stop (a PSI trigger armed among
	# them); anything else is a complaint
	# (the protection notice names what min_ttl binds; its warning, that
	# it binds nothing, is a complaint here: every case has cgroup v2)
	if grep -vE "^lrugend: (backend [a-z]+: |lrugend [0-9.]+ running|switched MGLRU on|tick: |signal 15: exiting|proc connector: address spaces follow|PSI trigger: a memory stall of [0-9]+ ms in [0-9]+ ms wakes lrugend|working-set protection from the kernel's reclaim: memory\.min of the cgroups)" \
		"$T/$1/lrugend.log" >"$T/$1.bad"; then
		fail "lrugend ($1) logged no warning or error"
		head -n 20 "$T/$1.bad" | sed 's/^/#   /'
	else
		pass "lrugend ($1) logged no warning or error"
	fi
}

# snap: one lrugenctl gens --json into $T/gens.txt as lines of
# "PATH NR_MMS MAX_SEQ PAGES" (pages: every generation, anon + file). The
# reply is one line of JSON with a fixed key order; awk reads it, so the
# test needs nothing the build does not. Each exec costs seconds under TCG
# on a busy host: one lrugenctl and one awk per poll.
snap() {
	# a failed request keeps the last good figures
	"$CTL" -s "$sock" -t 10000 -j gens >"$T/gens.json" 2>/dev/null || return 1
	awk '
		{
			gsub(/"min_seq":\{[^}]*\}/, "")
			n = split($0, m, /\{"id":/)
			for (i = 2; i <= n; i++) {
				s = m[i]
				path = ""; nr = ""; seq = ""; pages = 0
				if (match(s, /"path":"[^"]*"/)) path = substr(s, RSTART + 8, RLENGTH - 9)
				if (match(s, /"nr_mms":[0-9]+/)) nr = substr(s, RSTART + 9, RLENGTH - 9)
				if (match(s, /"max_seq":[0-9]+/)) seq = substr(s, RSTART + 10, RLENGTH - 10)
				t = s
				while (match(t, /"(anon|file)":[0-9]+/)) {
					v = substr(t, RSTART, RLENGTH)
					sub(/.*:/, "", v)
					pages += v
					t = substr(t, RSTART + RLENGTH)
				}
				print path, nr, seq, pages
			}
		}
	' "$T/gens.json" >"$T/gens.txt.new" && [ -s "$T/gens.txt.new" ] && mv "$T/gens.txt.new" "$T/gens.txt"
}
# status_u64 KEY: the first "KEY":N of lrugenctl status --json (three
# tries: a busy daemon on a loaded host may miss one request's timeout)
status_u64() {
	for _t in 1 2 3; do
		"$CTL" -s "$sock" -t 10000 -j status >"$T/status.json" 2>/dev/null && break
	done
	grep -o "\"$1\":[0-9]*" "$T/status.json" | head -n 1 | cut -d: -f2
}
# memcg FIELD PATH: one figure (nr_mms | max_seq | pages) from the last
# snap, with shell builtins only
memcg() {
	while read -r _p _n _s _g; do
		[ "$_p" = "$2" ] || continue
		case $1 in
		nr_mms) echo "$_n" ;;
		max_seq) echo "$_s" ;;
		pages) echo "$_g" ;;
		esac
		return 0
	done <"$T/gens.txt"
}
ge() { [ -n "$1" ] && [ "$1" -ge "$2" ]; }

# ---- 1. kmod eviction --------------------------------------------------------
s=$(date +%s)
"$B/tests/vm/backend-test" kmod-evict $CG/bk-evict 64
echo "# case kmod-evict: $(($(date +%s) - s)) s"

# ---- 2. mglru ------------------------------------------------------------------
s=$(date +%s)
echo y >/sys/kernel/mm/lru_gen/enabled
# Beside it, a user's scope with a 230-character name, 277 bytes of path in
# lru_gen (a line the parser once refused, failing every tick): everything
# below must go as if it were not there.
long=bk-long.slice/user-1000.slice/app.slice/$(printf 'x%.0s' $(seq 230)).scope
lp=
for c in $(echo "$long" | tr / ' '); do
	[ -n "$lp" ] && echo +memory >"$CG/$lp/cgroup.subtree_control"
	lp=${lp:+$lp/}$c
	mkdir -p "$CG/$lp"
done
in_cg "$long" sleep 600 &
long_pid=$!
poll 5 grep -q "/$long\$" /sys/kernel/debug/lru_gen
check "lru_gen lists a cgroup path of ${#long} + 1 bytes" grep -q "/$long\$" /sys/kernel/debug/lru_gen
start_mem mglru bk-mglru 4 12 || fail "backend-mem runs in bk-mglru"
mglru_pid=$mem_pid
"$B/tests/vm/backend-test" mglru $CG/bk-mglru

conf="[daemon]
enable_mglru = yes
mount_debugfs = no
[slice bk]
match = bk-mglru
aging_interval_ms = 500"
if start_daemon mglru "$conf" mglru; then
	pass "lrugend --backend=mglru serves"
	"$CTL" -s "$sock" status | grep -i backend | sed 's/^/# /'
	poll 5 snap
	seq0=$(memcg max_seq /bk-mglru)
	want=$((${seq0:-0} + 2))
	has_seq() { snap && ge "$(memcg max_seq /bk-mglru)" "$want"; }
	poll 30 has_seq
	seq1=$(memcg max_seq /bk-mglru)
	echo "# lrugend mglru: /bk-mglru max_seq $seq0 -> $seq1"
	check "lrugend (mglru) ages /bk-mglru through lru_gen: max_seq $seq0 -> $seq1" ge "${seq1:-0}" "$want"
	# The daemon's figures are the kernel's: the max_seq in debugfs lies
	# between two lrugenctl readings taken just before and after it (the
	# daemon keeps aging every 500 ms meanwhile).
	kseq=$(awk '/^memcg/ {on = ($3 == "/bk-mglru")} on && $1 ~ /^[0-9]+$/ {m = $1} END {print m}' \
		/sys/kernel/debug/lru_gen)
	poll 5 snap
	seq2=$(memcg max_seq /bk-mglru)
	check "lrugenctl gens shows the kernel's max_seq (lrugend $seq1 .. $seq2, lru_gen $kseq)" \
		sh -c "[ '${kseq:-0}' -ge '${seq1:-1}' ] && [ '${kseq:-0}' -le '${seq2:-0}' ]"
	# memory.high just above the usage: the memcg is at its limit for
	# lrugend (within 1/64) but not over it for the kernel, so whatever
	# goes to swap is lrugend's eviction, through lru_gen's '-'
	sw0=$(cat $CG/bk-mglru/memory.swap.current)
	echo $(($(cat $CG/bk-mglru/memory.current) + 131072)) >$CG/bk-mglru/memory.high
	evicted() { ge "$(status_u64 pages_evicted)" 1; }
	poll 30 evicted
	ev=$(status_u64 pages_evicted)
	sw1=$(cat $CG/bk-mglru/memory.swap.current)
	echo max >$CG/bk-mglru/memory.high
	echo "# mglru under memory.high: pages_evicted=$ev, bk-mglru swap $sw0 -> $sw1 bytes"
	check "lrugend (mglru) evicts at memory.high through lru_gen ($ev pages, swap $sw0 -> $sw1)" \
		sh -c "[ '${ev:-0}' -ge 1 ] && [ '$sw1' -gt '$sw0' ]"
	stop_daemon
	log_clean mglru
else
	fail "lrugend --backend=mglru serves"
fi
kill "$mglru_pid" "$long_pid" 2>/dev/null
wait "$mglru_pid" 2>/dev/null
wait "$long_pid" 2>/dev/null
while [ "$lp" != "${lp%/*}" ]; do
	rmdir "$CG/$lp"
	lp=${lp%/*}
done
rmdir "$CG/$lp"
echo "# case mglru: $(($(date +%s) - s)) s"

# ---- 3. cgroup move (kmod) -----------------------------------------------------
s=$(date +%s)
conf="[slice bka]
match = bk-a
aging_interval_ms = 500
[slice bkb]
match = bk-b
aging_interval_ms = 500"
if start_daemon move "$conf" kmod && start_mem move bk-a 4 4 8; then
	pass "lrugend (kmod) serves, backend-mem runs in bk-a"
	mpid=$mem_pid
	listed_a_now() { [ "$(memcg nr_mms /bk-a)" = 1 ] && ge "$(memcg pages /bk-a)" 1600; }
	listed_a() { snap && listed_a_now; }
	poll 30 listed_a
	a_pages=$(memcg pages /bk-a)
	check "before the move: the mm is aged in /bk-a (nr_mms $(memcg nr_mms /bk-a), $a_pages pages)" listed_a_now
	poll 5 snap
	b_seq0=$(memcg max_seq /bk-b)
	echo "$mpid" >$CG/bk-b/cgroup.procs
	kill -USR1 "$mpid"
	poll 30 grep -q "^grown" "$T/move.out"
	poll 5 snap
	b_seq1=$(memcg max_seq /bk-b)
	# the 8 MiB allocated after the move are charged to bk-b: 2048 pages
	moved_now() {
		[ "$(memcg nr_mms /bk-b)" = 1 ] && [ "$(memcg nr_mms /bk-a)" = 0 ] &&
			ge "$(memcg pages /bk-b)" 1600 && ge "$(memcg max_seq /bk-b)" $((${b_seq1:-0} + 1))
	}
	moved() { snap && moved_now; }
	poll 40 moved
	echo "# after the move: /bk-a nr_mms=$(memcg nr_mms /bk-a) pages=$(memcg pages /bk-a)" \
		"max_seq=$(memcg max_seq /bk-a); /bk-b nr_mms=$(memcg nr_mms /bk-b)" \
		"pages=$(memcg pages /bk-b) max_seq $b_seq0 -> $b_seq1 -> $(memcg max_seq /bk-b)"
	check "after the move: listed under /bk-b only" \
		test "$(memcg nr_mms /bk-b)/$(memcg nr_mms /bk-a)" = 1/0
	check "after the move: aged in /bk-b (its pages in /bk-b's generations, max_seq grows)" moved_now
	# the old memcg let go of the mm's pages (lru_gen_migrate_mm)
	a_after=$(memcg pages /bk-a)
	check "after the move: /bk-a no longer holds the mm's pages ($a_pages -> $a_after)" \
		test "${a_after:-999999}" -lt $((${a_pages:-0} / 4 + 1))
	kill "$mpid" 2>/dev/null
	wait "$mpid" 2>/dev/null
	stop_daemon
	log_clean move
else
	fail "lrugend (kmod) serves, backend-mem runs in bk-a"
	stop_daemon
fi
echo "# case move: $(($(date +%s) - s)) s"

# ---- 4. proc end to end --------------------------------------------------------
s=$(date +%s)
conf="[slice bkp]
match = bk-proc
aging_interval_ms = 500
evict_min_age_ms = 3000
min_ttl_ms = 0"
if start_daemon proc "$conf" proc && start_mem proc bk-proc 4 24; then
	pass "lrugend --backend=proc serves, backend-mem runs in bk-proc"
	ppid=$mem_pid
	poll 10 sh -c "'$CTL' -s '$sock' -t 10000 -j status >'$T/proc-status.json'"
	bname=$(grep -o '"backend":{"name":"[a-z]*"' "$T/proc-status.json" | cut -d'"' -f6)
	check "lrugenctl status names the proc backend (\"$bname\")" test "$bname" = proc
	evicted() {
		n=$(status_u64 pages_evicted)
		ge "$n" 3000
	}
	poll 60 evicted
	ev=$(status_u64 pages_evicted)
	gc=$(status_u64 gens_created)
	kill -USR2 "$ppid"
	poll 10 grep -q "^resident" "$T/proc.out"
	res=$(grep "^resident" "$T/proc.out" | tail -n 1)
	echo "# proc: pages_evicted=$ev gens_created=$gc; backend-mem $res;" \
		"bk-proc memory.swap.current=$(cat $CG/bk-proc/memory.swap.current)"
	"$CTL" -s "$sock" gens bkp 2>&1 | sed 's/^/#   /'
	poll 5 snap
	check "proc: generations are created and reported (max_seq $(memcg max_seq /bk-proc), nr_mms $(memcg nr_mms /bk-proc))" \
		sh -c "[ '$(memcg nr_mms /bk-proc)' = 1 ] && [ '$(memcg max_seq /bk-proc)' -ge 3 ]"
	check "proc: lrugend evicted the cold VMA ($ev pages; 6144 are cold)" ge "${ev:-0}" 3000
	cold_in=$(echo "$res" | sed -n 's/.*cold=\([0-9]*\)\/.*/\1/p')
	check "proc: the cold VMA is mostly out ($res)" test "${cold_in:-6144}" -lt 3072
	kill "$ppid" 2>/dev/null
	wait "$ppid" 2>/dev/null
	stop_daemon
	log_clean proc
else
	fail "lrugend --backend=proc serves, backend-mem runs in bk-proc"
	stop_daemon
fi
echo "# case proc: $(($(date +%s) - s)) s"

swapoff /dev/zram0 2>/dev/null
exit 0
