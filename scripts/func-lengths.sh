#!/bin/sh
# func-lengths.sh - the longest C functions of a folder, to keep functions
# the size of a screen.
#
#   scripts/func-lengths.sh [-n COUNT] [-m MAX] FOLDER|FILE.c...
#
# Prints "LINES FILE:LINE NAME" per function definition, longest first:
# the COUNT longest (10 by default; 0 for all), or with -m every function
# longer than MAX lines, exiting 1 when there is one. A function's length
# runs from the first line of its declarator (return type included) to
# its closing brace, both counted, as ctags' line: and end: fields do.
#
# The parser is a brace counter that knows C's comments, string and
# character literals and preprocessor lines (with continuations), so it
# needs nothing but awk: a '{' at file level opens a function when the
# text since the last ';', '}' or '#' line ends with ')' (an initializer
# ends with '=', a struct, union or enum with its tag). Braces that a
# preprocessor conditional leaves unbalanced confuse it, as they confuse
# every brace counter; the core has none.
set -eu

count=10
max=
usage() { echo "usage: $0 [-n COUNT] [-m MAX] FOLDER|FILE.c..." >&2; exit 2; }
while getopts n:m: opt; do
	case $opt in
	n) count=$OPTARG ;;
	m) max=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || usage

files=
for arg; do
	if [ -d "$arg" ]; then
		for f in "$arg"/*.c; do
			[ -e "$f" ] && files="$files $f"
		done
	elif [ -f "$arg" ]; then
		files="$files $arg"
	else
		echo "$0: $arg: no such file or folder" >&2
		exit 2
	fi
done
[ -n "$files" ] || { echo "$0: no C files in $*" >&2; exit 2; }

# shellcheck disable=SC2086 # one word per file name
lengths=$(awk '
function reset_head() { head = ""; head_line = 0 }
function add_head(c) {
	if (head_line == 0 && c !~ /[ \t]/)
		head_line = FNR
	if (head_line)
		head = head c
}
# The name of the function a declarator declares: the identifier before
# the first "(" once GCC attributes are gone.
function func_name(h,    s) {
	s = h
	while (match(s, /__attribute__[ \t]*\(\(/)) {
		s = substr(s, 1, RSTART - 1) " " strip_parens(substr(s, RSTART + RLENGTH - 2))
	}
	if (!match(s, /[A-Za-z_][A-Za-z_0-9]*[ \t]*\(/))
		return "?"
	s = substr(s, RSTART, RLENGTH)
	sub(/[ \t]*\($/, "", s)
	return s
}
# Text after the balanced parentheses that s starts with.
function strip_parens(s,    i, d, c) {
	d = 0
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		if (c == "(")
			d++
		else if (c == ")" && --d == 0)
			return substr(s, i + 1)
	}
	return ""
}
FNR == 1 { depth = 0; in_comment = 0; in_pp = 0; in_func = 0; reset_head() }
{
	line = $0
	# A preprocessor line (and its continuations) is not C: skip it.
	if (in_pp || (!in_comment && line ~ /^[ \t]*#/)) {
		in_pp = (line ~ /\\$/)
		if (depth == 0)
			reset_head()
		next
	}
	n = length(line)
	for (i = 1; i <= n; i++) {
		c = substr(line, i, 1)
		if (in_comment) {
			if (c == "*" && substr(line, i + 1, 1) == "/") {
				in_comment = 0
				i++
			}
			continue
		}
		if (c == "/" && substr(line, i + 1, 1) == "*") {
			in_comment = 1
			i++
			continue
		}
		if (c == "/" && substr(line, i + 1, 1) == "/")
			break
		if (c == "\"" || c == "\047") {
			# a literal: up to its unescaped closing quote
			for (j = i + 1; j <= n; j++) {
				d = substr(line, j, 1)
				if (d == "\\")
					j++
				else if (d == c)
					break
			}
			if (depth == 0)
				add_head(substr(line, i, j - i + 1))
			i = j
			continue
		}
		if (c == "{") {
			if (depth == 0) {
				h = head
				sub(/[ \t]+$/, "", h)
				if (h ~ /\)$/) {
					in_func = 1
					func_start = head_line
					func = func_name(h)
				}
			}
			depth++
			continue
		}
		if (c == "}") {
			if (depth > 0)
				depth--
			if (depth == 0) {
				if (in_func)
					printf "%d %s:%d %s\n", FNR - func_start + 1, FILENAME, func_start, func
				in_func = 0
				reset_head()
			}
			continue
		}
		if (depth == 0) {
			if (c == ";")
				reset_head()
			else
				add_head(c)
		}
	}
	if (depth == 0 && head_line)
		add_head(" ")
}
' $files | sort -k1,1nr -k2,2)

if [ -n "$max" ]; then
	long=$(printf '%s\n' "$lengths" | awk -v max="$max" '$1 > max')
	[ -z "$long" ] && exit 0
	printf '%s\n' "$long"
	exit 1
fi
if [ "$count" -gt 0 ]; then
	printf '%s\n' "$lengths" | head -n "$count"
else
	printf '%s\n' "$lengths"
fi
