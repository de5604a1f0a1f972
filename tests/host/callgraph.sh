#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# scripts/callgraph.py: the calls between the pool's kernel files. A cycle fails and
# is named with the functions on its edges; the allowed upcalls do not count; calls
# inside a file, to inline helpers of headers, and names in comments and strings are
# not calls; a function given as a callback is a dependency. The repo's files pass.
. "$(dirname "$0")/../lib/tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
cg=$top/scripts/callgraph.py
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# like DESCRIPTION TEXT PART: ok if TEXT holds PART
like() {
	case $2 in
	*"$3"*) _tap_result 0 "$1" ;;
	*) _tap_result 1 "$1"; printf '%s\n' "$2" | sed 's/^/#   got: /' | head -n 20; echo "#   want part: '$3'" ;;
	esac
}

# mk DIR FILE BODY: a C file of DIR
mk() { mkdir -p "$1" && printf '%s\n' "$3" >"$1/$2"; }

d=$tmp/cycle
mk "$d" ttm_pool_a.c 'int a_one(void)
{
	return b_one();
}
int a_two(void) { return 2; }'
mk "$d" ttm_pool_b.c 'int b_one(void)
{
	return a_two() + b_two();
}
static int b_two(void)
{
	return 0;
}'
out=$(python3 "$cg" "$d")
rc=$?
is "a cycle of two files fails" "$rc" 1
like "...naming both files" "$out" "cycle among ttm_pool_a.c, ttm_pool_b.c"
like "...and the functions on each edge" "$out" "ttm_pool_b.c -> ttm_pool_a.c: a_two"

d=$tmp/comments
mk "$d" ttm_pool_a.c 'int a_one(void)
{
	return b_one();
}
int a_two(void) { return 2; }'
mk "$d" ttm_pool_b.c '/* a_two() is not called here */
int b_one(void)
{
	const char *s = "a_two()";
	// a_one();
	return s != 0;
}'
python3 "$cg" "$d" >/dev/null
is "names in comments and strings are not calls" "$?" 0

d=$tmp/callback
mk "$d" ttm_pool_a.c 'int a_one(void)
{
	return b_one();
}
void a_work(struct work_struct *w) { }'
mk "$d" ttm_pool_b.c 'int b_one(void)
{
	INIT_WORK(&w, a_work);
	return 0;
}'
python3 "$cg" "$d" >/dev/null
is "a function passed as a callback is a dependency" "$?" 1

d=$tmp/allowed
mk "$d" ttm_pool.c 'void ttm_pool_init(void)
{
	ttm_pool_register();
}
void ttm_pool_release_all(void) { }'
mk "$d" ttm_pool_global.c 'void ttm_pool_register(void)
{
	ttm_pool_release_all();
}'
out=$(python3 "$cg" "$d")
is "the allowed upcall (register) does not make a cycle" "$?" 0
like "...and is counted as one" "$out" "1 allowed upcalls"
python3 "$cg" --graph "$d" >"$tmp/graph"
like "--graph marks it allowed" "$(cat "$tmp/graph")" "ttm_pool.c -> ttm_pool_global.c: ttm_pool_register (allowed)"

mk "$d" ttm_pool.c 'void ttm_pool_init(void)
{
	ttm_pool_register();
	ttm_pool_name();
}
void ttm_pool_release_all(void) { }'
mk "$d" ttm_pool_global.c 'void ttm_pool_register(void)
{
	ttm_pool_release_all();
}
const char *ttm_pool_name(void) { return 0; }'
python3 "$cg" "$d" >/dev/null
is "another call on the same edge is not allowed" "$?" 1

python3 "$cg" "$tmp/none" >/dev/null 2>&1
rc=$?
ok "a directory without ttm_pool*.c is an error" test "$rc" -ne 0

out=$(python3 "$cg" "$top/drivers/gpu/drm/ttm")
is "the repo's kernel files form no cycle" "$?" 0
like "...all of them counted" "$out" "callgraph: $(find "$top/drivers/gpu/drm/ttm" -maxdepth 1 -name 'ttm_pool*.c' | wc -l) files"

done_testing
