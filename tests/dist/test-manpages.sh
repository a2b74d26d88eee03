#!/bin/sh
# TAP: every man page renders without a single groff warning, and says
# what the programs and headers really do: each option of `--help`, each
# exit status, journal MESSAGE_ID and field, config key with its default,
# and netlink command and attribute is documented, and no page names an
# option the program does not have.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=.}"
man_dir="$top_srcdir/man"
# The pages this check knows in detail; every page in man/ is rendered.
PAGES="lrugen.4 lrugend.conf.5 lrugend.8 lrugenctl.8"
ALL=$(cd "$man_dir" && ls *.[1-8])
nall=$(echo $ALL | wc -w)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n # SKIP $*"; }
# result DESCRIPTION MISSING: ok if MISSING is empty
result() { if [ -z "$2" ]; then ok "$1"; else notok "$1: missing$2"; fi; }

# Long options as written in a page's source: \-\-name\-part -> name-part.
src_long_opts() {
	grep -o '\\-\\-[a-z][a-z]*\(\\-[a-z][a-z]*\)*' "$1" | sed 's/\\-/-/g; s/^--//' | sort -u
}
# Long options a program's --help lists.
help_long_opts() {
	grep -o -- '--[a-z][a-z-]*' "$1" | sed 's/^--//; s/-$//' | sort -u
}
# Does the page's source mention the long option?
has_long() { grep -q -- "\\\\-\\\\-$(printf '%s' "$2" | sed 's/-/\\\\-/g')\\([^a-z\\\\]\\|\\\\[^-]\\|\$\\)" "$1"; }
# The text of one .SH section of a page's source.
section() { awk -v s="$2" '/^\.SH /{ on = (substr($0, 5) == s || substr($0, 5) == "\"" s "\"") ; next } on' "$1"; }

echo "1..$((nall + 16))"

# Every page in man/ renders without warnings.
for p in $ALL; do
	f="$man_dir/$p"
	if [ ! -f "$f" ]; then notok "$p exists"; continue; fi
	if command -v man >/dev/null 2>&1; then
		LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$f" >"$tmp/out" 2>"$tmp/err"
		how="man --warnings -l"
	elif command -v groff >/dev/null 2>&1; then
		groff -man -ww -z "$f" >"$tmp/out" 2>"$tmp/err"
		how="groff -man -ww -z"
	else
		skip "neither man nor groff installed (apt-get install man-db groff-base): $p not rendered"
		continue
	fi
	if [ ! -s "$tmp/err" ] && { [ "$how" != "man --warnings -l" ] || [ -s "$tmp/out" ]; }; then
		ok "$p renders without warnings ($how)"
	else
		notok "$p: $how warns"; sed 's/^/# /' "$tmp/err"
	fi
done

# 5: every page has the sections a reader looks for.
missing=
for p in $PAGES; do
	for s in NAME SYNOPSIS DESCRIPTION "SEE ALSO"; do
		grep -q "^\.SH \"\{0,1\}$s\"\{0,1\}\$" "$man_dir/$p" || missing="$missing $p:$s"
	done
done
for s in OPTIONS SIGNALS "EXIT STATUS" ENVIRONMENT FILES "JOURNAL EVENTS"; do
	grep -q "^\.SH \"\{0,1\}$s\"\{0,1\}\$" "$man_dir/lrugend.8" || missing="$missing lrugend.8:$s"
done
for s in COMMANDS OPTIONS "EXIT STATUS" FILES; do
	grep -q "^\.SH \"\{0,1\}$s\"\{0,1\}\$" "$man_dir/lrugenctl.8" || missing="$missing lrugenctl.8:$s"
done
result "every page has its sections" "$missing"

# 6-8: lrugend.8 against `lrugend --help`.
daemon="$top_builddir/lrugend"
if [ -x "$daemon" ] && "$daemon" --help >"$tmp/help" 2>&1 && grep -q -- '--backend' "$tmp/help"; then
	missing=
	for o in $(help_long_opts "$tmp/help"); do has_long "$man_dir/lrugend.8" "$o" || missing="$missing --$o"; done
	result "every long option of lrugend --help is in lrugend.8" "$missing"
	missing=
	for o in $(grep -o '^ *-[a-zA-Z],' "$tmp/help" | tr -d ' ,-'); do
		grep -qF ".BR \\-$o \", \" \\-\\-" "$man_dir/lrugend.8" || missing="$missing -$o"
	done
	result "every short option of lrugend --help is in lrugend.8" "$missing"
	extra=
	for p in lrugend.8 lrugend.conf.5; do
		for o in $(src_long_opts "$man_dir/$p"); do
			help_long_opts "$tmp/help" | grep -qx -- "$o" || extra="$extra $p:--$o"
		done
	done
	if [ -z "$extra" ]; then ok "lrugend.8 and lrugend.conf.5 name no option lrugend lacks"
	else notok "options in the pages that lrugend --help does not list:$extra"; fi
else
	for t in "long options" "short options" "no invented option"; do
		skip "lrugend --help lists no options yet (the daemon is not integrated): $t of lrugend.8 not checked"
	done
fi

# 9: every exit status of manager.h is in lrugend.8's EXIT STATUS.
section "$man_dir/lrugend.8" "EXIT STATUS" >"$tmp/exit"
codes=$(sed -n 's/^[[:space:]]*LRG_EXIT_[A-Z_]* = \([0-9]*\),.*/\1/p' "$top_srcdir/daemon/manager.h")
missing=
[ -n "$codes" ] || missing=" (no LRG_EXIT_* in daemon/manager.h)"
for c in $codes; do grep -qx "\.B $c" "$tmp/exit" || missing="$missing $c"; done
result "every exit status of daemon/manager.h ($(echo $codes)) is in lrugend.8" "$missing"

# 10-11: the journal events: MESSAGE_IDs of oom_act.h, fields of oom_act.c.
missing=
ids=$(sed -n 's/^#define LRG_MESSAGE_ID_[A-Z_]* "\([0-9a-f]*\)"/\1/p' "$top_srcdir/daemon/oom_act.h")
[ -n "$ids" ] || missing=" (no MESSAGE_ID in daemon/oom_act.h)"
for id in $ids; do grep -q "MESSAGE_ID=$id" "$man_dir/lrugend.8" || missing="$missing $id"; done
result "every MESSAGE_ID of daemon/oom_act.h is in lrugend.8" "$missing"
missing=
fields=$(grep -o '"[A-Z][A-Z0-9_]*=%' "$top_srcdir/daemon/oom_act.c" | tr -d '"=%' | sort -u)
[ -n "$fields" ] || missing=" (no fields found in daemon/oom_act.c)"
for fl in $fields; do grep -q "\\b$fl\\b" "$man_dir/lrugend.8" || missing="$missing $fl"; done
result "every field of the kill event (daemon/oom_act.c) is in lrugend.8" "$missing"

# 12-14: lrugenctl.8 against `lrugenctl --help` and its exit codes.
ctl="$top_builddir/lrugenctl"
if [ -x "$ctl" ] && "$ctl" --help >"$tmp/chelp" 2>&1; then
	missing=
	for o in $(help_long_opts "$tmp/chelp"); do has_long "$man_dir/lrugenctl.8" "$o" || missing="$missing --$o"; done
	for c in $(sed -n '/^Commands:/,/^$/p' "$tmp/chelp" | awk 'NR > 1 && NF { print $1 }'); do
		grep -q "^\.BR* $c\\b" "$man_dir/lrugenctl.8" || missing="$missing $c"
	done
	result "every option and command of lrugenctl --help is in lrugenctl.8" "$missing"
	extra=
	for o in $(src_long_opts "$man_dir/lrugenctl.8"); do
		help_long_opts "$tmp/chelp" | grep -qx -- "$o" || extra="$extra --$o"
	done
	if [ -z "$extra" ]; then ok "lrugenctl.8 names no option lrugenctl lacks"
	else notok "options in lrugenctl.8 that lrugenctl --help does not list:$extra"; fi
else
	skip "lrugenctl not built here (ctl/ not yet in the build): its options not checked"
	skip "lrugenctl not built here: no invented option check"
fi
src="$top_srcdir/ctl/lrugenctl.c"
if [ -f "$src" ]; then
	section "$man_dir/lrugenctl.8" "EXIT STATUS" >"$tmp/exit"
	codes=$(sed -n 's/^[[:space:]]*EXIT_[A-Z_]* = \([0-9]*\),.*/\1/p' "$src")
	missing=
	[ -n "$codes" ] || missing=" (no EXIT_* codes in ctl/lrugenctl.c)"
	for c in $codes; do grep -qx "\.B $c" "$tmp/exit" || missing="$missing $c"; done
	result "every exit status of ctl/lrugenctl.c ($(echo $codes)) is in lrugenctl.8" "$missing"
else
	skip "ctl/lrugenctl.c not there yet: lrugenctl exit statuses not checked"
fi

# 15-16: lrugend.conf.5 documents every key of the shipped lrugend.conf,
# with the default the file states.
conf="$top_srcdir/conf/lrugend.conf"
if [ -f "$conf" ]; then
	missing=
	for k in $(sed -n 's/^#\{0,1\}\([a-z_][a-z_]*\) =.*/\1/p' "$conf" | sort -u); do
		grep -q "^\.BR \"$k =\"" "$man_dir/lrugend.conf.5" || missing="$missing $k"
	done
	result "every key of conf/lrugend.conf is documented in lrugend.conf.5" "$missing"
	missing=
	# "#   key = ...  (default: X)" in the file's own reference block
	sed -n 's/^#   \([a-z_]*\) = .*(default: \([^)]*\)).*/\1|\2/p' "$conf" >"$tmp/defaults"
	[ -s "$tmp/defaults" ] || missing=" (no defaults found in conf/lrugend.conf)"
	while IFS='|' read -r k d; do
		d=$(printf '%s' "$d" | sed 's/-/\\\\-/g')
		grep "^\.BR \"$k =\"" "$man_dir/lrugend.conf.5" | grep -q "(default: $d)" || missing="$missing $k($d)"
	done <"$tmp/defaults"
	result "every default stated in conf/lrugend.conf is the one in lrugend.conf.5" "$missing"
else
	skip "conf/lrugend.conf not there: keys not checked"
	skip "conf/lrugend.conf not there: defaults not checked"
fi

# 17: the effective configuration (lrugend --check-config) has no key the
# page lacks.
if [ -x "$daemon" ] && grep -q -- '--check-config' "$tmp/help" 2>/dev/null &&
	"$daemon" --check-config --config=/dev/null >"$tmp/eff" 2>&1; then
	missing=
	grep -q '^[a-z_][a-z_]* =' "$tmp/eff" || missing=" (it printed no key at all)"
	for k in $(sed -n 's/^\([a-z_][a-z_]*\) =.*/\1/p' "$tmp/eff" | sort -u); do
		grep -q "^\.BR \"$k =\"" "$man_dir/lrugend.conf.5" || missing="$missing $k"
	done
	result "every key lrugend --check-config prints is in lrugend.conf.5" "$missing"
else
	skip "lrugend --check-config not available yet: effective keys not checked"
fi

# 18-19: lrugen.4 against the netlink ABI.
uapi="$top_srcdir/include/uapi/lrugen.h"
missing=
names=$(grep -o '^[[:space:]]*LRUGEN_[A-Z0-9_]*' "$uapi" | tr -d ' \t' |
	grep -v -e '_UNSPEC$' -e '^LRUGEN_[A-Z]*_MAX$' -e '^__' | sort -u)
for nm in $names; do grep -q "\\b$nm\\b" "$man_dir/lrugen.4" || missing="$missing $nm"; done
result "every command, attribute, flag, cap, status and counter of include/uapi/lrugen.h is in lrugen.4" "$missing"
missing=
for d in LRUGEN_GENL_NAME LRUGEN_GENL_VERSION LRUGEN_ABI_VERSION; do
	v=$(sed -n "s/^#define $d \"*\([^\" ]*\)\"*.*/\1/p" "$uapi")
	case $d in
	*NAME) grep -q "family\$" "$man_dir/lrugen.4" && grep -q "\\\\(dq$v\\\\(dq" "$man_dir/lrugen.4" || missing="$missing $d=$v" ;;
	*) grep -qi "version $v\\b" "$man_dir/lrugen.4" || grep -q "ABI $v\\b" "$man_dir/lrugen.4" || missing="$missing $d=$v" ;;
	esac
done
result "lrugen.4 names the family, its version and the ABI version of the header" "$missing"

# 20: man_MANS installs exactly the pages that exist (none forgotten).
missing=
for f in "$man_dir"/*.[1-9]; do
	b=$(basename "$f")
	grep -q "man/$b\\b" "$man_dir/man.am" || missing="$missing $b"
done
result "man/man.am installs every page in man/" "$missing"
