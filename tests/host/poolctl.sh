#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# ttm-poolctl against fake sysfs/debugfs trees (tests/host/poolctl/mktree.sh):
# golden outputs, JSON parsed for real, set ordering and rollback through an
# LD_PRELOAD shim that records writes and makes chosen ones fail, every usage
# error. The whole suite runs with the normal build and with the
# ASan/UBSan build.
. "$(dirname "$0")/../lib/tap.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/host/poolctl
tool=$top/tools/ttm-poolctl
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

make -s -C "$tool" WERROR=1 all asan >"$tmp/build.log" 2>&1
is "the tool builds with -Wall -Wextra -Werror (normal and ASan/UBSan)" "$?" 0
sed 's/^/# /' "$tmp/build.log" | head -n 20
# which file calls which (a symbol one defines and another uses): no cycle
mkdir "$tmp/obj"
for f in "$tool"/*.c; do
	b=${f##*/}
	# shellcheck disable=SC2046
	cc -std=c11 -D_GNU_SOURCE $(pkg-config --cflags smartcols) -c "$f" -o "$tmp/obj/${b%.c}.o"
done 2>"$tmp/obj.log"
for f in "$tmp"/obj/*.o; do
	b=${f##*/}
	nm --defined-only -g "$f" | awk -v f="${b%.o}" '$2 ~ /[TDBR]/ { print $3, f }'
done | sort >"$tmp/obj/defined"
for f in "$tmp"/obj/*.o; do
	b=${f##*/}
	nm -u "$f" | awk -v f="${b%.o}" '{ print $2, f }'
done | sort >"$tmp/obj/used"
join "$tmp/obj/used" "$tmp/obj/defined" | awk '$2 != $3 { print $2, $3 }' | sort -u >"$tmp/obj/calls"
ok "the tool's files call each other without a cycle (tsort)" tsort "$tmp/obj/calls"
ok "...and only main.c calls into a command's file (cmd_VERB.c)" sh -c \
	"! awk '\$1 != \"main\" && \$2 ~ /^cmd_/' '$tmp/obj/calls' | grep ."
# the fake tree has the files the kernel makes (drivers/gpu/drm/ttm/ttm_pool_sysfs.c):
# a pool's attributes and its stats/ (a pool of an older kernel has fewer)
ksysfs=$top/drivers/gpu/drm/ttm/ttm_pool_sysfs.c
"$here/mktree.sh" "$tmp/kroot" full
P=$tmp/kroot/sys/kernel/ttm/pools/0000:00:02.0
is "the fake tree's pool attributes are the kernel's (ttm_pool_attrs)" \
	"$(cd "$P" && find . -maxdepth 1 -type f ! -name '.*' -printf '%f\n' | LC_ALL=C sort | tr '\n' ' ')" \
	"$(sed -n '/^static struct attribute \*ttm_pool_attrs\[\]/,/^};/s/^\t&\([a-z0-9_]*\)_attr\.attr,$/\1/p' "$ksysfs" |
		LC_ALL=C sort | tr '\n' ' ')"
# stats/: a fixed set, a kernel's of some version, each a counter with a sysfs file of
# include/drm/ttm/ttm_pool_stat_list.h; a counter added there changes no tool test
# (the unknown-counter checks below show the tool lists what stats/ holds)
klist=$top/include/drm/ttm/ttm_pool_stat_list.h
ok "...and its counters are stats/ files the kernel makes (ttm_pool_stat_list.h)" sh -c \
	"cd '$P/stats' && printf '%s\n' * | LC_ALL=C sort >'$tmp/fake.stats' &&
	 sed -n 's/^TTM_POOL_STAT([A-Z_]*, \([a-z0-9_]*\), 1)\$/\1/p' '$klist' | LC_ALL=C sort >'$tmp/kernel.stats' &&
	 test -s '$tmp/kernel.stats' && test -z \"\$(comm -23 '$tmp/fake.stats' '$tmp/kernel.stats')\""
# the QA controls are the files the kernel makes in debugfs qa/<pool>/
kdebugfs=$top/drivers/gpu/drm/ttm/ttm_pool_debugfs.c
is "the fake tree's QA controls are the kernel's (ttm_pool_debugfs.c)" \
	"$(cd "$tmp/kroot/sys/kernel/debug/ttm/qa/0000:00:02.0" && printf '%s\n' * | LC_ALL=C sort | tr '\n' ' ')" \
	"$(sed -n 's/^.*debugfs_create_file("\([a-z_]*\)", 0600, dir,.*$/\1/p' "$kdebugfs" | LC_ALL=C sort | tr '\n' ' ')"
# the global files, pool_max_pages and the memory summary (ttm_global_attrs), and
# those of nodes/node<N>/ (ttm_node_attrs), in a tree with one node and with two
"$here/mktree.sh" "$tmp/kroot2" numa
ok "the fake tree's global and per-node files are the kernel's (ttm_global_attrs, ttm_node_attrs)" python3 -c '
import os, re, sys
src = open(sys.argv[1]).read()
def files(arr):
    body = re.search(r"static struct attribute \*%s\[\] = \{(.*?)\};" % arr, src, re.S).group(1)
    out = []
    for var in re.findall(r"&(\w+)\.attr", body):
        out.append(re.search(r"static struct kobj_attribute %s =\s*__ATTR(?:_R[OW]|_WO)?\((\w+)" % var, src).group(1))
    return sorted(out)
def fake(d):
    return sorted(f for f in os.listdir(d) if os.path.isfile(os.path.join(d, f)) and f[0] != ".")
g, n = files("ttm_global_attrs"), files("ttm_node_attrs")
assert len(g) == 5 and len(n) == 2, (g, n)
for root, nodes in ((sys.argv[2], ["node0"]), (sys.argv[3], ["node0", "node1"])):
    t = os.path.join(root, "sys/kernel/ttm")
    assert fake(t) == g, (fake(t), g)
    assert sorted(os.listdir(os.path.join(t, "nodes"))) == nodes, root
    for x in nodes:
        assert fake(os.path.join(t, "nodes", x)) == n, (x, n)' "$ksysfs" "$tmp/kroot" "$tmp/kroot2"
# tracefs: the kernel's events, a field pool in the format of those that record
# one, and trace_pipe lines as their TP_printk() prints them
ktrace=$top/drivers/gpu/drm/ttm/ttm_pool_trace.h
K=$tmp/kroot/sys/kernel/tracing/events/ttm_pool
is "the fake tracefs has the kernel's trace events (ttm_pool_trace.h)" \
	"$(cd "$K" && find . -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | LC_ALL=C sort | tr '\n' ' ')" \
	"$(sed -n 's/^TRACE_EVENT(\([a-z0-9_]*\),$/\1/p' "$ktrace" | LC_ALL=C sort | tr '\n' ' ')"
ok "...each format with the kernel's fields, strings and arrays as such (TP_STRUCT__entry)" python3 -c '
import os, re, sys
hdr = open(sys.argv[1]).read()
n = 0
for m in re.finditer(r"TRACE_EVENT\((\w+),(.*?)TP_fast_assign", hdr, re.S):
    ev, body = m.groups()
    want = []
    for kind, args in re.findall(r"__(string|field|array)\(([^)]*)\)", body[body.index("TP_STRUCT__entry"):]):
        a = [x.strip() for x in args.split(",")]
        want.append((a[0], True) if kind == "string" else (a[1], kind == "array"))
    got = []
    for line in open(os.path.join(sys.argv[2], ev, "format")):
        f = re.match(r"\s*field:([^;]*);", line)
        if f and "common_" not in f.group(1):
            got.append((re.sub(r"\[.*", "", f.group(1).split()[-1]), "[" in f.group(1)))
    assert got == want, (ev, got, want)
    n += 1
assert n == 9, n' "$ktrace" "$K"
ok "...and trace_pipe a line of each, as its TP_printk() prints it" python3 -c '
import re, sys
hdr = open(sys.argv[1]).read()
fmts = dict(re.findall(r"TRACE_EVENT\((\w+),.*?TP_printk\(\"([^\"]*)\"", hdr, re.S))
assert len(fmts) == 9, fmts
seen = set()
for line in open(sys.argv[2]):
    m = re.search(r" \d+\.\d+: (ttm_pool_\w+): (.*)$", line)
    if not m:
        continue
    ev, fields = m.groups()
    rx = re.escape(fmts[ev])
    for conv, pat in (("%lu", r"\d+"), ("%u", r"\d+"), ("%d", r"-?\d+"), ("%s", r".+")):
        rx = rx.replace(re.escape(conv), pat).replace(conv, pat)
    assert re.fullmatch(rx, fields), (ev, fields, rx)
    seen.add(ev)
assert seen == set(fmts), set(fmts) - seen' "$ktrace" "$tmp/kroot/sys/kernel/tracing/trace_pipe"
# the debugfs dump of a pool of the current kernel (prezero's word, the clearing
# policy's lines): its version line, only keys the kernel prints, and in stats: only
# counters of ttm_pool_stat_list.h; prezero one of the words sysfs shows in brackets
ok "the fake tree's debugfs dump is the kernel's (ttm_pool_debugfs.c, ttm_pool_stat_list.h)" python3 -c '
import re, sys
src = open(sys.argv[1]).read()
stats = re.findall(r"^TTM_POOL_STAT\(\w+, (\w+), [01]\)$", open(sys.argv[2]).read(), re.M)
version = re.search(r"seq_puts\(m, \"(ttm_pool dump v\d+)\\n\"\)", src).group(1)
keys = set(re.findall(r"seq_printf\(m, \"(\w+): ", src))
lines = open(sys.argv[3]).read().splitlines()
assert lines[0] == version, (lines[0], version)
body = lines[1:lines.index("stats:")]
assert body and all(l.split(": ")[0] in keys for l in body), (sorted(keys), body)
assert {"prezero", "clear_page_ns", "demand_pages", "pending_pages"} <= {l.split(": ")[0] for l in body}, body
assert "prezero: auto" in body, body
tail = [l.split(": ")[0] for l in lines[lines.index("stats:") + 1:]]
assert tail and all(k in stats for k in tail), (stats, tail)
assert tail == [k for k in stats if k in tail], ("not in the kernel order", tail)' \
	"$kdebugfs" "$klist" "$tmp/kroot/sys/kernel/debug/ttm/pools/0000:00:02.0"
cc -shared -fPIC -O1 -Wall -Wextra -Werror -o "$tmp/fakesys.so" "$here/fakesys.c" -ldl
is "the write-recording shim builds" "$?" 0
export ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# norm: the output with the sysroot path and the program's name (getopt's messages
# carry argv[0], the normal or the ASan build) replaced.
norm() { sed -e "s|$tmp/[a-z]*|SYSROOT|g" -e "s|^[^ :]*/ttm-poolctl[-a-z]*: |ttm-poolctl: |"; }

for flavour in normal asan; do
	bin=$tool/ttm-poolctl
	[ $flavour = asan ] && bin=$tool/ttm-poolctl-asan
	t() { "$bin" --sysroot "$tmp/root" "$@"; }
	pre="[$flavour]"
	"$here/mktree.sh" "$tmp/root" full

	# golden outputs: NAME|EXIT-STATUS|ARGS, each on a fresh tree (set writes to it)
	while IFS='|' read -r name want args; do
		[ -n "$name" ] || continue
		"$here/mktree.sh" "$tmp/root" full
		# shellcheck disable=SC2086
		t $args >"$tmp/$name.raw" 2>&1
		rc=$?
		norm <"$tmp/$name.raw" >"$tmp/$name.out"
		is "$pre golden: ttm-poolctl $args exits $want" "$rc" "$want"
		if diff -u "$here/golden/$name.out" "$tmp/$name.out" >"$tmp/diff"; then
			ok "$pre golden: ttm-poolctl $args" true
		else
			ok "$pre golden: ttm-poolctl $args" false
			sed 's/^/# /' "$tmp/diff" | head -n 30
		fi
	done <"$here/golden/cases"
	ok "$pre every golden file has its case" sh -c "cd '$here/golden' && for f in *.out; do
		grep -q \"^\${f%.out}|\" cases || { echo \"\$f: no case\"; exit 1; }; done"
	"$here/mktree.sh" "$tmp/root" full

	for args in "list -J" "show -J 0000:03:00.0" "stats -J" "list -J -b --output-all"; do
		# shellcheck disable=SC2086
		t $args | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["pools"]' 2>"$tmp/json.err"
		is "$pre JSON parses: $args" "$?" 0
	done
	t list -J -b | python3 -c '
import json, sys
p = json.load(sys.stdin)["pools"][0]
assert p["pooled"] == 16777216 and p["hit%"] == 75.0, p'
	is "$pre JSON: -b sizes and HIT% are numbers" "$?" 0
	is "$pre show gives page counts with their size" "$(t show nodev | awk '$1 == "inuse_pages"' | tr -s ' ')" "inuse_pages 768 (3M)"
	is "$pre ...in bytes with -b" "$(t show -b nodev | awk '$1 == "inuse_pages"' | tr -s ' ')" "inuse_pages 768 (3145728)"
	is "$pre ...and the bare count with -r" "$(t show -r nodev | awk '$1 == "inuse_pages"')" "inuse_pages 768"
	# pre-cleared chunks: prezero, clean_pages, dirty_pages, stats/cleared_* (nodev
	# is an older kernel's pool, without them); prezero's mode, the word in brackets
	is "$pre list -o CLEAN,DIRTY,PREZERO: prezero's mode" "$(t -r -n -o NAME,CLEAN,DIRTY,PREZERO | tr '\n' ' ')" \
		"0000:00:02.0 12M 4M auto 0000:03:00.0 0B 4M off 0000:03:00.0.1 128K 0B on nodev - - - "
	is "$pre ...CLEAN and DIRTY in bytes with -b" "$(t -b -r -n -o CLEAN,DIRTY | head -n 1)" "12582912 4194304"
	ok "$pre ...not among the default columns (PREZERO neither)" sh -c "! '$bin' --sysroot '$tmp/root' | head -n 1 | grep -qE 'CLEAN|DIRTY|PREZERO'"
	ok "$pre ...all three with --output-all" sh -c "'$bin' --sysroot '$tmp/root' --output-all | head -n 1 | grep -q 'CLEAN.*DIRTY.*PREZERO'"
	is "$pre --sort CLEAN sorts by size, an older kernel's pool last" "$(t -n -r -o NAME --sort CLEAN | tr '\n' ' ')" \
		"0000:03:00.0 0000:03:00.0.1 0000:00:02.0 nodev "
	P=$tmp/root/sys/kernel/ttm/pools
	echo "auto [on] off" >"$P/0000:00:02.0/prezero"
	echo "[auto] on off" >"$P/0000:03:00.0.1/prezero"
	is "$pre --sort PREZERO: by the word" "$(t -n -r -o NAME,PREZERO --sort PREZERO | tr -s ' ' | tr '\n' '|')" \
		"0000:03:00.0.1 auto|0000:03:00.0 off|0000:00:02.0 on|nodev -|"
	"$here/mktree.sh" "$tmp/root" full
	t list -J -b -o NAME,CLEAN,DIRTY,PREZERO | python3 -c '
import json, sys
p = {x["name"]: x for x in json.load(sys.stdin)["pools"]}
assert p["0000:00:02.0"] == {"name": "0000:00:02.0", "clean": 12582912, "dirty": 4194304, "prezero": "auto"}, p
assert p["0000:03:00.0"]["prezero"] == "off" and p["0000:03:00.0.1"]["prezero"] == "on", p
assert p["nodev"] == {"name": "nodev", "clean": None, "dirty": None, "prezero": None}, p'
	is "$pre list -J: CLEAN and DIRTY numbers with -b, PREZERO auto/on/off, null without them" "$?" 0
	is "$pre show gives prezero's mode: auto" "$(t show 0000:00:02.0 | awk '$1 == "prezero"' | tr -s ' ')" "prezero auto"
	is "$pre ...off" "$(t show 0000:03:00.0 | awk '$1 == "prezero"' | tr -s ' ')" "prezero off"
	is "$pre ...on" "$(t show 0000:03:00.0.1 | awk '$1 == "prezero"' | tr -s ' ')" "prezero on"
	is "$pre ...in JSON a string" "$(t show -J 0000:00:02.0 | python3 -c 'import json,sys; print(repr(json.load(sys.stdin)["pools"][0]["prezero"]))')" \
		"'auto'"
	is "$pre ...and clean and dirty pages with their size, after inuse_pages" \
		"$(t show 0000:00:02.0 | awk '$1 ~ /^(inuse|clean|dirty)_pages$|^prezero$/ { print $1, $2, $3 }' | tr '\n' ' ')" \
		"inuse_pages 256 (1M) prezero auto  clean_pages 3072 (12M) dirty_pages 1024 (4M) "
	is "$pre ...the bare values with -r" "$(t show -r 0000:00:02.0 | awk '$1 ~ /^(clean|dirty)_pages$|^prezero$/' | tr '\n' ' ')" \
		"prezero auto clean_pages 3072 dirty_pages 1024 "
	is "$pre ...alloc_zero_pages among the counters, with its size" \
		"$(t show 0000:00:02.0 | awk '$1 == "alloc_zero_pages"' | tr -s ' ')" "alloc_zero_pages 180 (720K)"
	is "$pre ...and its counters last: every file of stats/, in the order of their names" \
		"$(t show -r 0000:03:00.0 | awk '/^alloc_coherent_pages/ { on = 1 } on { print $1 }' | tr '\n' ' ')" \
		"$(cd "$tmp/root/sys/kernel/ttm/pools/0000:03:00.0/stats" && printf '%s\n' * | LC_ALL=C sort | tr '\n' ' ')"
	is "$pre stats POOL has all 18 counters" "$(t stats -r 0000:03:00.0 | grep -vc '^name ')" 18
	ok "$pre show of an older kernel's pool leaves their keys out" sh -c \
		"! '$bin' --sysroot '$tmp/root' show nodev | grep -qE '^(prezero|clean_pages|dirty_pages|cleared_)'"
	is "$pre ...stats of it has the 14 counters it has" "$(t stats -r nodev | grep -vc '^name ')" 14
	is "$pre ...show -J of it has them as null" \
		"$(t show -J nodev | grep -cE '"(prezero|clean_pages|dirty_pages|cleared_[a-z]*_pages)": null')" 6
	is "$pre ...in the table of several pools it is -" \
		"$(t stats | awk '$1 ~ /^cleared_/ { print $1, $5 }' | tr '\n' ' ')" \
		"cleared_alloc_pages - cleared_background_pages - cleared_wasted_pages - "
	t stats --prometheus >"$tmp/prom"
	ok "$pre Prometheus: clean and dirty bytes" grep -qx 'ttm_pool_clean_bytes{pool="0000:00:02.0",device="0000:00:02.0",driver="bochs-drm"} 12582912' "$tmp/prom"
	ok "$pre ...dirty" grep -qx 'ttm_pool_dirty_bytes{pool="0000:03:00.0",device="0000:03:00.0",driver="amdgpu"} 4194304' "$tmp/prom"
	ok "$pre ...prezero as a gauge: 0 for off" grep -qx 'ttm_pool_prezero{pool="0000:03:00.0",device="0000:03:00.0",driver="amdgpu"} 0' "$tmp/prom"
	is "$pre ...1 for auto and on" "$(grep -E '^ttm_pool_prezero\{pool="0000:(00:02.0|03:00.0.1)"' "$tmp/prom" | awk '{ print $2 }' | tr '\n' ' ')" "1 1 "
	is "$pre ...and the mode, a series per pool" "$(grep -E '^(# TYPE )?ttm_pool_prezero_mode' "$tmp/prom" | tr '\n' '|')" \
		'# TYPE ttm_pool_prezero_mode gauge|ttm_pool_prezero_mode{pool="0000:00:02.0",device="0000:00:02.0",driver="bochs-drm",mode="auto"} 1|ttm_pool_prezero_mode{pool="0000:03:00.0",device="0000:03:00.0",driver="amdgpu",mode="off"} 1|ttm_pool_prezero_mode{pool="0000:03:00.0.1",device="0000:03:00.0",driver="amdgpu",mode="on"} 1|'
	ok "$pre ...alloc_zero_pages as a counter in bytes" grep -qx \
		'ttm_pool_alloc_zero_bytes_total{pool="0000:00:02.0",device="0000:00:02.0",driver="bochs-drm"} 737280' "$tmp/prom"
	ok "$pre ...the cleared counters in bytes, by background and alloc" sh -c \
		"grep -qx 'ttm_pool_cleared_bytes_total{pool=\"0000:03:00.0.1\",device=\"0000:03:00.0\",driver=\"amdgpu\",by=\"background\"} 614400' '$tmp/prom' &&
		grep -qx 'ttm_pool_cleared_bytes_total{pool=\"0000:03:00.0.1\",device=\"0000:03:00.0\",driver=\"amdgpu\",by=\"alloc\"} 655360' '$tmp/prom'"
	ok "$pre ...and wasted" grep -qx 'ttm_pool_cleared_wasted_bytes_total{pool="0000:00:02.0",device="0000:00:02.0",driver="bochs-drm"} 696320' "$tmp/prom"
	ok "$pre ...the counters typed counter" grep -qx '# TYPE ttm_pool_cleared_wasted_bytes_total counter' "$tmp/prom"
	ok "$pre ...no sample of them for an older kernel's pool" sh -c \
		"! grep -E '^ttm_pool_(clean|dirty|prezero|cleared)[a-z_]*\{pool=\"nodev\"' '$tmp/prom'"
	FAKESYS_FAIL_READ=0000:00:02.0/prezero:13,0000:00:02.0/clean_pages:13 LD_PRELOAD=$tmp/fakesys.so \
		t show 0000:00:02.0 >"$tmp/out" 2>&1
	is "$pre an unreadable prezero or clean_pages is shown as -" \
		"$(awk '$1 == "prezero" || $1 == "clean_pages" { print $1, $2 }' "$tmp/out" | tr '\n' ' ')" "prezero - clean_pages - "
	is "$pre ...and in list" "$(FAKESYS_FAIL_READ=0000:00:02.0/prezero:13 LD_PRELOAD=$tmp/fakesys.so t -n -r -o PREZERO | head -n 1)" -
	ok "$pre ...with no Prometheus sample of it" sh -c "! FAKESYS_FAIL_READ=0000:00:02.0/prezero:13 LD_PRELOAD=$tmp/fakesys.so \
		'$bin' --sysroot '$tmp/root' stats --prometheus | grep -q '^ttm_pool_prezero[a-z_]*{pool=\"0000:00:02.0\"'"
	for w in "bogus" "[sometimes] on off" "2" "auto [on off" ""; do
		echo "$w" >"$tmp/root/sys/kernel/ttm/pools/0000:00:02.0/prezero"
		is "$pre a prezero reading '$w' is - in list" "$(t -n -r -o PREZERO | head -n 1)" -
	done
	"$here/mktree.sh" "$tmp/root" full
	# a kernel from before prezero auto: prezero 1 or 0, shown as on or off
	"$here/mktree.sh" "$tmp/root" legacy
	is "$pre prezero 1 or 0 (a kernel before auto): on or off in list" \
		"$(t -r -n -o NAME,PREZERO | tr '\n' ' ')" "0000:00:02.0 on 0000:03:00.0 off 0000:03:00.0.1 on nodev - "
	is "$pre ...in show" "$(t show 0000:03:00.0 | awk '$1 == "prezero"' | tr -s ' ')" "prezero off"
	is "$pre ...in JSON the word" "$(t list -J -o NAME,PREZERO | python3 -c 'import json,sys; print([p["prezero"] for p in json.load(sys.stdin)["pools"]])')" \
		"['on', 'off', 'on', None]"
	t stats --prometheus >"$tmp/prom"
	is "$pre ...in Prometheus the gauge and the mode" \
		"$(grep -E '^ttm_pool_prezero(_mode)?\{pool="0000:03:00.0"' "$tmp/prom" | tr '\n' '|')" \
		'ttm_pool_prezero{pool="0000:03:00.0",device="0000:03:00.0",driver="amdgpu"} 0|ttm_pool_prezero_mode{pool="0000:03:00.0",device="0000:03:00.0",driver="amdgpu",mode="off"} 1|'
	ok "$pre ...and no alloc_zero_pages (it has none)" sh -c "! grep -q alloc_zero '$tmp/prom'"
	# a kernel without pre-cleared chunks at all
	"$here/mktree.sh" "$tmp/root" old
	is "$pre older kernel: CLEAN, DIRTY and PREZERO are -" "$(t -r -n -o CLEAN,DIRTY,PREZERO | sort -u)" "- - -"
	ok "$pre ...show has none of their keys" sh -c \
		"! '$bin' --sysroot '$tmp/root' show 0000:00:02.0 | grep -qE '^(prezero|clean_pages|dirty_pages|cleared_)'"
	ok "$pre ...the stats table neither" sh -c "! '$bin' --sysroot '$tmp/root' stats | grep -q '^cleared_'"
	ok "$pre ...Prometheus has no sample of them" sh -c \
		"! '$bin' --sysroot '$tmp/root' stats --prometheus | grep -E '^ttm_pool_(clean|dirty|prezero|cleared)[a-z_]*\{'"
	is "$pre ...JSON has prezero, clean_pages and dirty_pages as null, and no cleared_* key (no pool has one)" \
		"$(t show -J 0000:00:02.0 | grep -oE '"(prezero|clean_pages|dirty_pages|cleared_[a-z]*_pages)": [a-z0-9]*' | tr '\n' ' ')" \
		'"prezero": null "clean_pages": null "dirty_pages": null '
	# the global memory summary (inuse_pages, clean_pages, dirty_pages, nodes/node<N>/):
	# show --global, the JSON summary of list, Prometheus; an older kernel has none of it
	"$here/mktree.sh" "$tmp/root" full
	is "$pre show --global: the global files with their size" \
		"$(t show --global | tr -s ' ' | tr '\n' '|')" \
		"pool_max_pages 131072 (512M)|pooled_pages 5152 (20.1M)|inuse_pages 41984 (164M)|clean_pages 3104 (12.1M)|dirty_pages 2048 (8M)|nodes/node0/inuse_pages 41984 (164M)|nodes/node0/pooled_pages 5152 (20.1M)|"
	is "$pre ...in bytes with -b" "$(t show --global -b | awk '$1 == "inuse_pages"' | tr -s ' ')" "inuse_pages 41984 (171966464)"
	is "$pre ...bare with -r" "$(t show --global -r | grep '^clean_pages ')" "clean_pages 3104"
	t list -J -b | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert list(d) == ["pools", "summary"], list(d)
assert d["summary"] == {"max": 536870912, "pooled": 21102592, "inuse": 171966464, "clean": 12713984,
                        "dirty": 8388608, "nodes": [{"node": 0, "pooled": 21102592, "inuse": 171966464}]}, d["summary"]'
	is "$pre list -J: the summary after pools, numbers with -b" "$?" 0
	is "$pre ...strings without -b" "$(t list -J | python3 -c 'import json,sys; s = json.load(sys.stdin)["summary"]; print(s["inuse"], s["clean"], s["nodes"][0]["pooled"])')" \
		"164M 12.1M 20.1M"
	ok "$pre ...not with -r, -n or -P" sh -c "! '$bin' --sysroot '$tmp/root' -r | grep -qi summary &&
		! '$bin' --sysroot '$tmp/root' -n | grep -qi summary && ! '$bin' --sysroot '$tmp/root' -P | grep -qi summary"
	t stats --prometheus >"$tmp/prom"
	ok "$pre Prometheus: the summary's gauges in bytes" grep -qx 'ttm_pool_global_inuse_bytes 171966464' "$tmp/prom"
	is "$pre ...clean, dirty, and per node in use and pooled, each with HELP and TYPE" \
		"$(grep -E '^(# TYPE )?ttm_pool_(global_(clean|dirty)|node_[a-z]*)_bytes' "$tmp/prom" | tr '\n' '|')" \
		"# TYPE ttm_pool_global_clean_bytes gauge|ttm_pool_global_clean_bytes 12713984|# TYPE ttm_pool_global_dirty_bytes gauge|ttm_pool_global_dirty_bytes 8388608|# TYPE ttm_pool_node_inuse_bytes gauge|ttm_pool_node_inuse_bytes{node=\"0\"} 171966464|# TYPE ttm_pool_node_pooled_bytes gauge|ttm_pool_node_pooled_bytes{node=\"0\"} 21102592|"
	is "$pre ...a HELP line for each" "$(grep -cE '^# HELP ttm_pool_(global_(inuse|clean|dirty)|node_(inuse|pooled))_bytes .' "$tmp/prom")" 5
	if command -v script >/dev/null; then
		is "$pre list on a terminal: the summary line, no line per node with one node" \
			"$(script -qc "'$bin' --sysroot '$tmp/root'" /dev/null | tr -d '\r' | sed -n '/^All pools/,$p')" \
			"All pools: 20.1M pooled (12.1M clean, 8M dirty), 164M in use, global cap 512M"
		is "$pre ...in bytes with -b" "$(script -qc "'$bin' --sysroot '$tmp/root' -b" /dev/null | tr -d '\r' | grep '^All pools')" \
			"All pools: 21102592 pooled (12713984 clean, 8388608 dirty), 171966464 in use, global cap 536870912"
		ok "$pre ...not with -r, -n or -P there either" sh -c "! script -qc \"'$bin' --sysroot '$tmp/root' -r; '$bin' --sysroot '$tmp/root' -n; '$bin' --sysroot '$tmp/root' -P\" /dev/null | grep -q 'All pools'"
	fi
	# an unreadable file of the summary: - in show, null in JSON, no sample
	export FAKESYS_FAIL_READ=kernel/ttm/inuse_pages:13,kernel/ttm/nodes/node0/pooled_pages:13
	is "$pre an unreadable inuse_pages is - in show --global" \
		"$(LD_PRELOAD=$tmp/fakesys.so t show --global | awk '$1 ~ /inuse_pages|node0\/pooled/ { print $1, $2 }' | tr '\n' '|')" \
		"inuse_pages -|nodes/node0/inuse_pages 41984|nodes/node0/pooled_pages -|"
	is "$pre ...null in list -J" "$(LD_PRELOAD=$tmp/fakesys.so t list -J | python3 -c 'import json,sys; s = json.load(sys.stdin)["summary"]; print(s["inuse"], s["clean"], s["nodes"][0]["pooled"])')" \
		"None 12.1M None"
	ok "$pre ...and no sample in Prometheus" sh -c "LD_PRELOAD=$tmp/fakesys.so '$bin' --sysroot '$tmp/root' stats --prometheus >'$tmp/prom' &&
		! grep -qE '^ttm_pool_(global_inuse_bytes|node_pooled_bytes\{)' '$tmp/prom' &&
		grep -q '^ttm_pool_node_inuse_bytes{node=\"0\"} ' '$tmp/prom' && grep -q '^ttm_pool_global_clean_bytes ' '$tmp/prom'"
	if command -v script >/dev/null; then
		is "$pre ...left out of the summary line" \
			"$(LD_PRELOAD=$tmp/fakesys.so script -qc "'$bin' --sysroot '$tmp/root'" /dev/null | tr -d '\r' | grep '^All pools')" \
			"All pools: 20.1M pooled (12.1M clean, 8M dirty), global cap 512M"
	fi
	unset FAKESYS_FAIL_READ
	# two NUMA nodes
	"$here/mktree.sh" "$tmp/root" numa
	is "$pre two nodes: show --global has each node's files" \
		"$(t show --global -r | grep '^nodes/' | tr '\n' '|')" \
		"nodes/node0/inuse_pages 1024|nodes/node0/pooled_pages 4096|nodes/node1/inuse_pages 40960|nodes/node1/pooled_pages 1056|"
	t show --global -J | python3 -c '
import json, sys
g = json.load(sys.stdin)["global"]
assert g == {"pool_max_pages": 131072, "pooled_pages": 5152, "inuse_pages": 41984, "clean_pages": 3104,
             "dirty_pages": 2048, "nodes": [{"node": 0, "inuse_pages": 1024, "pooled_pages": 4096},
                                            {"node": 1, "inuse_pages": 40960, "pooled_pages": 1056}]}, g'
	is "$pre ...show --global -J: the files as numbers, nodes an array" "$?" 0
	is "$pre ...list -J: a summary object per node" \
		"$(t list -J -b | python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"]["nodes"])')" \
		"[{'node': 0, 'pooled': 16777216, 'inuse': 4194304}, {'node': 1, 'pooled': 4325376, 'inuse': 167772160}]"
	is "$pre ...Prometheus: a sample per node" "$(t stats --prometheus | grep '^ttm_pool_node_' | tr '\n' '|')" \
		"ttm_pool_node_inuse_bytes{node=\"0\"} 4194304|ttm_pool_node_inuse_bytes{node=\"1\"} 167772160|ttm_pool_node_pooled_bytes{node=\"0\"} 16777216|ttm_pool_node_pooled_bytes{node=\"1\"} 4325376|"
	if command -v script >/dev/null; then
		is "$pre ...list on a terminal: a line per node after the summary" \
			"$(script -qc "'$bin' --sysroot '$tmp/root'" /dev/null | tr -d '\r' | sed -n '/^All pools/,$p' | tr '\n' '|')" \
			"All pools: 20.1M pooled (12.1M clean, 8M dirty), 164M in use, global cap 512M|  node 0: 16M pooled, 4M in use|  node 1: 4.1M pooled, 160M in use|"
	fi
	ok "$pre ...dump has them" sh -c "'$bin' --sysroot '$tmp/root' dump | grep -qx 'nodes/node1/inuse_pages: 40960'"
	# nodes in the order of their numbers (node10 after node2), not of their names
	mkdir "$tmp/root/sys/kernel/ttm/nodes/node10" "$tmp/root/sys/kernel/ttm/nodes/node2"
	for n in 2 10; do echo $n >"$tmp/root/sys/kernel/ttm/nodes/node$n/inuse_pages"; echo 0 >"$tmp/root/sys/kernel/ttm/nodes/node$n/pooled_pages"; done
	is "$pre ...in the order of their numbers" "$(t stats --prometheus | grep '^ttm_pool_node_inuse' | grep -o 'node="[0-9]*"' | tr '\n' ' ')" \
		'node="0" node="1" node="2" node="10" '
	# an older kernel: pool_max_pages and pooled_pages only
	"$here/mktree.sh" "$tmp/root" old
	is "$pre older kernel: show --global has the cap and pooled_pages only" \
		"$(t show --global -r | tr '\n' '|')" "pool_max_pages 131072|pooled_pages 5152|"
	is "$pre ...-J the others as null" \
		"$(t show --global -J | python3 -c 'import json,sys; print(json.load(sys.stdin)["global"])')" \
		"{'pool_max_pages': 131072, 'pooled_pages': 5152, 'inuse_pages': None, 'clean_pages': None, 'dirty_pages': None, 'nodes': None}"
	is "$pre ...list -J's summary too" \
		"$(t list -J -b | python3 -c 'import json,sys; print(json.load(sys.stdin)["summary"])')" \
		"{'max': 536870912, 'pooled': 21102592, 'inuse': None, 'clean': None, 'dirty': None, 'nodes': None}"
	t stats --prometheus >"$tmp/prom" 2>"$tmp/err"
	is "$pre ...Prometheus exits 0, with the global pooled bytes" "$?:$(grep -c '^ttm_pool_global_pooled_bytes 21102592$' "$tmp/prom")" "0:1"
	ok "$pre ...and none of the summary's metrics, no message" sh -c "! grep -qE 'ttm_pool_(global_(inuse|clean|dirty)|node_[a-z]*)_bytes' '$tmp/prom' && test ! -s '$tmp/err'"
	is "$pre ...dump's global section neither" "$(t dump | sed -n '/^== global/,/^$/p' | tr '\n' '|')" \
		"== global (/sys/kernel/ttm)|pool_max_pages: 131072|pooled_pages: 5152||"
	if command -v script >/dev/null; then
		is "$pre ...the summary line as before" "$(script -qc "'$bin' --sysroot '$tmp/root'" /dev/null | tr -d '\r' | sed -n '/^All pools/,$p')" \
			"All pools: 20.1M pooled, global cap 512M"
	fi
	# no pools: /sys/kernel/ttm is gone
	"$here/mktree.sh" "$tmp/root" empty
	t show --global >"$tmp/out" 2>"$tmp/err"
	is "$pre no pools: show --global fails (1), saying so" "$?:$(cat "$tmp/err")" \
		"1:ttm-poolctl: no TTM pools: no TTM driver is bound, or the kernel has no ttm-pool sysfs interface"
	ok "$pre ...list -J has no summary" python3 -c 'import json,sys; assert json.loads(sys.argv[1]) == {"pools": []}' "$(t list -J)"
	ok "$pre ...Prometheus none of its metrics" sh -c "! '$bin' --sysroot '$tmp/root' stats --prometheus | grep -qE 'ttm_pool_(global_(inuse|clean|dirty)|node_[a-z]*)_bytes'"
	"$here/mktree.sh" "$tmp/root" full
	# counters are what stats/ holds: one the tool has never heard of, as a newer
	# kernel would add it, is in show, stats, JSON and Prometheus; a new release
	# cause counts in watch's releases
	S=$tmp/root/sys/kernel/ttm/pools/nodev/stats
	echo 7 >"$S/zz_new_pages"
	echo 3 >"$S/new-count"
	echo 5 >"$S/release_new_pages"
	is "$pre a new counter is in show, with its size" "$(t show nodev | awk '$1 == "zz_new_pages"' | tr -s ' ')" "zz_new_pages 7 (28K)"
	is "$pre ...in the order of names (C locale)" "$(t stats -r nodev | awk 'NR > 1 { print $1 }' | head -n 2 | tr '\n' ' ')" \
		"alloc_coherent_pages alloc_failures "
	is "$pre ...and last" "$(t stats -r nodev | tail -n 1)" "zz_new_pages 7"
	is "$pre ...in the table of every pool, - for the pools without it" \
		"$(t stats | awk '$1 == "zz_new_pages"' | tr -s ' ')" "zz_new_pages - - - 7"
	t stats -J | python3 -c '
import json, sys
p = {x["name"]: x for x in json.load(sys.stdin)["pools"]}
assert p["nodev"]["zz_new_pages"] == 7 and p["nodev"]["new-count"] == 3, p["nodev"]
assert p["0000:00:02.0"]["zz_new_pages"] is None, p["0000:00:02.0"]
assert len({tuple(x) for x in p.values()}) == 1, "not the same keys"' 2>&1
	is "$pre ...in JSON a number, null for the pools without it, the same keys for every pool" "$?" 0
	t stats --prometheus >"$tmp/prom"
	ok "$pre ...in Prometheus as ttm_pool_NAME_bytes_total for NAME_pages, in bytes" grep -qx \
		'ttm_pool_zz_new_bytes_total{pool="nodev"} 28672' "$tmp/prom"
	ok "$pre ...typed counter, with help" sh -c "grep -qx '# TYPE ttm_pool_zz_new_bytes_total counter' '$tmp/prom' &&
		grep -qx '# HELP ttm_pool_zz_new_bytes_total The pool.s counter stats/zz_new_pages, in bytes.' '$tmp/prom'"
	ok "$pre ...ttm_pool_NAME_total for another, characters outside [a-zA-Z0-9_] as _" grep -qx \
		'ttm_pool_new_count_total{pool="nodev"} 3' "$tmp/prom"
	ok "$pre ...and the others as before" diff <(grep -v new_ "$tmp/prom") "$here/golden/prometheus.out"
	t watch -J -c 2 -i 1 >"$tmp/out" &
	wpid=$!
	sleep 0.5
	echo 1005 >"$S/release_new_pages"
	wait $wpid
	ok "$pre watch: releases are the sum of every release_*_pages, a new cause too" python3 -c '
import json, sys
b = json.loads(open(sys.argv[1]).read().splitlines()[1])
p = [x for x in b["pools"] if x["name"] == "nodev"][0]
assert abs(p["releases_per_s"] * b["elapsed"] - 1000) < 1, (p, b["elapsed"])' "$tmp/out"
	"$here/mktree.sh" "$tmp/root" full
	# several pools: a row per key, a column per pool
	is "$pre stats of every pool is one table, a column per pool" \
		"$(t stats | awk 'NR == 1 || $1 == "alloc_hit_pages"' | tr -s ' ')" \
		"KEY 0000:00:02.0 0000:03:00.0 0000:03:00.0.1 nodev
alloc_hit_pages 300 999 0 0"
	# numastat-like: the pools summed per NUMA node
	echo 0 >"$tmp/root/sys/kernel/ttm/pools/0000:00:02.0/numa_node"
	echo 1 >"$tmp/root/sys/kernel/ttm/pools/0000:03:00.0/numa_node"
	is "$pre list --per-node sums the pools per NUMA node" "$(t list --per-node -r -b | tr '\n' ' ')" \
		"NODE POOLS POOLED INUSE MAX -1 2 131072 3145728 1073741824 0 1 16777216 1048576 536870912 1 1 4194304 167772160 1073741824 "
	"$here/mktree.sh" "$tmp/root" full
	# output modes like lsblk
	is "$pre -P prints key=\"value\" pairs" "$(t -P -o NAME,PATH,FORCED | tail -n 1)" 'NAME="nodev" PATH="page" FORCED="no"'
	is "$pre --sort POOLED sorts by size, not by the human string" "$(t -n -o NAME --sort POOLED | tr '\n' ' ')" \
		"nodev 0000:03:00.0.1 0000:03:00.0 0000:00:02.0 "
	t -o '' >/dev/null 2>"$tmp/err"
	is "$pre -o '' is a usage error" "$?" 2
	ok "$pre ...saying the list is empty" grep -q "empty column list" "$tmp/err"
	ok "$pre the 'All pools' footer only on a terminal" sh -c "! '$bin' --sysroot '$tmp/root' | grep -q 'All pools'"
	if command -v script >/dev/null; then
		ok "$pre ...where it is printed" sh -c "script -qc \"'$bin' --sysroot '$tmp/root'\" /dev/null | grep -q '^All pools: 20.1M pooled (12.1M clean, 8M dirty), 164M in use, global cap 512M'"
	fi
	TTM_POOLCTL_SYSROOT=$tmp/root "$bin" -n -o NAME >"$tmp/env.out"
	is "$pre TTM_POOLCTL_SYSROOT works like --sysroot" "$(tr '\n' ' ' <"$tmp/env.out")" \
		"0000:00:02.0 0000:03:00.0 0000:03:00.0.1 nodev "

	log=$tmp/writes
	# POOL by name, PCI address, /dev/dri/cardN, unique driver
	for spec in 0000:00:02.0 00:02.0 /dev/dri/card0 bochs-drm; do
		is "$pre POOL '$spec' finds the bochs pool" "$(t show "$spec" | awk '$1 == "name" { print $2 }')" 0000:00:02.0
	done
	is "$pre a device's PCI address finds its first pool" \
		"$(t show 03:00.0 | awk '$1 == "name" { print $2 }')" 0000:03:00.0
	# a device (address, driver, /dev/dri node in any form) selects all its pools
	mkdir -p "$tmp/root/dev/dri/by-path"
	: >"$tmp/root/dev/dri/card1"
	ln -s ../card1 "$tmp/root/dev/dri/by-path/pci-0000:03:00.0-card"
	for spec in 03:00.0 amdgpu /dev/dri/card1 card1 /dev/dri/by-path/pci-0000:03:00.0-card \
		/dev/dri/by-path/../card1; do
		: >"$log"
		FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so t path "$spec" page >/dev/null 2>&1
		is "$pre path '$spec' page sets both pools of the device" \
			"$(awk '{ sub(".*/pools/", "", $2); print $2 }' "$log" | tr '\n' ' ')" \
			"0000:03:00.0/alloc_path 0000:03:00.0.1/alloc_path "
	done
	: >"$log"
	FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so t path 0000:03:00.0 page >/dev/null 2>&1
	is "$pre a pool's own name (the device's first pool) selects only that pool" \
		"$(awk '{ sub(".*/pools/", "", $2); print $2 }' "$log")" "0000:03:00.0/alloc_path"
	: >"$log"
	FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so t drain 03:00.0 >/dev/null 2>&1
	is "$pre drain of a device drains each of its pools" "$(grep -c '/drain 1$' "$log")" 2
	if [ "$(id -u)" = 0 ]; then
		# a real character device: stat() and /sys/dev/char/MAJ:MIN
		rm "$tmp/root/dev/dri/card1"
		mknod "$tmp/root/dev/dri/renderD129" c 226 129
		mkdir -p "$tmp/root/sys/dev/char"
		ln -s ../../devices/pci0000:00/0000:03:00.0/drm/renderD129 "$tmp/root/sys/dev/char/226:129"
		is "$pre a character device node finds its pools through /sys/dev/char" \
			"$(t path /dev/dri/renderD129 | cut -d: -f1-3 | tr '\n' ' ')" "0000:03:00.0 0000:03:00.0.1 "
	fi
	t show 03:00.0 >/dev/null 2>"$tmp/err"
	ok "$pre show of a device with two pools says it picked the first" grep -q "03:00.0 has 2 pools; showing the first, 0000:03:00.0" "$tmp/err"
	"$here/mktree.sh" "$tmp/root" full
	t show amdgpu >/dev/null 2>"$tmp/err"
	is "$pre an ambiguous driver name fails (1)" "$?" 1
	ok "$pre ...and says so" grep -q "has 2 pools" "$tmp/err"
	# an empty POOL (an unset variable) selects nothing
	for cmd in show stats "set max=0" drain "path page" dump inject "inject off" trace; do
		: >"$log"
		# shellcheck disable=SC2086
		FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so t ${cmd%% *} "" ${cmd#"${cmd%% *}"} >/dev/null 2>"$tmp/err"
		is "$pre empty POOL: '${cmd%% *} \"\"' exits 2" "$?" 2
		ok "$pre ...saying so" grep -q "empty POOL" "$tmp/err"
		is "$pre ...writing nothing" "$(wc -l <"$log")" 0
	done
	t show nosuch >/dev/null 2>"$tmp/err"
	is "$pre an unknown pool fails (1)" "$?" 1
	ok "$pre ...naming it" grep -q "no pool 'nosuch'" "$tmp/err"

	# set: ordering and rollback, the shim playing the kernel's rules
	export FAKESYS_KERNEL=1000000
	writes() { awk '{ sub(".*/", "", $2); print $2 "=" $3 }' "$log" | tr '\n' ' '; }
	: >"$log"
	FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so t set 0000:03:00.0 max=2G high=1G low=768M >"$tmp/out" 2>&1
	is "$pre set raising everything succeeds" "$?" 0
	is "$pre ...writes max, then high, then low" "$(writes)" \
		"max_pages=524288 high_watermark_pages=262144 low_watermark_pages=196608 "
	ok "$pre ...and reports the change" grep -q "max_pages 262144 -> 524288 (1G -> 2G)" "$tmp/out"
	: >"$log"
	FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so t set 0000:03:00.0 max=64M high=32M low=16M >/dev/null 2>&1
	is "$pre set lowering everything succeeds" "$?" 0
	is "$pre ...writes max (the kernel lowers the marks to it), then low, then high" "$(writes)" \
		"max_pages=16384 low_watermark_pages=4096 high_watermark_pages=8192 "
	"$here/mktree.sh" "$tmp/root" full
	: >"$log"
	FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so t set nodev high=64M >"$tmp/out" 2>"$tmp/err"
	is "$pre set high alone on a fresh pool succeeds (low = max there)" "$?" 0
	is "$pre ...lowering low first" "$(writes)" \
		"low_watermark_pages=16384 high_watermark_pages=16384 "
	ok "$pre ...and saying so" grep -q "nodev: lowering low_watermark_pages from 131072 to 16384" "$tmp/err"
	"$here/mktree.sh" "$tmp/root" full
	: >"$log"
	FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so t set nodev max=256M high=128M >"$tmp/out" 2>&1
	is "$pre set max=256M high=128M on a fresh pool succeeds" "$?" 0
	is "$pre ...max first" "$(writes)" \
		"max_pages=65536 low_watermark_pages=32768 high_watermark_pages=32768 "
	"$here/mktree.sh" "$tmp/root" full
	: >"$log"
	FAKESYS_LOG=$log FAKESYS_FAIL=high_watermark_pages:22 LD_PRELOAD=$tmp/fakesys.so \
		t set 0000:03:00.0 max=2G high=1G low=768M >"$tmp/out" 2>&1
	is "$pre a rejected value fails the command (1)" "$?" 1
	ok "$pre ...with the kernel's error and the file" grep -q "high_watermark_pages to 262144: low <= high <= max would not hold (Invalid argument)" "$tmp/out"
	is "$pre ...and the earlier write is undone" "$(writes)" \
		"max_pages=524288 high_watermark_pages=262144 max_pages=262144 "
	is "$pre ...leaving max_pages as it was" "$(cat "$tmp/root/sys/kernel/ttm/pools/0000:03:00.0/max_pages")" 262144
	: >"$log"
	FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so t set 0000:03:00.0 low=300000 >"$tmp/out" 2>&1
	is "$pre low above high is refused (1)" "$?" 1
	is "$pre ...before any write" "$(wc -l <"$log")" 0
	FAKESYS_FAIL=max_pages:13 LD_PRELOAD=$tmp/fakesys.so t set nodev max=1 >"$tmp/out" 2>&1
	is "$pre EACCES fails (1)" "$?" 1
	ok "$pre ...as 'needs root'" grep -q "needs root" "$tmp/out"
	# sizes: pages are a whole decimal number or end in "pages"; bytes have a unit
	for size in 8192:8192 512pages:512 4096B:1 64K:16 1.5GiB:393216 2M:512 0.5MiB:128; do
		"$here/mktree.sh" "$tmp/root" full
		LD_PRELOAD=$tmp/fakesys.so t set nodev max="${size%:*}" >/dev/null 2>&1
		is "$pre set max=${size%:*} writes ${size#*:} pages" \
			"$(cat "$tmp/root/sys/kernel/ttm/pools/nodev/max_pages")" "${size#*:}"
	done
	t set nodev max=8192.0 >/dev/null 2>"$tmp/err"
	ok "$pre a fraction of pages is refused with a reason" grep -q "must be whole" "$tmp/err"
	t set nodev max=512P >/dev/null 2>"$tmp/err"
	ok "$pre 'P' is refused as ambiguous" grep -q "ambiguous unit 'P'" "$tmp/err"
	# kernel errors in the ABI's words
	FAKESYS_KERNEL=4 LD_PRELOAD=$tmp/fakesys.so t set nodev max=5 >/dev/null 2>"$tmp/err"
	ok "$pre ERANGE on max_pages is 'more than the machine's RAM'" grep -q "max_pages to 5: more than the machine's RAM" "$tmp/err"
	FAKESYS_FAIL=alloc_path:22 LD_PRELOAD=$tmp/fakesys.so t path nodev coherent >/dev/null 2>"$tmp/err"
	ok "$pre EINVAL on a device-less pool's coherent path says why" grep -q "without a device (nodev) cannot use the coherent path" "$tmp/err"
	FAKESYS_FAIL=alloc_path:95 LD_PRELOAD=$tmp/fakesys.so t path 0000:00:02.0 coherent >/dev/null 2>"$tmp/err"
	ok "$pre EOPNOTSUPP on alloc_path is the confidential guest's rule" grep -q "confidential guest" "$tmp/err"
	"$here/mktree.sh" "$tmp/root" full
	# every start state and request against a model of the kernel's rules
	# (the ASan build checks every 40th: it is slow)
	"$here/mktree.sh" "$tmp/model" full
	rm -rf "$tmp/model/sys/kernel/ttm/pools/0000:"*
	stride=${POOLCTL_MODEL_STRIDE:-1}
	[ $flavour = asan ] && stride=$((stride * 40))
	ok "$pre set: every request over every start state matches the kernel model" \
		python3 "$here/setmodel.py" "$bin" "$tmp/fakesys.so" "$tmp/model" $stride
	unset FAKESYS_KERNEL
	# set on a kernel with limits/: the values asked for staged, then one commit;
	# the kernel's rules are the kernel's (tests/vm/poolctl-*.sh run them), the fake
	# tree only records the writes
	limtree() {
		"$here/mktree.sh" "$tmp/root" full
		L=$tmp/root/sys/kernel/ttm/pools/0000:03:00.0/limits
		mkdir "$L"
		for f in max_pages high_watermark_pages low_watermark_pages commit; do : >"$L/$f"; done
	}
	lwrites() {
		awk '{ n = split($2, p, "/"); print (p[n - 1] == "limits" ? "limits/" : "") p[n] "=" $3 }' \
			"$log" | tr '\n' ' '
	}
	# in-force: the pool's max_pages, high and low of the last tree
	inforce() { cat "$L/../max_pages" "$L/../high_watermark_pages" "$L/../low_watermark_pages" | tr '\n' ' '; }
	limtree
	: >"$log"
	FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so t set 0000:03:00.0 max=64M high=32M low=16M >"$tmp/out" 2>&1
	is "$pre limits/: set drops what others staged, stages what was asked, commits" "$(lwrites)" \
		"limits/commit=0 limits/max_pages=16384 limits/high_watermark_pages=8192 limits/low_watermark_pages=4096 limits/commit=1 "
	limtree
	: >"$log"
	FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so t set 0000:03:00.0 low=1000 >"$tmp/out" 2>&1
	is "$pre limits/: only the values asked for are staged" "$(lwrites)" \
		"limits/commit=0 limits/low_watermark_pages=1000 limits/commit=1 "
	is "$pre ...and no file in force is written" "$(inforce)" "262144 200000 100000 "
	limtree
	: >"$log"
	FAKESYS_LOG=$log FAKESYS_FAIL=limits/commit:22 LD_PRELOAD=$tmp/fakesys.so \
		t set 0000:03:00.0 max=64M low=1000 >"$tmp/out" 2>&1
	is "$pre limits/: a refused commit fails the command (1)" "$?" 1
	ok "$pre ...saying what was asked and that nothing changed" grep -q \
		"0000:03:00.0: low <= high <= max would not hold with max=16384 low=1000; nothing changed" "$tmp/out"
	is "$pre ...and writes nothing but the staged values and the commits (1, then 0 to drop them)" \
		"$(lwrites)" "limits/commit=0 limits/max_pages=16384 limits/low_watermark_pages=1000 limits/commit=1 limits/commit=0 "
	is "$pre ...no file in force" "$(inforce)" "262144 200000 100000 "
	limtree
	: >"$log"
	FAKESYS_LOG=$log FAKESYS_FAIL=limits/commit:22 LD_PRELOAD=$tmp/fakesys.so \
		t set 0000:03:00.0 high=1000 >"$tmp/out" 2>&1
	is "$pre limits/: high below the low in force, refused: low is staged with it, once" "$(lwrites)" \
		"limits/commit=0 limits/high_watermark_pages=1000 limits/commit=1 limits/low_watermark_pages=1000 limits/commit=1 limits/commit=0 "
	ok "$pre ...no 'lowering' message when that is refused too" sh -c "! grep -q lowering '$tmp/out'"
	limtree
	: >"$log"
	FAKESYS_LOG=$log FAKESYS_FAIL=limits/commit:34 LD_PRELOAD=$tmp/fakesys.so t set 0000:03:00.0 max=64M >"$tmp/out" 2>&1
	is "$pre limits/: ERANGE fails (1)" "$?" 1
	ok "$pre ...as 'more than the machine's RAM'" grep -q "cannot set max=16384: more than the machine's RAM" "$tmp/out"
	is "$pre ...the staged value is dropped" "$(lwrites)" \
		"limits/commit=0 limits/max_pages=16384 limits/commit=1 limits/commit=0 "
	limtree
	: >"$log"
	FAKESYS_LOG=$log FAKESYS_FAIL=limits/high_watermark_pages:13 LD_PRELOAD=$tmp/fakesys.so \
		t set 0000:03:00.0 max=64M high=32M >"$tmp/out" 2>&1
	is "$pre limits/: a refused staging fails (1)" "$?" 1
	ok "$pre ...as 'needs root'" grep -q "limits/high_watermark_pages to 8192: needs root" "$tmp/out"
	is "$pre ...what was staged is dropped, nothing committed" "$(lwrites)" \
		"limits/commit=0 limits/max_pages=16384 limits/high_watermark_pages=8192 limits/commit=0 "
	limtree
	: >"$log"
	FAKESYS_LOG=$log FAKESYS_FAIL=prezero:12 LD_PRELOAD=$tmp/fakesys.so \
		t set 0000:03:00.0 max=64M prezero=on >"$tmp/out" 2>&1
	is "$pre limits/: a refused prezero fails (1)" "$?" 1
	is "$pre ...and commits back only the size that was asked for" "$(lwrites)" \
		"limits/commit=0 limits/max_pages=16384 limits/commit=1 prezero=on limits/commit=0 limits/max_pages=262144 limits/commit=1 "
	ok "$pre ...saying so" grep -q "0000:03:00.0: previous values restored" "$tmp/out"
	: >"$log"
	FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so t set --global max=4G >"$tmp/out" 2>&1
	is "$pre set --global" "$(awk '{ sub(".*/", "", $2); print $2 "=" $3 }' "$log")" "pool_max_pages=1048576"

	# set prezero=auto|on|off: the word written, the file read back
	"$here/mktree.sh" "$tmp/root" full
	pz() { cat "$tmp/root/sys/kernel/ttm/pools/$1/prezero"; }
	: >"$log"
	FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so t set 0000:00:02.0 prezero=off >"$tmp/out" 2>&1
	is "$pre set prezero=off exits 0" "$?" 0
	is "$pre ...writes off to prezero, nothing else" "$(writes)" "prezero=off "
	is "$pre ...which reads off" "$(pz 0000:00:02.0)" off
	is "$pre ...and reports the change alone" "$(cat "$tmp/out")" "0000:00:02.0: prezero auto -> off"
	t set 0000:00:02.0 prezero=off >"$tmp/out" 2>&1
	is "$pre set prezero=off again says unchanged" "$(cat "$tmp/out")" "0000:00:02.0: prezero off (unchanged)"
	for w in auto:auto on:on off:off yes:on no:off y:on n:off 1:on 0:off true:on false:off \
		ON:on Off:off YES:on AUTO:auto Auto:auto; do
		t set 0000:00:02.0 prezero="${w%:*}" >/dev/null 2>&1
		is "$pre set prezero=${w%:*} exits 0 and writes ${w#*:}" "$?:$(pz 0000:00:02.0)" "0:${w#*:}"
	done
	for w in maybe 2 -1 onn offf "" "o" "yes please" 0x1 " on" autoo aut "[auto]"; do
		echo "auto on [off]" >"$tmp/root/sys/kernel/ttm/pools/0000:00:02.0/prezero"
		: >"$log"
		FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so t set 0000:00:02.0 max=1G prezero="$w" >"$tmp/out" 2>"$tmp/err"
		is "$pre set prezero='$w' is a usage error (2)" "$?" 2
		ok "$pre ...saying what it takes" grep -qF "invalid value '$w' for prezero (expected auto, on or off" "$tmp/err"
		is "$pre ...writing nothing (not max either)" "$(wc -l <"$log")" 0
		is "$pre ...prezero stays off" "$(pz 0000:00:02.0)" "auto on [off]"
	done
	t set --global prezero=off >/dev/null 2>"$tmp/err"
	is "$pre set --global prezero= is a usage error (2)" "$?" 2
	"$here/mktree.sh" "$tmp/root" full
	: >"$log"
	FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so t set 03:00.0 prezero=on >"$tmp/out" 2>&1
	is "$pre set DEVICE prezero=on sets each of its pools" "$(writes)" "prezero=on prezero=on "
	is "$pre ...reporting each" "$(cat "$tmp/out")" "0000:03:00.0: prezero off -> on
0000:03:00.0.1: prezero on (unchanged)"
	# the shim playing the kernel's prezero: "[auto] on off" after a write of auto
	export FAKESYS_KERNEL=1000000
	"$here/mktree.sh" "$tmp/root" full
	: >"$log"
	FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so t set 0000:03:00.0 prezero=auto >"$tmp/out" 2>&1
	is "$pre set prezero=auto exits 0" "$?" 0
	is "$pre ...writes auto" "$(writes)" "prezero=auto "
	is "$pre ...which the kernel reads as [auto] on off" "$(pz 0000:03:00.0)" "[auto] on off"
	is "$pre ...read back and reported" "$(cat "$tmp/out")" "0000:03:00.0: prezero off -> auto"
	: >"$log"
	FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so t set 0000:03:00.0 prezero=1 >"$tmp/out" 2>&1
	is "$pre set prezero=1 writes on, the word" "$?:$(writes)" "0:prezero=on "
	is "$pre ...the kernel reads auto [on] off" "$(pz 0000:03:00.0)" "auto [on] off"
	is "$pre ...reported" "$(cat "$tmp/out")" "0000:03:00.0: prezero auto -> on"
	: >"$log"
	FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so t set 0000:03:00.0 prezero=no >"$tmp/out" 2>&1
	is "$pre set prezero=no writes off" "$?:$(writes):$(pz 0000:03:00.0)" "0:prezero=off :auto on [off]"
	FAKESYS_FAIL=prezero:12 LD_PRELOAD=$tmp/fakesys.so t set 0000:03:00.0 prezero=on >"$tmp/out" 2>"$tmp/err"
	is "$pre ENOMEM on prezero fails (1), the worker's thread not made" "$?:$(norm <"$tmp/err")" \
		"1:ttm-poolctl: cannot set SYSROOT/sys/kernel/ttm/pools/0000:03:00.0/prezero to on: the kernel could not make the clearing worker's thread (Cannot allocate memory)"
	# a kernel from before auto (prezero 1 or 0): 1 and 0 written, auto refused
	"$here/mktree.sh" "$tmp/root" legacy
	: >"$log"
	FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so t set 0000:03:00.0 prezero=on >"$tmp/out" 2>&1
	is "$pre prezero 1 or 0: set prezero=on writes 1" "$?:$(writes)" "0:prezero=1 "
	is "$pre ...which reads 1, reported as on" "$(pz 0000:03:00.0):$(cat "$tmp/out")" "1:0000:03:00.0: prezero off -> on"
	: >"$log"
	FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so t set 0000:03:00.0 prezero=false >"$tmp/out" 2>&1
	is "$pre ...prezero=false writes 0" "$?:$(writes):$(pz 0000:03:00.0)" "0:prezero=0 :0"
	: >"$log"
	FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so t set 0000:03:00.0 max=2G prezero=auto >"$tmp/out" 2>"$tmp/err"
	is "$pre ...set prezero=auto fails (1)" "$?" 1
	is "$pre ...saying the kernel has no auto" "$(cat "$tmp/err")" \
		"ttm-poolctl: 0000:03:00.0: the kernel has no prezero auto (its prezero is 1 or 0: on or off); nothing changed"
	is "$pre ...writing nothing, not the cap either" "$(wc -l <"$log"):$(wc -c <"$tmp/out")" "0:0"
	is "$pre ...prezero and the cap as they were" \
		"$(pz 0000:03:00.0) $(cat "$tmp/root/sys/kernel/ttm/pools/0000:03:00.0/max_pages")" "0 262144"
	: >"$log"
	FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so t set 03:00.0 prezero=auto >"$tmp/out" 2>"$tmp/err"
	is "$pre ...for each pool of a device" "$?:$(grep -c 'no prezero auto' "$tmp/err"):$(wc -l <"$log")" "1:2:0"
	unset FAKESYS_KERNEL
	# an older kernel's pool: refused before any write
	"$here/mktree.sh" "$tmp/root" full
	: >"$log"
	FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so t set nodev max=64M prezero=off >"$tmp/out" 2>"$tmp/err"
	is "$pre set prezero on an older kernel's pool fails (1)" "$?" 1
	ok "$pre ...saying the kernel has no pre-cleared chunks" grep -q "nodev: the kernel has no pre-cleared chunks (no SYSROOT/sys/kernel/ttm/pools/nodev/prezero)" <(norm <"$tmp/err")
	is "$pre ...writing nothing, not the cap either" "$(wc -l <"$log")" 0
	ok "$pre ...and creating no prezero file" test ! -e "$tmp/root/sys/kernel/ttm/pools/nodev/prezero"
	# a prezero that reads as no mode: refused before any write
	echo "sometimes" >"$tmp/root/sys/kernel/ttm/pools/0000:03:00.0/prezero"
	: >"$log"
	FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so t set 0000:03:00.0 max=2G prezero=on >"$tmp/out" 2>"$tmp/err"
	is "$pre a prezero that reads no mode fails set (1), writing nothing" "$?:$(wc -l <"$log")" "1:0"
	is "$pre ...saying what it reads" "$(norm <"$tmp/err")" \
		"ttm-poolctl: SYSROOT/sys/kernel/ttm/pools/0000:03:00.0/prezero reads 'sometimes', not auto, on or off: cannot set prezero"
	# the kernel refuses: nothing changes, the cap written before is put back
	"$here/mktree.sh" "$tmp/root" full
	: >"$log"
	FAKESYS_LOG=$log FAKESYS_FAIL=prezero:22 FAKESYS_KERNEL=1000000 LD_PRELOAD=$tmp/fakesys.so \
		t set 0000:03:00.0 max=2G prezero=on >"$tmp/out" 2>"$tmp/err"
	is "$pre a prezero the kernel rejects fails (1)" "$?" 1
	ok "$pre ...with the kernel's error and the file" grep -q "pools/0000:03:00.0/prezero to on: Invalid argument" "$tmp/err"
	is "$pre ...after the cap, which is put back" "$(writes)" "max_pages=524288 prezero=on max_pages=262144 "
	ok "$pre ...saying so" grep -q "0000:03:00.0: previous values restored" "$tmp/err"
	is "$pre ...leaving max_pages and prezero as they were" \
		"$(cat "$tmp/root/sys/kernel/ttm/pools/0000:03:00.0/max_pages") $(pz 0000:03:00.0)" "262144 auto on [off]"
	ok "$pre ...and reporting no change on stdout" test ! -s "$tmp/out"
	FAKESYS_FAIL=prezero:13 LD_PRELOAD=$tmp/fakesys.so t set 0000:03:00.0 prezero=on >/dev/null 2>"$tmp/err"
	is "$pre EACCES on prezero fails (1)" "$?" 1
	ok "$pre ...as 'needs root'" grep -q "prezero to on: needs root" "$tmp/err"
	is "$pre ...prezero unchanged" "$(pz 0000:03:00.0)" "auto on [off]"
	FAKESYS_FAIL_READ=0000:03:00.0/prezero:13 LD_PRELOAD=$tmp/fakesys.so t set 0000:03:00.0 prezero=on >/dev/null 2>"$tmp/err"
	is "$pre an unreadable prezero is not written (1)" "$?:$(pz 0000:03:00.0)" "1:auto on [off]"
	ok "$pre ...saying why" grep -q "cannot read .*0000:03:00.0/prezero: needs root" "$tmp/err"
	# sizes that cannot hold: refused before prezero is written
	: >"$log"
	FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so t set 0000:03:00.0 low=300000 prezero=on >/dev/null 2>&1
	is "$pre a refused size with prezero fails (1) before any write" "$?:$(wc -l <"$log"):$(pz 0000:03:00.0)" "1:0:auto on [off]"
	: >"$log"
	FAKESYS_LOG=$log FAKESYS_KERNEL=1000000 LD_PRELOAD=$tmp/fakesys.so t set 0000:03:00.0 max=2G high=1G prezero=on >"$tmp/out" 2>&1
	is "$pre sizes and prezero together: sizes first, then prezero" "$(writes)" \
		"max_pages=524288 high_watermark_pages=262144 prezero=on "
	is "$pre ...reported in that order" "$(cut -d' ' -f2 "$tmp/out" | tr '\n' ' ')" \
		"max_pages high_watermark_pages low_watermark_pages prezero "
	"$here/mktree.sh" "$tmp/root" full

	# drain and path
	: >"$log"
	FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so t drain --all >"$tmp/out" 2>&1
	is "$pre drain --all" "$?" 0
	is "$pre ...writes 1 to every pool's drain" "$(grep -c '/drain 1$' "$log")" 4
	ok "$pre ...and reports a total" grep -q "^all pools: released" "$tmp/out"
	: >"$log"
	FAKESYS_LOG=$log FAKESYS_FAIL=drain:13 LD_PRELOAD=$tmp/fakesys.so t drain --all >"$tmp/out" 2>&1
	is "$pre drain --all as non-root fails (1)" "$?" 1
	is "$pre ...stopping at the first permission error" "$(grep -c '/drain 1$' "$log")" 1
	is "$pre ...with one message" "$(grep -c "needs root" "$tmp/out")" 1
	FAKESYS_FAIL=drain:1 LD_PRELOAD=$tmp/fakesys.so t drain nodev >"$tmp/out" 2>&1
	is "$pre a failing drain fails (1)" "$?" 1
	ok "$pre ...as 'needs root'" grep -q "cannot drain nodev.*needs root" "$tmp/out"
	"$here/mktree.sh" "$tmp/root" full
	is "$pre path shows the path" "$(t path 0000:03:00.0.1)" \
		"0000:03:00.0.1: alloc_path coherent, effective path page"
	: >"$log"
	FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so t path nodev coherent >/dev/null 2>&1
	is "$pre path POOL WORD writes alloc_path" "$(awk '{ sub(".*/", "", $2); print $2 "=" $3 }' "$log")" "alloc_path=coherent"

	# QA controls (debugfs qa/<pool>/inject and verify_clean, root only); the
	# kernel's refusals through the shim (FAKESYS_FAIL), as errno
	"$here/mktree.sh" "$tmp/root" full
	Q=$tmp/root/sys/kernel/debug/ttm/qa
	# "POOL/FILE=VALUE|" per write below qa/
	qwrites() { sed -n 's|^write .*/ttm/qa/\([^ ]*\) \(.*\)$|\1=\2|p' "$log" | tr '\n' '|'; }
	is "$pre inject POOL shows its setting" "$(t inject 0000:00:02.0)" "0000:00:02.0: off"
	is "$pre inject DEVICE shows each of its pools'" "$(t inject 03:00.0 | tr '\n' ' ')" \
		"0000:03:00.0: off 0000:03:00.0.1: off "
	: >"$log"
	FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so t inject 0000:00:02.0 every=3 times=2 "pid=$$" order=2 >"$tmp/out" 2>&1
	is "$pre inject POOL SETTING... exits 0" "$?" 0
	is "$pre ...writes the words joined by single spaces, in one write" "$(qwrites)" \
		"0000:00:02.0/inject=every=3 times=2 pid=$$ order=2|"
	is "$pre ...which the file holds" "$(cat "$Q/0000:00:02.0/inject")" "every=3 times=2 pid=$$ order=2"
	is "$pre ...and shows it with the setting it replaced" "$(cat "$tmp/out")" \
		"0000:00:02.0: off -> every=3 times=2 pid=$$ order=2"
	is "$pre inject POOL shows it" "$(t inject 0000:00:02.0)" "0000:00:02.0: every=3 times=2 pid=$$ order=2"
	: >"$log"
	FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so t inject 0000:00:02.0 off >"$tmp/out" 2>&1
	is "$pre inject POOL off writes off" "$?:$(qwrites)" "0:0000:00:02.0/inject=off|"
	is "$pre ...and shows it" "$(cat "$tmp/out")" "0000:00:02.0: every=3 times=2 pid=$$ order=2 -> off"
	: >"$log"
	FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so t inject amdgpu probability=50 >/dev/null 2>&1
	is "$pre inject DRIVER SETTING sets each of its pools" "$?:$(qwrites)" \
		"0:0000:03:00.0/inject=probability=50|0000:03:00.0.1/inject=probability=50|"
	# the kernel refuses: the message, exit 1, the setting unchanged
	while IFS='|' read -r err setting msg; do
		: >"$log"
		# shellcheck disable=SC2086
		FAKESYS_LOG=$log FAKESYS_FAIL=qa/0000:00:02.0/inject:$err LD_PRELOAD=$tmp/fakesys.so \
			t inject 0000:00:02.0 $setting >"$tmp/out" 2>"$tmp/err"
		is "$pre inject refused with errno $err ($setting) fails (1)" "$?" 1
		is "$pre ...saying why" "$(norm <"$tmp/err")" "ttm-poolctl: $msg"
		is "$pre ...after one write, printing nothing" "$(grep -c . "$log"):$(wc -c <"$tmp/out")" "1:0"
		is "$pre ...the setting unchanged" "$(cat "$Q/0000:00:02.0/inject")" off
	done <<'REFUSED'
22|every=0|0000:00:02.0: invalid setting 'every=0' (expected every=N|probability=P [times=T] [pid=PID] [order=K], or off)
22|every=3 probability=5|0000:00:02.0: invalid setting 'every=3 probability=5' (expected every=N|probability=P [times=T] [pid=PID] [order=K], or off)
34|probability=200|0000:00:02.0: value out of range in 'probability=200' (N and T at least 1, P 1-100, PID 1-2147483647, K at most 10)
3|every=1 pid=99999999 order=1|0000:00:02.0: no such process (pid=99999999; a thread's id is not a process's)
7|every=1 times=1|0000:00:02.0: setting too long: 15 bytes, the kernel takes at most 128
13|every=1|cannot write SYSROOT/sys/kernel/debug/ttm/qa/0000:00:02.0/inject: permission denied (root only)
1|every=1|cannot write SYSROOT/sys/kernel/debug/ttm/qa/0000:00:02.0/inject: permission denied (root only)
REFUSED
	: >"$log"
	FAKESYS_LOG=$log FAKESYS_FAIL=inject:22 LD_PRELOAD=$tmp/fakesys.so t inject 03:00.0 every=0 >"$tmp/out" 2>"$tmp/err"
	is "$pre a setting refused for a device's first pool fails (1)" "$?" 1
	is "$pre ...and is not tried on the second" "$(grep -c . "$log"):$(grep -c . "$tmp/err")" "1:1"
	FAKESYS_FAIL_READ=qa/:13 LD_PRELOAD=$tmp/fakesys.so t inject 0000:00:02.0 >"$tmp/out" 2>"$tmp/err"
	is "$pre inject POOL unreadable (not root) fails (1)" "$?" 1
	is "$pre ...saying so" "$(norm <"$tmp/err")" \
		"ttm-poolctl: cannot read SYSROOT/sys/kernel/debug/ttm/qa/0000:00:02.0/inject: permission denied (root only)"
	t inject nodev >"$tmp/out" 2>"$tmp/err"
	is "$pre inject of a pool without QA controls fails (1)" "$?" 1
	is "$pre ...saying so" "$(cat "$tmp/err")" \
		"ttm-poolctl: no QA controls for nodev (is debugfs mounted? a kernel with ttm-pool's QA controls?)"
	t inject nodev every=1 >"$tmp/out" 2>"$tmp/err"
	is "$pre ...and so does setting it (1), with the same words" "$?:$(cat "$tmp/err")" \
		"1:ttm-poolctl: no QA controls for nodev (is debugfs mounted? a kernel with ttm-pool's QA controls?)"
	rm -r "$Q/0000:03:00.0"
	t inject 03:00.0 every=2 >"$tmp/out" 2>"$tmp/err"
	is "$pre a device pool without QA controls fails (1), the other is set" "$?:$(cat "$tmp/out")" \
		"1:0000:03:00.0.1: probability=50 -> every=2"
	rm "$Q/0000:03:00.0.1/inject"
	mkdir "$Q/0000:03:00.0.1/inject"
	t inject 0000:03:00.0.1 every=2 >"$tmp/out" 2>"$tmp/err"
	is "$pre a directory in place of inject fails (1), saying why" "$?:$(norm <"$tmp/err")" \
		"1:ttm-poolctl: cannot write SYSROOT/sys/kernel/debug/ttm/qa/0000:03:00.0.1/inject: Is a directory"
	"$here/mktree.sh" "$tmp/root" nodebugfs
	t inject 0000:00:02.0 >"$tmp/out" 2>"$tmp/err"
	is "$pre inject without debugfs fails (1): no QA controls" "$?:$(cat "$tmp/err")" \
		"1:ttm-poolctl: no QA controls for 0000:00:02.0 (is debugfs mounted? a kernel with ttm-pool's QA controls?)"
	t inject nosuch >"$tmp/out" 2>"$tmp/err"
	is "$pre inject of an unknown pool fails (1)" "$?" 1

	# set verify_clean=on|off: debugfs qa/<pool>/verify_clean, all or nothing
	"$here/mktree.sh" "$tmp/root" full
	vc() { cat "$Q/$1/verify_clean"; }
	: >"$log"
	FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so t set 0000:00:02.0 verify_clean=on >"$tmp/out" 2>&1
	is "$pre set verify_clean=on exits 0" "$?" 0
	is "$pre ...writes 1 to qa/POOL/verify_clean, nothing else" "$(qwrites):$(grep -c . "$log")" \
		"0000:00:02.0/verify_clean=1|:1"
	is "$pre ...which reads 1" "$(vc 0000:00:02.0)" 1
	is "$pre ...and reports the change" "$(cat "$tmp/out")" "0000:00:02.0: verify_clean off -> on"
	is "$pre set verify_clean=on again says unchanged" "$(t set 0000:00:02.0 verify_clean=on)" \
		"0000:00:02.0: verify_clean on (unchanged)"
	for w in off:0 on:1 no:0 yes:1 n:0 y:1 0:0 1:1 false:0 true:1 OFF:0 On:1; do
		t set 0000:00:02.0 verify_clean="${w%:*}" >/dev/null 2>&1
		is "$pre set verify_clean=${w%:*} exits 0 and writes ${w#*:}" "$?:$(vc 0000:00:02.0)" "0:${w#*:}"
	done
	for w in maybe 2 "" onn; do
		: >"$log"
		FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so t set 0000:00:02.0 max=1G verify_clean="$w" >"$tmp/out" 2>"$tmp/err"
		is "$pre set verify_clean='$w' is a usage error (2), writing nothing" "$?:$(wc -l <"$log")" "2:0"
		ok "$pre ...saying what it takes" grep -q "invalid value '$w' for verify_clean (expected on or off" "$tmp/err"
	done
	: >"$log"
	FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so t set 03:00.0 verify_clean=on >"$tmp/out" 2>&1
	is "$pre set DEVICE verify_clean=on sets each of its pools" "$(qwrites)" \
		"0000:03:00.0/verify_clean=1|0000:03:00.0.1/verify_clean=1|"
	: >"$log"
	FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so t set nodev max=64M verify_clean=on >"$tmp/out" 2>"$tmp/err"
	is "$pre set verify_clean of a pool without QA controls fails (1)" "$?" 1
	is "$pre ...saying so" "$(cat "$tmp/err")" \
		"ttm-poolctl: no QA controls for nodev (is debugfs mounted? a kernel with ttm-pool's QA controls?)"
	is "$pre ...writing nothing, not the cap either" "$(wc -l <"$log")" 0
	: >"$log"
	FAKESYS_LOG=$log FAKESYS_FAIL_READ=qa/0000:00:02.0/verify_clean:13 LD_PRELOAD=$tmp/fakesys.so \
		t set 0000:00:02.0 prezero=off verify_clean=off >"$tmp/out" 2>"$tmp/err"
	is "$pre an unreadable verify_clean (not root) fails (1), writing nothing" "$?:$(wc -l <"$log")" "1:0"
	is "$pre ...saying so" "$(norm <"$tmp/err")" \
		"ttm-poolctl: cannot read SYSROOT/sys/kernel/debug/ttm/qa/0000:00:02.0/verify_clean: permission denied (root only)"
	# refused: the sizes and prezero written before are put back
	"$here/mktree.sh" "$tmp/root" full
	: >"$log"
	FAKESYS_LOG=$log FAKESYS_FAIL=verify_clean:13 FAKESYS_KERNEL=1000000 LD_PRELOAD=$tmp/fakesys.so \
		t set 0000:03:00.0 max=2G prezero=on verify_clean=on >"$tmp/out" 2>"$tmp/err"
	is "$pre a verify_clean the kernel rejects fails (1)" "$?" 1
	is "$pre ...written last, then prezero and the cap put back" "$(writes)" \
		"max_pages=524288 prezero=on verify_clean=1 prezero=off max_pages=262144 "
	is "$pre ...saying why, and that they are back" "$(norm <"$tmp/err" | tr '\n' '|')" \
		"ttm-poolctl: cannot write SYSROOT/sys/kernel/debug/ttm/qa/0000:03:00.0/verify_clean: permission denied (root only)|ttm-poolctl: 0000:03:00.0: previous values restored|"
	is "$pre ...leaving max_pages, prezero and verify_clean as they were" \
		"$(cat "$tmp/root/sys/kernel/ttm/pools/0000:03:00.0/max_pages") $(pz 0000:03:00.0) $(vc 0000:03:00.0)" "262144 auto on [off] 0"
	ok "$pre ...and reporting no change on stdout" test ! -s "$tmp/out"
	: >"$log"
	FAKESYS_LOG=$log FAKESYS_FAIL=verify_clean:1 LD_PRELOAD=$tmp/fakesys.so \
		t set 0000:03:00.0 prezero=on verify_clean=on >"$tmp/out" 2>"$tmp/err"
	is "$pre prezero alone is put back too" "$?:$(writes)" "1:prezero=on verify_clean=1 prezero=off "
	ok "$pre ...saying so" grep -q "0000:03:00.0: previous values restored" "$tmp/err"
	# put back as it was: auto, and on a kernel before auto 1 or 0
	: >"$log"
	FAKESYS_LOG=$log FAKESYS_FAIL=verify_clean:13 FAKESYS_KERNEL=1000000 LD_PRELOAD=$tmp/fakesys.so \
		t set 0000:00:02.0 max=2G prezero=off verify_clean=on >"$tmp/out" 2>"$tmp/err"
	is "$pre prezero auto is put back as auto" "$?:$(writes)" \
		"1:max_pages=524288 prezero=off verify_clean=1 prezero=auto max_pages=131072 "
	is "$pre ...which the kernel reads" "$(pz 0000:00:02.0)" "[auto] on off"
	"$here/mktree.sh" "$tmp/root" legacy
	: >"$log"
	FAKESYS_LOG=$log FAKESYS_FAIL=verify_clean:13 FAKESYS_KERNEL=1000000 LD_PRELOAD=$tmp/fakesys.so \
		t set 0000:03:00.0 prezero=yes verify_clean=on >"$tmp/out" 2>"$tmp/err"
	is "$pre prezero 1 or 0: written and put back as 1 and 0" "$?:$(writes):$(pz 0000:03:00.0)" \
		"1:prezero=1 verify_clean=1 prezero=0 :0"
	"$here/mktree.sh" "$tmp/root" full
	: >"$log"
	FAKESYS_LOG=$log FAKESYS_KERNEL=1000000 LD_PRELOAD=$tmp/fakesys.so \
		t set 0000:03:00.0 max=2G prezero=on verify_clean=on >"$tmp/out" 2>&1
	is "$pre sizes, prezero and verify_clean together: in that order" "$?:$(writes)" \
		"0:max_pages=524288 prezero=on verify_clean=1 "
	is "$pre ...reported in that order" "$(cut -d' ' -f2 "$tmp/out" | tr '\n' ' ')" \
		"max_pages high_watermark_pages low_watermark_pages prezero verify_clean "

	# show: the QA controls where they can be read, silently left out otherwise
	"$here/mktree.sh" "$tmp/root" full
	echo "every=5 times=1" >"$Q/0000:00:02.0/inject"
	echo 1 >"$Q/0000:00:02.0/verify_clean"
	is "$pre show: inject and verify_clean after dirty_pages" \
		"$(t show 0000:00:02.0 | awk '$1 == "dirty_pages" { on = 1; next } on && n++ < 2' | tr -s ' ' | tr '\n' '|')" \
		"inject every=5 times=1|verify_clean 1 (on)|"
	is "$pre ...bare with -r (a space as \\x20, as lsblk -r)" \
		"$(t show -r 0000:00:02.0 | grep -E '^(inject|verify_clean) ' | tr '\n' '|')" \
		'inject every=5\x20times=1|verify_clean 1|'
	t show -J 0000:00:02.0 | python3 -c '
import json, sys
p = json.load(sys.stdin)["pools"][0]
assert p["inject"] == "every=5 times=1" and p["verify_clean"] == 1, p
k = list(p)
assert k.index("inject") == k.index("dirty_pages") + 1 and k.index("verify_clean") == k.index("inject") + 1, k'
	is "$pre ...in JSON a string and a number, after dirty_pages" "$?" 0
	ok "$pre ...not in stats" sh -c "! '$bin' --sysroot '$tmp/root' stats 0000:00:02.0 | grep -qE '^(inject|verify_clean) '"
	FAKESYS_FAIL_READ=/qa/:13 LD_PRELOAD=$tmp/fakesys.so t show 0000:00:02.0 >"$tmp/out" 2>"$tmp/err"
	is "$pre show as non-root (QA controls unreadable) exits 0" "$?" 0
	ok "$pre ...without them" sh -c "! grep -qE '^(inject|verify_clean) ' '$tmp/out'"
	ok "$pre ...and without a message" test ! -s "$tmp/err"
	FAKESYS_FAIL_READ=/qa/:13 LD_PRELOAD=$tmp/fakesys.so t show -J 0000:00:02.0 >"$tmp/out" 2>"$tmp/err"
	ok "$pre ...nor their keys in JSON" python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))["pools"][0]
assert "inject" not in p and "verify_clean" not in p and p["dirty_pages"] == 1024, p' "$tmp/out"
	ok "$pre show of a pool without QA controls leaves them out" sh -c \
		"! '$bin' --sysroot '$tmp/root' show nodev | grep -qE '^(inject|verify_clean) '"
	is "$pre ...in JSON too" "$(t show -J nodev | grep -cE '"(inject|verify_clean)"')" 0
	"$here/mktree.sh" "$tmp/root" nodebugfs
	ok "$pre show without debugfs leaves them out" sh -c \
		"! '$bin' --sysroot '$tmp/root' show 0000:00:02.0 | grep -qE '^(inject|verify_clean) '"

	# trace: tracefs' ttm_pool events, filtered to the pools named; every file
	# changed is put back (the shim makes a filter cleared with 0 read none)
	"$here/mktree.sh" "$tmp/root" full
	TR=$tmp/root/sys/kernel/tracing
	E=$TR/events/ttm_pool
	# what trace may change, and what it must not: every file but trace_pipe
	tstate() { (cd "$TR" && grep -r . tracing_on events | LC_ALL=C sort); }
	# "FILE=VALUE|" per write, below tracefs and events/ttm_pool
	twrites() {
		sed -n 's|^write .*/tracing/\(events/ttm_pool/\)\{0,1\}\([^ ]*\) \(.*\)$|\2=\3|p' "$log" | tr '\n' '|'
	}
	echo 0 >"$TR/tracing_on"
	echo 1 >"$E/ttm_pool_free/enable"
	echo 'pool == "nodev"' >"$E/ttm_pool_free/filter"
	before=$(tstate)
	: >"$log"
	FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so t trace -c 3 >"$tmp/out" 2>"$tmp/err"
	is "$pre trace -c 3 exits 0" "$?" 0
	is "$pre ...printing 3 lines" "$(wc -l <"$tmp/out")" 3
	is "$pre ...the first 3 events of trace_pipe, TIME EVENT POOL FIELD..." "$(cut -d' ' -f1-3 "$tmp/out" | tr '\n' '|')" \
		"12.345678 ttm_pool_alloc_chunk 0000:00:02.0|12.345680 ttm_pool_alloc 0000:00:02.0|12.400000 ttm_pool_clear 0000:03:00.0|"
	is "$pre ...and puts back every enable and filter and tracing_on" "$(tstate)" "$before"
	is "$pre ...having enabled each event (cleared the filter it had) and tracing_on, then undone it in reverse" \
		"$(twrites)" "ttm_pool_alloc/enable=1|ttm_pool_alloc_chunk/enable=1|ttm_pool_alloc_fail/enable=1|ttm_pool_clear/enable=1|ttm_pool_free/filter=0|ttm_pool_path_switch/enable=1|ttm_pool_release/enable=1|ttm_pool_shrink/enable=1|ttm_pool_verify_dirty/enable=1|tracing_on=1|tracing_on=0|ttm_pool_verify_dirty/enable=0|ttm_pool_shrink/enable=0|ttm_pool_release/enable=0|ttm_pool_path_switch/enable=0|ttm_pool_free/filter=pool == \"nodev\"|ttm_pool_clear/enable=0|ttm_pool_alloc_fail/enable=0|ttm_pool_alloc_chunk/enable=0|ttm_pool_alloc/enable=0|"
	ok "$pre ...nothing on stderr (the lost events come later)" test ! -s "$tmp/err"
	"$here/mktree.sh" "$tmp/root" full
	before=$(tstate)
	: >"$log"
	FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so t trace 0000:00:02.0 >"$tmp/out" 2>"$tmp/err"
	is "$pre trace POOL exits 0 at the end of trace_pipe" "$?" 0
	is "$pre ...printing that pool's events only" "$(awk '{ print $2, $3 }' "$tmp/out" | tr '\n' '|')" \
		"ttm_pool_alloc_chunk 0000:00:02.0|ttm_pool_alloc 0000:00:02.0|ttm_pool_alloc_fail 0000:00:02.0|ttm_pool_alloc 0000:00:02.0|ttm_pool_verify_dirty 0000:00:02.0|"
	is "$pre ...having set each event's filter to it before enabling it, ttm_pool_shrink left alone" \
		"$(twrites | tr '|' '\n' | head -n 16 | tr '\n' '|')" \
		"ttm_pool_alloc/filter=pool == \"0000:00:02.0\"|ttm_pool_alloc/enable=1|ttm_pool_alloc_chunk/filter=pool == \"0000:00:02.0\"|ttm_pool_alloc_chunk/enable=1|ttm_pool_alloc_fail/filter=pool == \"0000:00:02.0\"|ttm_pool_alloc_fail/enable=1|ttm_pool_clear/filter=pool == \"0000:00:02.0\"|ttm_pool_clear/enable=1|ttm_pool_free/filter=pool == \"0000:00:02.0\"|ttm_pool_free/enable=1|ttm_pool_path_switch/filter=pool == \"0000:00:02.0\"|ttm_pool_path_switch/enable=1|ttm_pool_release/filter=pool == \"0000:00:02.0\"|ttm_pool_release/enable=1|ttm_pool_verify_dirty/filter=pool == \"0000:00:02.0\"|ttm_pool_verify_dirty/enable=1|"
	is "$pre ...tracing_on (1 already) not written, 32 writes in all" "$(grep -c tracing_on "$log"):$(grep -c . "$log")" "0:32"
	is "$pre ...and all put back" "$(tstate)" "$before"
	ok "$pre ...saying that events were lost" grep -qx "ttm-poolctl: CPU 2: 7 events lost (the trace buffer was full)" "$tmp/err"
	: >"$log"
	FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so t trace 03:00.0 0000:03:00.0 nodev -c 2 >"$tmp/out" 2>&1
	is "$pre trace of a device and a pool: each of their pools once, in the filter" \
		"$(grep -m 1 /filter "$log" | sed 's/^[^ ]* [^ ]* //')" \
		'pool == "0000:03:00.0" || pool == "0000:03:00.0.1" || pool == "nodev"'
	is "$pre ...their events" "$(awk '{ print $3 }' "$tmp/out" | tr '\n' ' ')" "0000:03:00.0 0000:03:00.0.1 "
	# -J: one JSON object per line, numbers as numbers
	"$here/mktree.sh" "$tmp/root" full
	t trace -J >"$tmp/out" 2>/dev/null
	is "$pre trace -J prints an object per event" "$(wc -l <"$tmp/out")" 10
	bad=0
	while IFS= read -r l; do
		python3 -m json.tool <<<"$l" >/dev/null 2>&1 || bad=$((bad + 1))
	done <"$tmp/out"
	is "$pre ...each line valid JSON (python3 -m json.tool)" "$bad" 0
	ok "$pre ...with time, event, pool, the fields typed, comm, pid and cpu" python3 -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
a = ev[1]
assert a == {"time": 12.34568, "event": "ttm_pool_alloc", "pool": "0000:00:02.0", "pages": 4,
             "caching": "cached", "path": "page", "zero": 1, "hit": 4, "miss": 0,
             "precleared": 4, "cleared": 0, "ret": 0, "comm": "dumbbuf", "pid": 123, "cpu": 1}, a
assert list(a)[:3] == ["time", "event", "pool"], list(a)
assert ev[0]["hit"] == 1 and "miss" not in ev[0], ev[0]
s = [e for e in ev if e["event"] == "ttm_pool_shrink"][0]
assert s["pool"] is None and s["freed"] == 64, s
p = [e for e in ev if e["event"] == "ttm_pool_path_switch"][0]
assert p["why"] == "swiotlb forces bouncing" and p["comm"] == "gnome-shell" and p["pid"] == 1234, p
assert [e["ret"] for e in ev if e["event"] == "ttm_pool_alloc"] == [0, -12]
w = [e for e in ev if e["event"] == "ttm_pool_free"][0]
assert w["comm"] == "Web Content" and w["pid"] == 777 and w["cpu"] == 1, w
v = ev[-1]
assert v["comm"] == "dumbbuf" and v["pid"] == 125 and v["cpu"] == 0 and v["offset"] == 128, v
assert v["bytes"] == "12345678000000000000000000000000", v  # u8[16] in its format: a string
for e in ev:
    assert isinstance(e["time"], float) and isinstance(e["cpu"], int), e' "$tmp/out"
	# a FIFO: events as they come; SIGINT, SIGTERM or the writer's end stop it
	for how in INT TERM eof; do
		"$here/mktree.sh" "$tmp/root" full
		before=$(tstate)
		rm "$TR/trace_pipe"
		mkfifo "$TR/trace_pipe"
		exec 3<>"$TR/trace_pipe"
		# the tool itself in the background (not t's subshell), without the writer
		LD_PRELOAD=$tmp/fakesys.so "$bin" --sysroot "$tmp/root" trace -J nodev \
			>"$tmp/out" 2>"$tmp/err" 3>&- &
		tpid=$!
		for _ in $(seq 100); do
			[ "$(cat "$E/ttm_pool_alloc/enable")" = 1 ] && break
			sleep 0.05
		done
		echo "  dumbbuf-9 [000] ..... 99.000001: ttm_pool_alloc: pool=nodev pages=1 caching=wc path=page zero=0 hit=1 miss=0 precleared=0 cleared=0 ret=0" >&3
		for _ in $(seq 100); do
			[ -s "$tmp/out" ] && break
			sleep 0.05
		done
		is "$pre trace reads a FIFO as it is written ($how)" "$(grep -c '"time":99.000001,' "$tmp/out")" 1
		if [ $how = eof ]; then
			exec 3>&-
		else
			kill -$how $tpid
		fi
		wait $tpid
		is "$pre ...${how/eof/the writer closing it} ends it (0)" "$?" 0
		is "$pre ...and every enable, filter and tracing_on is back" "$(tstate)" "$before"
		exec 3>&-
	done
	# a reader that goes away ends it too
	"$here/mktree.sh" "$tmp/root" full
	before=$(tstate)
	for _ in $(seq 400); do cat "$TR/trace_pipe"; done >"$tmp/pipe" && mv "$tmp/pipe" "$TR/trace_pipe"
	t trace 2>"$tmp/err" | head -n 1 >"$tmp/out"
	rc=${PIPESTATUS[0]}
	is "$pre trace | head -n 1: the reader gone ends it (0)" "$rc:$(wc -l <"$tmp/out")" "0:1"
	is "$pre ...without a write error, all put back" "$(grep -c 'write error' "$tmp/err"):$(tstate)" "0:$before"
	t trace >/dev/full 2>"$tmp/err"
	is "$pre trace >/dev/full fails (1)" "$?" 1
	is "$pre ...with 'write error', all put back" "$(grep -c 'write error' "$tmp/err"):$(tstate)" "1:$before"
	# errors: nothing is left changed
	"$here/mktree.sh" "$tmp/root" full
	echo 0 >"$TR/tracing_on"
	before=$(tstate)
	: >"$log"
	FAKESYS_LOG=$log FAKESYS_FAIL_READ=trace_pipe:13 LD_PRELOAD=$tmp/fakesys.so t trace >"$tmp/out" 2>"$tmp/err"
	is "$pre trace as non-root (trace_pipe EACCES) fails (1)" "$?" 1
	is "$pre ...saying so" "$(norm <"$tmp/err")" \
		"ttm-poolctl: cannot open SYSROOT/sys/kernel/tracing/trace_pipe: permission denied (root only)"
	is "$pre ...before writing anything" "$(wc -l <"$log")" 0
	: >"$log"
	FAKESYS_LOG=$log FAKESYS_FAIL=ttm_pool_clear/enable:13 LD_PRELOAD=$tmp/fakesys.so t trace >"$tmp/out" 2>"$tmp/err"
	is "$pre a tracefs file that cannot be written fails trace (1)" "$?" 1
	is "$pre ...saying which" "$(norm <"$tmp/err")" \
		"ttm-poolctl: cannot set SYSROOT/sys/kernel/tracing/events/ttm_pool/ttm_pool_clear/enable to '1': permission denied (root only)"
	is "$pre ...putting back what it had changed" "$(twrites)" \
		"ttm_pool_alloc/enable=1|ttm_pool_alloc_chunk/enable=1|ttm_pool_alloc_fail/enable=1|ttm_pool_clear/enable=1|ttm_pool_alloc_fail/enable=0|ttm_pool_alloc_chunk/enable=0|ttm_pool_alloc/enable=0|"
	is "$pre ...all of it" "$(tstate)" "$before"
	: >"$log"
	FAKESYS_LOG=$log FAKESYS_FAIL=filter:22 LD_PRELOAD=$tmp/fakesys.so t trace nodev >"$tmp/out" 2>"$tmp/err"
	is "$pre a filter the kernel refuses fails trace (1)" "$?:$(tstate)" "1:$before"
	ok "$pre ...saying so" grep -q "ttm_pool_alloc/filter to 'pool == \"nodev\"': the kernel refused the filter (Invalid argument)" "$tmp/err"
	: >"$log"
	FAKESYS_LOG=$log FAKESYS_FAIL=tracing_on:1 LD_PRELOAD=$tmp/fakesys.so t trace >"$tmp/out" 2>"$tmp/err"
	is "$pre a tracing_on that cannot be written fails trace (1), all put back" "$?:$(tstate)" "1:$before"
	is "$pre ...after 9 enables, and 9 writes back" "$(grep -c . "$log")" 19
	: >"$log"
	FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so t trace nosuch >"$tmp/out" 2>"$tmp/err"
	is "$pre trace of an unknown pool fails (1), writing nothing" "$?:$(wc -l <"$log")" "1:0"
	ok "$pre ...naming it" grep -q "no pool 'nosuch'" "$tmp/err"
	mkdir -p "$tmp/root/sys/kernel/debug"
	mv "$TR" "$tmp/root/sys/kernel/debug/tracing"
	: >"$log"
	FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so t trace -c 1 >"$tmp/out" 2>&1
	is "$pre trace uses /sys/kernel/debug/tracing without /sys/kernel/tracing" "$?:$(cut -d' ' -f2 "$tmp/out")" "0:ttm_pool_alloc_chunk"
	is "$pre ...writing there" "$(grep -c ' [^ ]*/sys/kernel/debug/tracing/' "$log"):$(grep -c . "$log")" "20:20"
	rm -r "$tmp/root/sys/kernel/debug/tracing"
	t trace >"$tmp/out" 2>"$tmp/err"
	is "$pre trace without tracefs fails (1), saying so" "$?:$(norm <"$tmp/err")" \
		"1:ttm-poolctl: tracefs is not mounted at SYSROOT/sys/kernel/tracing (mount -t tracefs tracefs /sys/kernel/tracing)"
	"$here/mktree.sh" "$tmp/root" full
	rm -r "$E"
	t trace >"$tmp/out" 2>"$tmp/err"
	is "$pre trace without the ttm_pool events fails (1), saying so" "$?:$(norm <"$tmp/err")" \
		"1:ttm-poolctl: no ttm_pool trace events in SYSROOT/sys/kernel/tracing (is ttm loaded? a kernel with ttm-pool's trace events?)"

	# bug-report: one gzipped text file in sections; what it cannot read is noted and
	# the rest written; the trace leaves tracefs as it was
	"$here/mktree.sh" "$tmp/root" full
	TR=$tmp/root/sys/kernel/tracing
	E=$TR/events/ttm_pool
	echo 0 >"$TR/tracing_on"
	echo 1 >"$E/ttm_pool_free/enable"
	before=$(tstate)
	mkdir -p "$tmp/br"
	rm -f "$tmp/br/"* "$tmp/br/".[!.]* 2>/dev/null
	: >"$log"
	(umask 0 && cd "$tmp/br" && FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so "$bin" --sysroot "$tmp/root" bug-report \
		>"$tmp/out" 2>"$tmp/err")
	is "$pre bug-report exits 0" "$?" 0
	ok "$pre ...writing ./ttm-pool-bug-report.txt.gz, and saying so with its size" grep -qxE \
		"Wrote $tmp/br/ttm-pool-bug-report.txt.gz \\(($(stat -c %s "$tmp/br/ttm-pool-bug-report.txt.gz")B|[0-9.]+K)\\)\\." "$tmp/out"
	is "$pre ...one file, no temporary one" "$(ls -A "$tmp/br")" "ttm-pool-bug-report.txt.gz"
	ok "$pre ...gzip's" gzip -t "$tmp/br/ttm-pool-bug-report.txt.gz"
	zcat "$tmp/br/ttm-pool-bug-report.txt.gz" >"$tmp/report"
	is "$pre ...its sections, in order" "$(head -n 1 "$tmp/report"; grep '^== ' "$tmp/report" | norm)" \
"ttm-poolctl bug-report v1
== ttm-poolctl
== kernel
== ttm.ko
== dkms status ttm-pool
== pools (ttm-poolctl list)
== global (ttm-poolctl show --global)
== pools: debugfs dump (/sys/kernel/debug/ttm/pools/all)
== trace (the ttm_pool events, 5 s)
== kernel log (TTM, DRM, GPU drivers, swiotlb)
== notes"
	# sect TITLE: the lines of a section of the report, without its title
	# sect REGEX: the lines of the section whose title matches, without it and empty lines
	sect() { awk -v t="^== $1" '/^== / { on = $0 ~ t; next } on' "$tmp/report" | sed '/^$/d'; }
	is "$pre ...the tool's version" "$(sect 'ttm-poolctl$')" "ttm-poolctl 0.2.0"
	is "$pre ...uname (no host name), /proc/version, /proc/cmdline" "$(sect 'kernel$' | cut -c 1-60)" \
"uname: Linux 6.12.117-ttm-pool #1 SMP PREEMPT_DYNAMIC Debian
/proc/version: Linux version 6.12.117-ttm-pool (debian-kerne
/proc/cmdline: console=ttyS0 swiotlb=force quiet"
	is "$pre ...which ttm.ko is loaded and which one is on disk (modules.dep)" "$(sect 'ttm\\.ko' | norm)" \
"loaded: ttm-pool's ttm.ko (it has the parameter alloc_path)
/sys/module/ttm/initstate: live
/sys/module/ttm/version: (none)
/sys/module/ttm/srcversion: 5A1B2C3D4E5F60718293A4B
/sys/module/ttm/taint: OE
/sys/kernel/ttm: present (ttm-pool's)
modules.dep: /lib/modules/6.12.117-ttm-pool/updates/dkms/ttm.ko.xz
on disk: below updates/, ahead of the kernel's: DKMS's, ttm-pool's
modinfo: (not run below --sysroot (set \$TTM_POOLCTL_MODINFO to run one))"
	is "$pre ...dkms not run below --sysroot" "$(sect 'dkms status')" "(not run below --sysroot (set \$TTM_POOLCTL_DKMS to run one))"
	is "$pre ...the pools as list shows them" "$(sect 'pools \\(ttm')" "$(t list)"
	is "$pre ...and show --global" "$(sect global)" "$(t show --global)"
	is "$pre ...the debugfs dump of all pools" "$(sect 'pools: debugfs')" "$(sed '/^$/d' "$tmp/root/sys/kernel/debug/ttm/pools/all")"
	is "$pre ...the trace: trace_pipe's lines of the ttm_pool events, and the lost ones" \
		"$(sect trace)" "$(grep -E 'ttm_pool_|LOST' "$TR/trace_pipe" | grep -v ttm_pool_verify_dirty)
(9 events)"
	ok "$pre ...but not ttm_pool_verify_dirty: its bytes are another buffer's" \
		sh -c "! grep -q '12345678\|verify_dirty' '$tmp/report'"
	is "$pre ...the file is root's alone (0600), whatever the umask" \
		"$(stat -c %a "$tmp/br/ttm-pool-bug-report.txt.gz")" 600
	is "$pre ...the kernel log's lines of TTM and DRM" "$(sect 'kernel log')" \
"[    1.234567] [drm] Initialized bochs-drm 1.0.0 for 0000:00:02.0 on minor 0
[    2.000001] software IO TLB: area num 1.
[    3.500000] amdgpu 0000:03:00.0: [drm] ttm pool ready"
	is "$pre ...notes: what it did not run" "$(sect notes)" \
"modinfo: not run below --sysroot (set \$TTM_POOLCTL_MODINFO to run one)
dkms: not run below --sysroot (set \$TTM_POOLCTL_DKMS to run one)"
	is "$pre ...on stderr too" "$(cat "$tmp/err")" "$(sect notes | sed 's/^/ttm-poolctl: /')"
	is "$pre ...the trace put back every enable, filter and tracing_on" "$(tstate)" "$before"
	is "$pre ...having enabled each event and tracing_on, then undone it in reverse" "$(twrites)" \
		"ttm_pool_alloc/enable=1|ttm_pool_alloc_chunk/enable=1|ttm_pool_alloc_fail/enable=1|ttm_pool_clear/enable=1|ttm_pool_path_switch/enable=1|ttm_pool_release/enable=1|ttm_pool_shrink/enable=1|tracing_on=1|tracing_on=0|ttm_pool_shrink/enable=0|ttm_pool_release/enable=0|ttm_pool_path_switch/enable=0|ttm_pool_clear/enable=0|ttm_pool_alloc_fail/enable=0|ttm_pool_alloc_chunk/enable=0|ttm_pool_alloc/enable=0|"
	is "$pre ...and wrote nothing else below the sysroot" "$(grep -vc '/sys/kernel/tracing/' "$log")" 0
	# nothing but those sections: no environment
	BR_SECRET=hunter2-$$ t bug-report -o "$tmp/br/plain.txt" >/dev/null 2>&1
	ok "$pre ...nothing of the environment in it" sh -c "! grep -q 'hunter2' '$tmp/br/plain.txt'"
	is "$pre -o FILE without .gz: plain text" "$(head -n 1 "$tmp/br/plain.txt")" "ttm-poolctl bug-report v1"
	t bug-report -f "$tmp/br/f.txt.gz" >/dev/null 2>&1
	is "$pre -f FILE as dump's" "$?:$(zcat "$tmp/br/f.txt.gz" | head -n 1)" "0:ttm-poolctl bug-report v1"
	echo precious >"$tmp/br/victim"
	ln -sf victim "$tmp/br/link.gz"
	t bug-report -o "$tmp/br/link.gz" --trace-seconds 0 >/dev/null 2>&1
	is "$pre -o over a symlink replaces the link, not its target" \
		"$?:$(cat "$tmp/br/victim"):$(test -L "$tmp/br/link.gz" && echo link)" "0:precious:"
	# not root: no debugfs, no trace_pipe, no /dev/kmsg; the rest is written
	"$here/mktree.sh" "$tmp/root" full
	before=$(tstate)
	: >"$log"
	FAKESYS_LOG=$log FAKESYS_FAIL_READ=/sys/kernel/debug/:13,trace_pipe:13,kmsg:1 LD_PRELOAD=$tmp/fakesys.so \
		t bug-report -o "$tmp/br/user.txt" >"$tmp/out" 2>"$tmp/err"
	is "$pre bug-report as a user (EACCES, EPERM) exits 0" "$?" 0
	cp "$tmp/br/user.txt" "$tmp/report"
	is "$pre ...saying, where each would be, why it is not" \
		"$(grep -A 1 -E '^== (pools: debugfs|trace|kernel log)' "$tmp/report" | grep -v '^--$' | norm)" \
"== pools: debugfs dump (/sys/kernel/debug/ttm/pools/all)
(not available: needs root)
== trace (the ttm_pool events, 5 s)
(not available: cannot open SYSROOT/sys/kernel/tracing/trace_pipe: permission denied (root only))
== kernel log (TTM, DRM, GPU drivers, swiotlb)
(not available: needs root)"
	is "$pre ...and in the notes" "$(sect notes | norm | tail -n 3)" \
"could not read SYSROOT/sys/kernel/debug/ttm/pools/all: needs root (the pools' sysfs view instead)
trace: cannot open SYSROOT/sys/kernel/tracing/trace_pipe: permission denied (root only)
could not read SYSROOT/dev/kmsg: needs root"
	is "$pre ...the pools' sysfs view instead of the dump: show of each pool" \
		"$(sect 'pools: sysfs' | grep -E '^(-- |name )' | tr -s ' ' | tr '\n' '|')" \
		"-- 0000:00:02.0|name 0000:00:02.0|-- 0000:03:00.0|name 0000:03:00.0|-- 0000:03:00.0.1|name 0000:03:00.0.1|-- nodev|name nodev|"
	is "$pre ...as show gives it" "$(sect 'pools: sysfs' | sed -n '/^-- nodev$/,$p' | sed 1d)" "$(t show nodev)"
	is "$pre ...the other sections as before" "$(grep -c '^== ' "$tmp/report")" 11
	is "$pre ...writing nothing below tracefs" "$(wc -l <"$log")" 0
	is "$pre ...the notes on stderr" "$(grep -c '^ttm-poolctl: ' "$tmp/err")" 5
	if [ "$(id -u)" != 0 ]; then
		ok "$pre ...and that root gets them" grep -qx 'ttm-poolctl: as root the report has these parts too' "$tmp/err"
	fi
	# no debugfs, no tracefs
	"$here/mktree.sh" "$tmp/root" nodebugfs
	t bug-report -o "$tmp/br/nodebugfs.txt" >/dev/null 2>&1
	is "$pre without debugfs and tracefs: exits 0" "$?" 0
	is "$pre ...saying why" "$(grep -A 1 -E '^== (pools: debugfs|trace)' "$tmp/br/nodebugfs.txt" | grep '^(' | norm)" \
"(not available: No such file or directory (is debugfs mounted on /sys/kernel/debug?))
(not available: tracefs is not mounted at SYSROOT/sys/kernel/tracing (mount -t tracefs tracefs /sys/kernel/tracing))"
	# no pools, no ttm.ko, no modules.dep
	"$here/mktree.sh" "$tmp/root" empty
	t bug-report -o "$tmp/br/empty.txt" >/dev/null 2>&1
	is "$pre without pools and ttm.ko: exits 0" "$?" 0
	cp "$tmp/br/empty.txt" "$tmp/report"
	is "$pre ...the pools: none, and why" "$(sect 'pools \\(ttm')" \
		"(no TTM pools: no TTM driver is bound, or the kernel has no ttm-pool sysfs interface)"
	is "$pre ...no ttm.ko loaded" "$(sect 'ttm\\.ko' | head -n 2)" "loaded: none (no /sys/module/ttm)
/sys/kernel/ttm: absent (the kernel's ttm.ko, or ttm-pool's with no pool: no TTM driver bound)"
	# the kernel's own ttm.ko, from kernel/
	"$here/mktree.sh" "$tmp/root" empty
	mkdir -p "$tmp/root/sys/module/ttm/parameters" "$tmp/root/lib/modules/6.12.117-ttm-pool"
	echo live >"$tmp/root/sys/module/ttm/initstate"
	echo "kernel/drivers/gpu/drm/ttm/ttm.ko.xz: kernel/drivers/gpu/drm/drm.ko.xz" \
		>"$tmp/root/lib/modules/6.12.117-ttm-pool/modules.dep"
	t bug-report --summary >"$tmp/report" 2>&1
	is "$pre the kernel's own ttm.ko: said so" "$(sect 'ttm\\.ko' | grep -E '^(loaded|on disk|modules.dep):')" \
"loaded: the kernel's own ttm.ko (no parameter alloc_path, no /sys/kernel/ttm)
modules.dep: /lib/modules/6.12.117-ttm-pool/kernel/drivers/gpu/drm/ttm/ttm.ko.xz
on disk: the kernel's own (not below updates/)"
	# dkms and modinfo: $TTM_POOLCTL_DKMS, $TTM_POOLCTL_MODINFO (those of PATH without
	# a sysroot)
	"$here/mktree.sh" "$tmp/root" full
	printf '#!/bin/sh\necho "ttm-pool/0.2.0, 6.12.117-ttm-pool, amd64: installed"\necho "args: $*" >&2\n' >"$tmp/dkms"
	printf '#!/bin/sh\n[ "$2" = version ] && exit 0\necho "F=$2 $3 LC_ALL=$LC_ALL"\nexit 3\n' >"$tmp/modinfo"
	chmod +x "$tmp/dkms" "$tmp/modinfo"
	TTM_POOLCTL_DKMS=$tmp/dkms TTM_POOLCTL_MODINFO=$tmp/modinfo t bug-report --summary >"$tmp/report" 2>&1
	is "$pre \$TTM_POOLCTL_DKMS: dkms status ttm-pool, its output and errors" "$(sect 'dkms status')" \
"\$ dkms status ttm-pool
ttm-pool/0.2.0, 6.12.117-ttm-pool, amd64: installed
args: status ttm-pool"
	is "$pre \$TTM_POOLCTL_MODINFO: modinfo -F filename, version, srcversion ttm, with LC_ALL=C, exit status" \
		"$(sect 'ttm\\.ko' | sed -n '/^\$ modinfo/,$p')" \
"\$ modinfo -F filename ttm
F=filename ttm LC_ALL=C
(exit status 3)
\$ modinfo -F version ttm
(no output)
\$ modinfo -F srcversion ttm
F=srcversion ttm LC_ALL=C
(exit status 3)"
	is "$pre ...no notes then" "$(sect notes)" "(none)"
	TTM_POOLCTL_DKMS= TTM_POOLCTL_MODINFO=/nonexistent/modinfo t bug-report --summary >"$tmp/report" 2>&1
	is "$pre an empty \$TTM_POOLCTL_DKMS: not run" "$(sect 'dkms status')" "(not run: \$TTM_POOLCTL_DKMS is empty)"
	is "$pre a program that is not there: exit status 127" "$(sect 'ttm\\.ko' | grep -A 2 -m 1 '^\$ modinfo' | norm)" \
"\$ modinfo -F filename ttm
cannot run /nonexistent/modinfo: No such file or directory
(exit status 127)"
	# --summary: standard output, no file, no debugfs, no trace, no kernel log
	"$here/mktree.sh" "$tmp/root" full
	: >"$log"
	(cd "$tmp/br" && rm -f ./* && FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so "$bin" --sysroot "$tmp/root" \
		bug-report --summary >"$tmp/report" 2>"$tmp/err")
	is "$pre bug-report --summary exits 0" "$?" 0
	is "$pre ...its sections" "$(head -n 1 "$tmp/report"; grep '^== ' "$tmp/report")" \
"ttm-poolctl bug-report v1 (summary)
== ttm-poolctl
== kernel
== ttm.ko
== dkms status ttm-pool
== pools (ttm-poolctl list)
== global (ttm-poolctl show --global)
== notes"
	is "$pre ...no file, nothing on stderr, no write" "$(ls -A "$tmp/br"):$(wc -c <"$tmp/err"):$(wc -l <"$log")" ":0:0"
	# --trace-seconds
	"$here/mktree.sh" "$tmp/root" full
	: >"$log"
	FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so t bug-report --trace-seconds 0 -o "$tmp/br/t0.txt" >/dev/null 2>&1
	is "$pre --trace-seconds 0: no trace, nothing written to tracefs" \
		"$?:$(sed -n '/^== trace/,/^$/p' "$tmp/br/t0.txt" | tr '\n' '|'):$(wc -l <"$log")" "0:== trace|(none: --trace-seconds 0)||:0"
	# a FIFO: the events of the seconds asked for, then everything put back
	before=$(tstate)
	rm "$TR/trace_pipe"
	mkfifo "$TR/trace_pipe"
	exec 3<>"$TR/trace_pipe"
	start=$(date +%s%N)
	LD_PRELOAD=$tmp/fakesys.so "$bin" --sysroot "$tmp/root" bug-report --trace-seconds 1.5 -o "$tmp/br/fifo.txt" \
		>/dev/null 2>&1 3>&- &
	bpid=$!
	for _ in $(seq 100); do
		[ "$(cat "$E/ttm_pool_alloc/enable")" = 1 ] && break
		sleep 0.05
	done
	echo "  dumbbuf-9 [000] ..... 99.000001: ttm_pool_alloc: pool=nodev pages=1 caching=wc path=page zero=0 hit=1 miss=0 precleared=0 cleared=0 ret=0" >&3
	wait $bpid
	rc=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	exec 3>&-
	is "$pre --trace-seconds 1.5 on a FIFO ends (0) after 1.5 s" "$rc:$([ $ms -ge 1400 ] && [ $ms -lt 10000 ] && echo in-time)" "0:in-time"
	is "$pre ...with the event written meanwhile" "$(sed -n '/^== trace/,/^$/p' "$tmp/br/fifo.txt" | sed 1d | sed '/^$/d' | sed 's/^ *//')" \
"dumbbuf-9 [000] ..... 99.000001: ttm_pool_alloc: pool=nodev pages=1 caching=wc path=page zero=0 hit=1 miss=0 precleared=0 cleared=0 ret=0
(1 events)"
	is "$pre ...and every enable, filter and tracing_on back" "$(tstate)" "$before"
	# SIGINT during the trace ends it early, puts everything back, and writes the rest
	exec 3<>"$TR/trace_pipe"
	LD_PRELOAD=$tmp/fakesys.so "$bin" --sysroot "$tmp/root" bug-report --trace-seconds 60 -o "$tmp/br/int.txt" \
		>/dev/null 2>&1 3>&- &
	bpid=$!
	for _ in $(seq 100); do
		[ "$(cat "$E/ttm_pool_alloc/enable")" = 1 ] && break
		sleep 0.05
	done
	kill -INT $bpid
	wait $bpid
	rc=$?
	exec 3>&-
	is "$pre SIGINT during the trace: exits 0, the report complete" "$rc:$(grep -c '^== ' "$tmp/br/int.txt")" "0:10"
	ok "$pre ...saying the trace stopped early" grep -qx "(0 events, stopped early by a signal)" "$tmp/br/int.txt"
	is "$pre ...and everything back" "$(tstate)" "$before"
	# the file cannot be written: 1, and no file
	"$here/mktree.sh" "$tmp/root" full
	: >"$log"
	FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so t bug-report -o /nonexistent/dir/x.txt.gz >"$tmp/out" 2>"$tmp/err"
	is "$pre -o in a directory that is not there fails (1), saying so, before any write" \
		"$?:$(cat "$tmp/err"):$(wc -l <"$log")" \
		"1:ttm-poolctl: cannot create a file next to /nonexistent/dir/x.txt.gz: No such file or directory:0"
	mkdir -p "$tmp/br/ro"
	(cd "$tmp/br/ro" && PATH=/nonexistent "$bin" --sysroot "$tmp/root" bug-report --trace-seconds 0 >"$tmp/out" 2>"$tmp/err")
	is "$pre without gzip it fails (1), saying so, leaving no file" "$?:$(grep -v 'cannot run gzip' "$tmp/err"):$(ls -A "$tmp/br/ro")" \
		"1:ttm-poolctl: cannot write ttm-pool-bug-report.txt.gz: gzip could not be run:"
	t bug-report -o "" >/dev/null 2>"$tmp/err"
	is "$pre -o '' is a usage error (2)" "$?:$(cat "$tmp/err")" "2:ttm-poolctl: bug-report: empty FILE"
	rm -rf "$tmp/br"

	# watch, bounded: the first frame at once, then one per interval
	t watch -i 0.05 -c 2 >"$tmp/out" 2>&1
	is "$pre watch -c 2 ends" "$?" 0
	is "$pre ...after two updates" "$(grep -c '^Every' "$tmp/out")" 2
	ok "$pre ...with rates" grep -q 'HITS/s' "$tmp/out"
	is "$pre ...and a totals row" "$(grep '^total' "$tmp/out" | tail -n 1 | tr -s ' ')" "total 20.1M 164M 0.0 0.0 0.0"
	ok "$pre no totals row with -r" sh -c "! '$bin' --sysroot '$tmp/root' watch -r -c 1 | grep -q '^total'"
	ok "$pre watch shows the first frame at once" timeout 3 "$bin" --sysroot "$tmp/root" watch -c 1 -i 30
	for args in "-J" "-r" "-n"; do
		t watch $args -c 2 -i 0.1 >"$tmp/out" 2>&1
		ok "$pre watch $args has no banner" sh -c "! grep -q '^Every' '$tmp/out'"
	done
	# JSON Lines with numbers; rates over the time that passed (the hits
	# counter grows by 1000 between the two reads)
	hits=$tmp/root/sys/kernel/ttm/pools/nodev/stats/alloc_hit_pages
	echo 5 >"$hits"
	t watch -J -c 2 -i 1 >"$tmp/out" &
	wpid=$!
	sleep 0.5
	echo 1005 >"$hits"
	wait $wpid
	is "$pre watch -J exits 0" "$?" 0
	ok "$pre ...one JSON object per line, numbers as numbers, rates over the elapsed time" python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 2, lines
a, b = (json.loads(x) for x in lines)
assert a["elapsed"] is None and a["pools"][0]["hits_per_s"] is None, a
assert b["elapsed"] >= 0.999, b["elapsed"]
for p in b["pools"]:
    for k in ("pooled", "inuse", "hits_per_s", "misses_per_s", "releases_per_s"):
        assert isinstance(p[k], (int, float)), (k, p)
nodev = [p for p in b["pools"] if p["name"] == "nodev"][0]
delta = nodev["hits_per_s"] * b["elapsed"]
assert abs(delta - 1000) < 1, (delta, b)' "$tmp/out"
	t watch -J -c 3 -i 1e-9 >"$tmp/out"
	ok "$pre watch -i 1e-9 waits 0.1 s (like watch(1)), not a busy loop" python3 -c '
import json, sys
el = [json.loads(x)["elapsed"] for x in open(sys.argv[1]).read().splitlines()[1:]]
assert len(el) == 2 and sum(el) >= 0.19, el' "$tmp/out"
	"$here/mktree.sh" "$tmp/root" full

	# output that cannot be written fails the command (close_stdout)
	for args in list "list -J" "stats --prometheus" dump "show nodev" "stats" "watch -c 1" --help \
		"inject 03:00.0" "trace -J" "show --global" "bug-report --summary"; do
		# shellcheck disable=SC2086
		t $args >/dev/full 2>"$tmp/err"
		is "$pre '$args >/dev/full' exits 1" "$?" 1
		ok "$pre ...with 'write error'" grep -q "write error" "$tmp/err"
	done

	# dump: swiotlb as the kernel says it, the ttm module parameters
	t dump >"$tmp/out" 2>&1
	ok "$pre dump: swiotlb_force from the kernel's pool dumps" grep -qx "swiotlb_force: yes (the kernel, pool 0000:00:02.0: swiotlb forces bouncing)" "$tmp/out"
	ok "$pre ...the module parameters" grep -qx "alloc_path: auto" "$tmp/out"
	ok "$pre ...and /sys/kernel/debug/swiotlb" grep -qx "io_tlb_nslabs: 32768" "$tmp/out"
	ok "$pre dump has the pre-cleared chunks' sysfs files" sh -c "grep -qx 'prezero: auto on \[off\]' '$tmp/out' &&
		grep -qx 'dirty_pages: 1024' '$tmp/out' && grep -qx 'stats/cleared_wasted_pages: 170' '$tmp/out' &&
		grep -qx 'stats/alloc_zero_pages: 180' '$tmp/out'"
	ok "$pre ...and the debugfs dumps' lines of them" grep -qx "cleared_background_pages: 150" "$tmp/out"
	is "$pre ...prezero's word and the clearing policy's lines of a pool's debugfs dump" \
		"$(sed -n '/^== pool 0000:00:02.0 (sysfs)/,/^== pool 0000:03:00.0 (sysfs)/p' "$tmp/out" |
			sed -n '/^prezero: auto$/,/^pending_pages:/p' | tr '\n' '|')" \
		"prezero: auto|clear_page_ns: 519|clear_page_ns_source: measured|wake_ns: 9800|wake_ns_source: set|wake_min_pages: 378|demand_pages: 1234|pending_pages: 12|"
	echo "console=ttyS0 swiotlb=65536,force quiet" >"$tmp/root/proc/cmdline"
	t dump >"$tmp/out" 2>&1
	ok "$pre dump: swiotlb=65536,force is on the swiotlb_cmdline line" grep -qx "swiotlb_cmdline: swiotlb=65536,force" "$tmp/out"
	ok "$pre ...and bouncing is reported" grep -q "^swiotlb_force: yes" "$tmp/out"
	echo "console=ttyS0 quiet" >"$tmp/root/proc/cmdline"
	t dump >"$tmp/out" 2>&1
	ok "$pre dump: bouncing forced without any option (SEV, TDX) is reported" grep -q "^swiotlb_force: yes" "$tmp/out"
	sed -i 's/^swiotlb_force: 1/swiotlb_force: 0/' "$tmp/root/sys/kernel/debug/ttm/pools/"*
	t dump >"$tmp/out" 2>&1
	ok "$pre dump: no bouncing when the kernel says so" grep -qx "swiotlb_force: no (the kernel, 4 of 4 pools)" "$tmp/out"
	"$here/mktree.sh" "$tmp/root" full

	# stats --prometheus -f: the textfile collector never sees a partial file
	mkdir -p "$tmp/prom.d"
	echo "old" >"$tmp/prom.d/ttm.prom"
	t stats --prometheus -f "$tmp/prom.d/ttm.prom" >"$tmp/out" 2>&1
	is "$pre stats --prometheus -f exits 0" "$?" 0
	ok "$pre ...replacing the file with the metrics" grep -q "^ttm_pool_pools 4$" "$tmp/prom.d/ttm.prom"
	is "$pre ...printing nothing" "$(wc -c <"$tmp/out")" 0
	is "$pre ...leaving no temporary file" "$(find "$tmp/prom.d" -name '.*' | wc -l)" 0
	ok "$pre the info metric has numa_node and dma32" grep -q 'ttm_pool_info{pool="nodev",alloc_path="auto",numa_node="-1",dma32="0"} 1' "$tmp/prom.d/ttm.prom"
	rm -rf "$tmp/prom.d"

	# writes replace the value in a plain file (a copied tree): O_TRUNC
	"$here/mktree.sh" "$tmp/root" full
	t set --global max=16384 >/dev/null 2>&1
	is "$pre set writes 16384 over 131072 whole" "$(cat "$tmp/root/sys/kernel/ttm/pool_max_pages")" 16384
	t path nodev coherent >/dev/null 2>&1
	is "$pre path writes coherent over '[auto] coherent page' whole" "$(cat "$tmp/root/sys/kernel/ttm/pools/nodev/alloc_path")" coherent
	"$here/mktree.sh" "$tmp/root" full

	# dump -f: a new file renamed into place, never written through a symlink
	mkdir -p "$tmp/out.d"
	echo precious >"$tmp/out.d/victim"
	ln -sf victim "$tmp/out.d/dump.txt"
	t dump -f "$tmp/out.d/dump.txt" >/dev/null 2>&1
	is "$pre dump -f over a symlink succeeds" "$?" 0
	is "$pre ...without writing through it" "$(cat "$tmp/out.d/victim")" precious
	ok "$pre ...replacing the link with the dump" sh -c "test ! -L '$tmp/out.d/dump.txt' && grep -q '^ttm-poolctl dump v1' '$tmp/out.d/dump.txt'"
	is "$pre ...leaving no temporary file" "$(find "$tmp/out.d" -name '.*' | wc -l)" 0
	t dump -f "$tmp/no/such/dir/dump.txt" >/dev/null 2>"$tmp/err"
	is "$pre dump -f into a missing directory fails (1)" "$?" 1
	rm -rf "$tmp/out.d"
	# the kernel log keeps the newest lines
	for i in $(seq 1 3000); do echo "6,$((200 + i)),$((4000000 + i)),-;[drm] line $i"; done >>"$tmp/root/dev/kmsg"
	t dump >"$tmp/out" 2>&1
	ok "$pre dump keeps the newest kernel log lines" grep -q "\[drm\] line 3000$" "$tmp/out"
	ok "$pre ...and says how many older ones it left out" grep -q "^(1003 older lines left out)" "$tmp/out"
	"$here/mktree.sh" "$tmp/root" full

	# degraded trees
	"$here/mktree.sh" "$tmp/root" nodebugfs
	t dump >"$tmp/out" 2>&1
	is "$pre dump without debugfs still works" "$?" 0
	ok "$pre ...and notes what it could not read" grep -q "could not read .*debug/ttm/pools/nodev" "$tmp/out"
	"$here/mktree.sh" "$tmp/root" full
	FAKESYS_FAIL_READ=pooled_pages:13,kmsg:1 LD_PRELOAD=$tmp/fakesys.so t dump >"$tmp/out" 2>&1
	is "$pre dump with unreadable files still works" "$?" 0
	ok "$pre ...noting them as 'needs root'" grep -q "pooled_pages: needs root" "$tmp/out"
	FAKESYS_FAIL_READ=pooled_pages:13 LD_PRELOAD=$tmp/fakesys.so t -o NAME,POOLED -n >"$tmp/out" 2>&1
	is "$pre list shows an unreadable value as -" "$(head -n 1 "$tmp/out" | awk '{ print $2 }')" -
	# vanished and unreadable pools
	"$here/mktree.sh" "$tmp/root" full
	mkdir "$tmp/root/sys/kernel/ttm/pools/gone"
	is "$pre a pool directory without files (gone) is not listed" "$(t -n -o NAME | tr '\n' ' ')" \
		"0000:00:02.0 0000:03:00.0 0000:03:00.0.1 nodev "
	export FAKESYS_FAIL_READ=pools/nodev/:19
	is "$pre a pool whose files fail with ENODEV (unbound) is not listed" \
		"$(LD_PRELOAD=$tmp/fakesys.so t -n -o NAME | tr '\n' ' ')" "0000:00:02.0 0000:03:00.0 0000:03:00.0.1 "
	LD_PRELOAD=$tmp/fakesys.so t show nodev >"$tmp/out" 2>"$tmp/err"
	is "$pre ...show fails (1)" "$?" 1
	ok "$pre ...and says it is not there" grep -q "no pool 'nodev'" "$tmp/err"
	ok "$pre ...Prometheus has no sample of it" sh -c "! LD_PRELOAD=$tmp/fakesys.so '$bin' --sysroot '$tmp/root' stats --prometheus | grep -q nodev"
	export FAKESYS_FAIL_READ=pools/nodev/:13
	LD_PRELOAD=$tmp/fakesys.so t show nodev >"$tmp/out" 2>"$tmp/err"
	is "$pre show of a pool nothing of which can be read fails (1)" "$?" 1
	ok "$pre ...saying why" grep -q "nodev/max_pages: needs root" "$tmp/err"
	export FAKESYS_FAIL_READ=nodev/numa_node:13,nodev/alloc_path:13
	ok "$pre an unreadable numa_node is null, not -1 (any node)" sh -c "LD_PRELOAD=$tmp/fakesys.so '$bin' --sysroot '$tmp/root' show -J nodev | grep -q '\"numa_node\": null'"
	ok "$pre ...and - in list" sh -c "LD_PRELOAD=$tmp/fakesys.so '$bin' --sysroot '$tmp/root' -n -o NAME,NUMA | grep -q '^nodev *-$'"
	ok "$pre an unreadable alloc_path gives no alloc_path=\"\" sample" sh -c "! LD_PRELOAD=$tmp/fakesys.so '$bin' --sysroot '$tmp/root' stats --prometheus | grep -q 'alloc_path=\"\"'"
	ok "$pre empty labels are left out (device-less pool)" sh -c "! '$bin' --sysroot '$tmp/root' stats --prometheus | grep -q '=\"\"'"
	unset FAKESYS_FAIL_READ
	"$here/mktree.sh" "$tmp/root" empty
	t >"$tmp/out" 2>"$tmp/err"
	is "$pre no pools: list exits 0" "$?" 0
	ok "$pre ...with a one-line explanation" grep -q "no TTM driver is bound, or the kernel has no ttm-pool sysfs interface" "$tmp/err"
	is "$pre ...on one line" "$(wc -l <"$tmp/err")" 1
	for args in "list -J" "stats -J"; do
		# shellcheck disable=SC2086
		t $args >"$tmp/out" 2>"$tmp/err"
		is "$pre no pools: $args exits 0" "$?" 0
		ok "$pre ...with {\"pools\": []}" python3 -c 'import json,sys; assert json.load(open(sys.argv[1])) == {"pools": []}' "$tmp/out"
		ok "$pre ...and nothing on stderr" test ! -s "$tmp/err"
	done
	t stats --prometheus >"$tmp/out" 2>"$tmp/err"
	is "$pre no pools: stats --prometheus exits 0" "$?" 0
	ok "$pre ...with HELP and TYPE lines" grep -q "^# TYPE ttm_pool_max_bytes gauge" "$tmp/out"
	ok "$pre ...and a zero count" grep -qx "ttm_pool_pools 0" "$tmp/out"
	t show nodev >"$tmp/out" 2>"$tmp/err"
	is "$pre no pools: show POOL exits 1" "$?" 1
	ok "$pre ...saying there are none" grep -q "no pool 'nodev': there are no TTM pools" "$tmp/err"
	t dump >"$tmp/out" 2>&1
	is "$pre dump without pools still works" "$?" 0

	# usage errors: exit 2 and a message
	"$here/mktree.sh" "$tmp/root" full
	while IFS= read -r args; do
		# shellcheck disable=SC2086
		t $args >"$tmp/out" 2>"$tmp/err"
		rc=$?
		is "$pre usage error: '$args' exits 2" "$rc" 2
		ok "$pre ...with a message on stderr" test -s "$tmp/err"
	done <<'CASES'
frobnicate
--frobnicate
list extra
-o NAME,BOGUS
show
show a b
stats --prometheus nodev
stats --prometheus -J
set
set nodev
set nodev max
set nodev max=
set nodev max=12Q
set nodev max=-5
set nodev max=1.5
set nodev max=1000p0
set nodev max=8192.0
set nodev max=4096e0
set nodev max=0x1000
set nodev max=0x1p12
set nodev max=512P
set nodev max=512p
set nodev max=1.5P
set nodev max=1E
set nodev max=64MB
set nodev max=4095B
set nodev max=+5
set nodev max=5pagesx
set nodev size=5
set --global high=5
set nodev prezero
set nodev prezero=maybe
set 0000:00:02.0 prezero=2
set 0000:00:02.0 prezero=automatic
set --global prezero=on
drain
drain --all nodev
path
path nodev fast
dump a b
watch -i 0
watch -c x
watch extra
list --all
drain nodev --global
list --prometheus
-o +POLICY dump
-J -r list
-J -P list
-r -P list
-o NAME,NAME
-o +PATH
--sort BOGUS
--per-node -o NAME
show --per-node nodev
show --global nodev
list --global
bug-report extra
bug-report -J
bug-report --summary -o x
bug-report --summary -f x
bug-report --summary --trace-seconds 1
bug-report -o a -f b
bug-report --trace-seconds -1
bug-report --trace-seconds x
bug-report --trace-seconds 3601
bug-report --trace-seconds
list --summary
trace --trace-seconds 1
dump --summary
show -P nodev
dump -o x
list -f x
stats -f x
stats a b
stats --prometheus -f
path a b c
apply -J
watch -P -J
watch --per-node
drain --sort NAME nodev
set --global --all max=1G
-o NAME --per-node
set nodev verify_clean
set nodev verify_clean=
set nodev verify_clean=2
set 0000:00:02.0 verify_clean=maybe
set --global verify_clean=on
inject
inject --all nodev
inject -J nodev
inject -c 1 nodev
trace -r
trace -P
trace -n
trace -c 0
trace -c x
trace --all
trace -i 1
CASES
	# apply: /etc/ttm-pool.d/*.conf below the sysroot, or FILEs
	"$here/mktree.sh" "$tmp/root" full
	mkdir -p "$tmp/root/etc/ttm-pool.d"
	cat >"$tmp/root/etc/ttm-pool.d/50-test.conf" <<'CONF'
# comment
[global]
max = 1G

[driver amdgpu]
max = 512M
high = 256M
low = 128M

[device 03:00.0]
path = page

[pool nodev*]
max = 1000
CONF
	cat >"$tmp/root/etc/ttm-pool.d/60-later.conf" <<'CONF'
[pool 0000:03:00.0.1]
max = 100000pages
CONF
	echo "[pool nodev]" >"$tmp/root/etc/ttm-pool.d/README"
	t apply --dry-run >"$tmp/out" 2>&1
	is "$pre apply --dry-run exits 0" "$?" 0
	is "$pre ...and shows, per pool, what it would set and from where" "$(norm <"$tmp/out")" \
"global: max=262144 (SYSROOT/etc/ttm-pool.d/50-test.conf:2)
0000:03:00.0: max=131072 high=65536 low=32768 path=page (SYSROOT/etc/ttm-pool.d/50-test.conf:5, SYSROOT/etc/ttm-pool.d/50-test.conf:10)
0000:03:00.0.1: max=100000 high=65536 low=32768 path=page (SYSROOT/etc/ttm-pool.d/50-test.conf:5, SYSROOT/etc/ttm-pool.d/50-test.conf:10, SYSROOT/etc/ttm-pool.d/60-later.conf:1)
nodev: max=1000 (SYSROOT/etc/ttm-pool.d/50-test.conf:13)"
	: >"$log"
	FAKESYS_LOG=$log FAKESYS_KERNEL=1000000 LD_PRELOAD=$tmp/fakesys.so t apply --dry-run >/dev/null 2>&1
	is "$pre ...writing nothing" "$(wc -l <"$log")" 0
	: >"$log"
	FAKESYS_LOG=$log FAKESYS_KERNEL=1000000 LD_PRELOAD=$tmp/fakesys.so t apply --pool 0000:03:00.0 >"$tmp/out" 2>&1
	is "$pre apply --pool (the udev rule) exits 0" "$?" 0
	is "$pre ...and sets the global cap and that pool only" "$(awk '{ sub(".*/sys/kernel/ttm/", "", $2); print $2 "=" $3 }' "$log" | tr '\n' ' ')" \
		"pool_max_pages=262144 pools/0000:03:00.0/max_pages=131072 pools/0000:03:00.0/low_watermark_pages=32768 pools/0000:03:00.0/high_watermark_pages=65536 pools/0000:03:00.0/alloc_path=page "
	is "$pre ...which it reads back" "$(cat "$tmp/root/sys/kernel/ttm/pools/0000:03:00.0/high_watermark_pages")" 65536
	FAKESYS_KERNEL=1000000 LD_PRELOAD=$tmp/fakesys.so t apply >"$tmp/out" 2>&1
	is "$pre apply of every pool exits 0" "$?" 0
	is "$pre ...nodev's cap" "$(cat "$tmp/root/sys/kernel/ttm/pools/nodev/max_pages")" 1000
	is "$pre ...the later file wins" "$(cat "$tmp/root/sys/kernel/ttm/pools/0000:03:00.0.1/max_pages")" 100000
	t apply --pool nosuch >/dev/null 2>"$tmp/err"
	is "$pre apply --pool of an unknown pool fails (1)" "$?" 1
	printf '[pool x]\nmax = 1P\nfoo = 1\n[bogus]\nmax = 1\nhigh = 2\n[global]\nhigh = 5\n' >"$tmp/bad.conf"
	: >"$log"
	FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so t apply "$tmp/bad.conf" >/dev/null 2>"$tmp/err"
	is "$pre apply of a broken file fails (1)" "$?" 1
	is "$pre ...naming every bad line (not the keys of a bad section)" "$(sed 's/^.*bad.conf:\([0-9]*\):.*/\1/' "$tmp/err" | tr '\n' ' ')" "2 3 4 8 "
	is "$pre ...and writes nothing" "$(wc -l <"$log")" 0
	# apply: prezero
	"$here/mktree.sh" "$tmp/root" full
	mkdir -p "$tmp/root/etc/ttm-pool.d"
	cat >"$tmp/root/etc/ttm-pool.d/50-prezero.conf" <<'CONF'
[driver amdgpu]
prezero = on
max = 2G

[pool 0000:03:00.0.1]
prezero = AUTO

[device 00:02.0]
prezero = no
CONF
	t apply --dry-run >"$tmp/out" 2>&1
	is "$pre apply --dry-run shows prezero, the last section's" "$(norm <"$tmp/out")" \
"0000:00:02.0: prezero=off (SYSROOT/etc/ttm-pool.d/50-prezero.conf:8)
0000:03:00.0: max=524288 prezero=on (SYSROOT/etc/ttm-pool.d/50-prezero.conf:1)
0000:03:00.0.1: max=524288 prezero=auto (SYSROOT/etc/ttm-pool.d/50-prezero.conf:1, SYSROOT/etc/ttm-pool.d/50-prezero.conf:5)"
	: >"$log"
	FAKESYS_LOG=$log FAKESYS_KERNEL=1000000 LD_PRELOAD=$tmp/fakesys.so t apply >"$tmp/out" 2>&1
	is "$pre apply with prezero exits 0" "$?" 0
	is "$pre ...writes the sizes, then prezero's word, per pool" \
		"$(awk '{ sub(".*/pools/", "", $2); print $2 "=" $3 }' "$log" | tr '\n' ' ')" \
		"0000:00:02.0/prezero=off 0000:03:00.0/max_pages=524288 0000:03:00.0/prezero=on 0000:03:00.0.1/max_pages=524288 0000:03:00.0.1/prezero=auto "
	is "$pre ...which read back" "$(pz 0000:00:02.0)|$(pz 0000:03:00.0)|$(pz 0000:03:00.0.1)" \
		"auto on [off]|auto [on] off|[auto] on off"
	ok "$pre ...and are reported" sh -c "grep -qx '0000:03:00.0: prezero off -> on' '$tmp/out' &&
		grep -qx '0000:03:00.0.1: prezero on -> auto' '$tmp/out'"
	# a kernel from before auto: prezero = auto fails apply (1) after the sizes; on is 1
	"$here/mktree.sh" "$tmp/root" legacy
	mkdir -p "$tmp/root/etc/ttm-pool.d"
	printf '[driver amdgpu]\nmax = 2G\nprezero = auto\npath = page\n[device 00:02.0]\nprezero = off\n' \
		>"$tmp/root/etc/ttm-pool.d/50-prezero.conf"
	: >"$log"
	FAKESYS_LOG=$log FAKESYS_KERNEL=1000000 LD_PRELOAD=$tmp/fakesys.so t apply >"$tmp/out" 2>"$tmp/err"
	is "$pre prezero 1 or 0: apply of prezero = auto fails (1)" "$?" 1
	is "$pre ...saying the kernel has no auto, for each pool" "$(grep -c 'the kernel has no prezero auto' "$tmp/err")" 2
	is "$pre ...which still sets their cap and path, and prezero = off as 0 elsewhere" \
		"$(awk '{ sub(".*/pools/", "", $2); print $2 "=" $3 }' "$log" | tr '\n' ' ')" \
		"0000:00:02.0/prezero=0 0000:03:00.0/max_pages=524288 0000:03:00.0/alloc_path=page 0000:03:00.0.1/max_pages=524288 0000:03:00.0.1/alloc_path=page "
	is "$pre ...their prezero unchanged" "$(pz 0000:00:02.0) $(pz 0000:03:00.0) $(pz 0000:03:00.0.1)" "0 0 1"
	"$here/mktree.sh" "$tmp/root" full
	mkdir -p "$tmp/root/etc/ttm-pool.d"
	# an older kernel's pool: its prezero fails apply (1), its other keys are still set
	printf '[pool nodev]\nmax = 1000\nprezero = off\npath = page\n' >"$tmp/root/etc/ttm-pool.d/60-nodev.conf"
	: >"$log"
	FAKESYS_LOG=$log FAKESYS_KERNEL=1000000 LD_PRELOAD=$tmp/fakesys.so t apply --pool nodev >"$tmp/out" 2>"$tmp/err"
	is "$pre apply of prezero to an older kernel's pool fails (1)" "$?" 1
	ok "$pre ...saying why" grep -q "nodev: the kernel has no pre-cleared chunks" "$tmp/err"
	is "$pre ...which still sets its cap and path" "$(writes)" "max_pages=1000 alloc_path=page "
	rm "$tmp/root/etc/ttm-pool.d/60-nodev.conf"
	printf '[pool x]\nprezero = maybe\nprezero =\n[global]\nprezero = off\n[pool y]\nprezero = 2\nprezero = on\n' >"$tmp/bad.conf"
	: >"$log"
	FAKESYS_LOG=$log LD_PRELOAD=$tmp/fakesys.so t apply "$tmp/bad.conf" >/dev/null 2>"$tmp/err"
	is "$pre apply of bad prezero lines fails (1)" "$?" 1
	is "$pre ...naming each bad line" "$(sed 's/^.*bad.conf:\([0-9]*\):.*/\1/' "$tmp/err" | tr '\n' ' ')" "2 3 5 7 "
	ok "$pre ...with what prezero takes" grep -q "bad.conf:2: prezero 'maybe': expected auto, on or off" "$tmp/err"
	ok "$pre ...and that [global] has no prezero" grep -q "bad.conf:5: unknown key 'prezero' in \[global\]" "$tmp/err"
	is "$pre ...writing nothing" "$(wc -l <"$log")" 0
	"$here/mktree.sh" "$tmp/root" full
	out=$("$bin" --help)
	is "$pre --help exits 0" "$?" 0
	ok "$pre --help is on stdout and lists the columns" grep -q "Available output columns" <<<"$out"
	is "$pre --version" "$("$bin" --version)" "ttm-poolctl 0.2.0"
done

# install and the man page
ok "-Werror only with WERROR=1 (not in distributions' builds)" sh -c "
	! make -s -B -n -C '$tool' ttm-poolctl | grep -q -- -Werror &&
	make -s -B -n -C '$tool' WERROR=1 ttm-poolctl | grep -q -- -Werror"
make -s -C "$tool" install DESTDIR="$tmp/inst" prefix=/usr >/dev/null 2>&1
is "make install DESTDIR= prefix=" "$?" 0
for f in usr/sbin/ttm-poolctl usr/share/man/man8/ttm-poolctl.8 \
	usr/share/bash-completion/completions/ttm-poolctl usr/lib/udev/rules.d/70-ttm-pool.rules; do
	ok "installs $f" test -f "$tmp/inst/$f"
done
ok "the udev rule runs apply for the pool that appeared" grep -qx \
	'ACTION=="add", SUBSYSTEM=="ttm_pool", ENV{TTM_POOL}=="?\*", RUN+="/usr/sbin/ttm-poolctl apply --pool $env{TTM_POOL}"' \
	"$tmp/inst/usr/lib/udev/rules.d/70-ttm-pool.rules"
make -s -C "$tool" uninstall DESTDIR="$tmp/inst" prefix=/usr >/dev/null 2>&1
is "make uninstall removes what install put there" "$(find "$tmp/inst" -type f | wc -l)" 0
man -l "$tool/ttm-poolctl.8" >/dev/null 2>"$tmp/man.err" || true
ok "the man page renders without warnings" test ! -s "$tmp/man.err"
for cmd in list show stats set drain path dump watch apply inject trace; do
	ok "the man page documents '$cmd'" grep -q "^\.B.* $cmd\|^\.BR $cmd\|^\.B $cmd" "$tool/ttm-poolctl.8"
done
sed -n '/^\.SH COLUMNS/,/^\.SH CONFIGURATION/p' "$tool/ttm-poolctl.8" >"$tmp/man-columns"
for col in $("$tool/ttm-poolctl" --help | sed -n '/^Available output columns/,$p' | awk '$1 ~ /^[A-Z0-9%]+$/ { print $1 }'); do
	ok "the man page's COLUMNS has $col" grep -qwF "$col" "$tmp/man-columns"
done
for word in prezero=auto prezero=on prezero=off ttm_pool_prezero_mode alloc_zero_pages \
	"ttm_pool_clean_bytes" "ttm_pool_cleared_wasted_bytes_total" \
	cleared_background_pages cleared_alloc_pages cleared_wasted_pages clean_pages dirty_pages \
	verify_clean=on verify_clean=off every= probability= times= pid= order= /sys/kernel/debug/ttm/qa/ \
	alloc_injected_failures verify_dirty_chunks trace_pipe tracing_on ttm_pool_shrink \
	ttm_pool_global_inuse_bytes ttm_pool_global_clean_bytes ttm_pool_global_dirty_bytes \
	ttm_pool_node_inuse_bytes ttm_pool_node_pooled_bytes "Memory summary" "All pools:" \
	'nodes/node\fIN\fR/inuse_pages' '.BR bug\-report' 'ttm\-pool\-bug\-report.txt.gz' \
	'\-\-trace\-seconds' '.B \-\-summary' TTM_POOLCTL_DKMS TTM_POOLCTL_MODINFO \
	'/usr/share/bug/ttm\-poolctl/script' '/usr/share/bug/ttm\-pool\-dkms/script' modules.dep; do
	ok "the man page documents $word" grep -qF "$word" "$tool/ttm-poolctl.8"
done
for cmd in inject "set 0000:03:00.0 verify_clean" trace; do
	ok "the man page has an example of $cmd" sh -c \
		"sed -n '/^\.SH EXAMPLES/,/^\.SH FILES/p' '$tool/ttm-poolctl.8' | grep -q '^\.B ttm-poolctl $cmd'"
done
ok "the man page has an example of bug-report --summary" sh -c \
	"sed -n '/^\.SH EXAMPLES/,/^\.SH FILES/p' '$tool/ttm-poolctl.8' | grep -qxF '.B ttm-poolctl bug-report \\-\\-summary'"
ok "the man page has an example of show --global" sh -c \
	"sed -n '/^\.SH EXAMPLES/,/^\.SH FILES/p' '$tool/ttm-poolctl.8' | grep -qxF '.B ttm-poolctl show \\-\\-global'"
ok "the man page has prezero in CONFIGURATION" sh -c \
	"sed -n '/^\.SH CONFIGURATION/,/^\.SH ENVIRONMENT/p' '$tool/ttm-poolctl.8' | grep -q '^prezero = off'"
bash -n "$tool/bash-completion/ttm-poolctl"
is "the bash completion parses" "$?" 0
"$here/mktree.sh" "$tmp/root" full
comp() {
	bash -c '
_init_completion() { cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]}; words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD; }
_filedir() { :; }; compopt() { :; }; complete() { :; }
. "$1"; shift
COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _ttm_poolctl; echo "${COMPREPLY[*]}"' comp "$tool/bash-completion/ttm-poolctl" "$@"
}
is "completion: -o +COL" "$(comp ttm-poolctl -o +NAME,PO)" "+NAME,POLICY +NAME,POOLED"
is "completion: pools below --sysroot on the line" "$(comp ttm-poolctl --sysroot "$tmp/root" stats "")" \
	"0000:00:02.0 0000:03:00.0 0000:03:00.0.1 nodev"
is "completion: set --global" "$(comp ttm-poolctl --sysroot "$tmp/root" set --g)" "--global"
is "completion: apply --pool" "$(comp ttm-poolctl --sysroot "$tmp/root" apply --pool n)" "nodev"
is "completion: -o offers every column of --help" "$(comp ttm-poolctl -o "" | tr ' ' '\n' | sort | tr '\n' ' ')" \
	"$("$tool/ttm-poolctl" --help | sed -n '/^Available output columns/,$p' | awk '$1 ~ /^[A-Z0-9%]+$/ { print $1 }' | sort | tr '\n' ' ')"
is "completion: --sort offers them too" "$(comp ttm-poolctl --sort "")" "$(comp ttm-poolctl -o "")"
is "completion: -o +NAME,PRE" "$(comp ttm-poolctl -o +NAME,PRE)" "+NAME,PREZERO"
is "completion: set POOL p" "$(comp ttm-poolctl set nodev p)" "prezero="
is "completion: set POOL prezero=" "$(comp ttm-poolctl set nodev max=1G prezero=)" "prezero=auto prezero=on prezero=off"
is "completion: set POOL prezero=a" "$(comp ttm-poolctl set nodev prezero=a)" "prezero=auto"
is "completion: set POOL prezero=of" "$(comp ttm-poolctl set nodev prezero=of)" "prezero=off"
is "completion: set --global offers max= only" "$(comp ttm-poolctl set --global "")" "max="
is "completion: the commands" "$(comp ttm-poolctl "")" "list show stats set drain path dump watch apply inject trace bug-report"
is "completion: bug-report offers its options" "$(comp ttm-poolctl bug-report "")" "-o -f --trace-seconds --summary"
is "completion: ...-o FILE, not columns" "$(comp ttm-poolctl bug-report -o "")" ""
is "completion: ...--trace-seconds N" "$(comp ttm-poolctl bug-report --trace-seconds "")" ""
is "completion: ...and -o COLUMNS elsewhere" "$(comp ttm-poolctl list -o NA)" "NAME"
is "completion: set POOL v" "$(comp ttm-poolctl set nodev v)" "verify_clean="
is "completion: set POOL verify_clean=" "$(comp ttm-poolctl set nodev prezero=on verify_clean=)" "verify_clean=on verify_clean=off"
is "completion: inject POOL" "$(comp ttm-poolctl --sysroot "$tmp/root" inject "")" \
	"0000:00:02.0 0000:03:00.0 0000:03:00.0.1 nodev"
is "completion: inject POOL SETTING: the keys and off" "$(comp ttm-poolctl inject nodev "")" \
	"every= probability= times= pid= order= off"
is "completion: ...each once, every= or probability=, off alone" "$(comp ttm-poolctl inject nodev probability=5 pid=1 "")" \
	"times= order="
is "completion: ...nothing after off" "$(comp ttm-poolctl inject nodev off "")" ""
is "completion: show offers the pools and --global" "$(comp ttm-poolctl --sysroot "$tmp/root" show "")" \
	"0000:00:02.0 0000:03:00.0 0000:03:00.0.1 nodev --global"
is "completion: ...nothing after them" "$(comp ttm-poolctl --sysroot "$tmp/root" show --global "")" ""
is "completion: trace POOL..." "$(comp ttm-poolctl --sysroot "$tmp/root" trace 0000:00:02.0 n)" "nodev"
done_testing
