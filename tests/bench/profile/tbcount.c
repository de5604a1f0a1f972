// SPDX-License-Identifier: GPL-2.0
/*
 * tbcount: a QEMU TCG plugin (plugin API version 1, QEMU 7.2) that counts
 * the executed guest instructions per translation block at kernel addresses,
 * and writes them to a file on demand and at exit. tests/bench/profile/README
 * says how it is used; profile.py turns its output into instructions per
 * function.
 *
 *   qemu-system-x86_64 ... -plugin tbcount.so,out=FILE[,snap=ADDR][,min=ADDR]
 *
 * out   the file written (required)
 * snap  a guest address (hex): each time an instruction at it executes, the
 *       counts so far are appended to FILE as one snapshot, numbered from 1
 *       (e.g. the kernel's __x64_sys_sync: "sync" in the guest takes one)
 * min   the lowest address counted (default 0xffff800000000000: the kernel
 *       half; blocks below are neither instrumented nor counted)
 *
 * At exit one last snapshot is appended. The file is text:
 *
 *   B ID VADDR N INSN1 ... INSNn   a block (once, before its first count):
 *                                  its start and its N instructions' addresses
 *   S NUM                          a snapshot starts
 *   C ID COUNT                     block ID ran COUNT times since the start
 *                                  (blocks that never ran are left out)
 *   E NUM                          the snapshot is complete
 *
 * (addresses in hex, counts in decimal). A block is counted when it starts
 * (an inline add, cheap enough for a whole boot); the rare block left early
 * (an exception, an interrupt taken mid-block under icount) still counts all
 * its instructions. Blocks retranslated with the same start, length and last
 * instruction share one counter. Under -icount qemu runs the vCPUs in one
 * thread, so the counters are not updated concurrently; without -icount
 * (MTTCG) the counts are approximate.
 *
 * The API declarations are written out below (Debian ships no
 * qemu-plugin.h): the ones of QEMU 7.2's include/qemu/qemu-plugin.h that
 * this file uses.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- from QEMU 7.2's qemu-plugin.h (QEMU_PLUGIN_VERSION 1) --------------- */
#define QEMU_PLUGIN_EXPORT __attribute__((visibility("default")))
typedef uint64_t qemu_plugin_id_t;
typedef struct qemu_info_t qemu_info_t; /* not looked into */
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_cb_flags {
	QEMU_PLUGIN_CB_NO_REGS,
	QEMU_PLUGIN_CB_R_REGS,
	QEMU_PLUGIN_CB_RW_REGS,
};
enum qemu_plugin_op {
	QEMU_PLUGIN_INLINE_ADD_U64,
};
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index,
					    void *userdata);
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id,
					       struct qemu_plugin_tb *tb);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
					   qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb,
					      enum qemu_plugin_op op,
					      void *ptr, uint64_t imm);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
					    qemu_plugin_vcpu_udata_cb_t cb,
					    enum qemu_plugin_cb_flags flags,
					    void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb,
						 size_t idx);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id,
				    qemu_plugin_udata_cb_t cb, void *userdata);
void qemu_plugin_outs(const char *string);
QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
					   const qemu_info_t *info,
					   int argc, char **argv);
/* ------------------------------------------------------------------------ */

QEMU_PLUGIN_EXPORT int qemu_plugin_version = 1;

struct block {
	uint64_t count;		/* the inline add's target */
	uint64_t vaddr;
	uint64_t last;		/* the last instruction's address */
	uint32_t n;
	uint32_t id;
	bool written;		/* its B line is in the file */
	uint64_t *insns;
	struct block *next;	/* hash chain */
};

#define HASH_BITS 16
static struct block *table[1u << HASH_BITS];
static struct block **blocks;	/* by id */
static uint32_t nblocks, cap;
static uint64_t min_addr = 0xffff800000000000ull;
static uint64_t snap_addr;
static unsigned int snaps;
static FILE *out;

static unsigned int hash(uint64_t vaddr, uint32_t n)
{
	uint64_t h = (vaddr ^ ((uint64_t)n << 40)) * 0x9e3779b97f4a7c15ull;

	return h >> (64 - HASH_BITS);
}

static void say(const char *msg)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "tbcount: %s\n", msg);
	qemu_plugin_outs(buf);
}

static void die(const char *msg)
{
	say(msg);
	exit(1);
}

static struct block *block_get(struct qemu_plugin_tb *tb)
{
	uint32_t n = qemu_plugin_tb_n_insns(tb), i;
	uint64_t vaddr = qemu_plugin_tb_vaddr(tb);
	uint64_t last = qemu_plugin_insn_vaddr(qemu_plugin_tb_get_insn(tb, n - 1));
	unsigned int h = hash(vaddr, n);
	struct block *b;

	for (b = table[h]; b; b = b->next)
		if (b->vaddr == vaddr && b->n == n && b->last == last)
			return b;
	b = calloc(1, sizeof(*b));
	if (!b || !(b->insns = malloc(n * sizeof(*b->insns))))
		die("out of memory");
	b->vaddr = vaddr;
	b->n = n;
	b->last = last;
	for (i = 0; i < n; i++)
		b->insns[i] = qemu_plugin_insn_vaddr(qemu_plugin_tb_get_insn(tb, i));
	if (nblocks == cap) {
		cap = cap ? 2 * cap : 65536;
		blocks = realloc(blocks, cap * sizeof(*blocks));
		if (!blocks)
			die("out of memory");
	}
	b->id = nblocks;
	blocks[nblocks++] = b;
	b->next = table[h];
	table[h] = b;
	return b;
}

static void snapshot(void)
{
	uint32_t i, k;

	snaps++;
	for (i = 0; i < nblocks; i++) {
		struct block *b = blocks[i];

		if (b->written || !b->count)
			continue;
		fprintf(out, "B %u %" PRIx64 " %u", b->id, b->vaddr, b->n);
		for (k = 0; k < b->n; k++)
			fprintf(out, " %" PRIx64, b->insns[k]);
		fputc('\n', out);
		b->written = true;
	}
	fprintf(out, "S %u\n", snaps);
	for (i = 0; i < nblocks; i++)
		if (blocks[i]->count)
			fprintf(out, "C %u %" PRIu64 "\n", i, blocks[i]->count);
	fprintf(out, "E %u\n", snaps);
	fflush(out);
}

static void on_snap(unsigned int vcpu, void *udata)
{
	(void)vcpu;
	(void)udata;
	snapshot();
}

static void on_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb), i;
	struct block *b;

	(void)id;
	if (!n || qemu_plugin_tb_vaddr(tb) < min_addr)
		return;
	b = block_get(tb);
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
						 &b->count, 1);
	if (!snap_addr)
		return;
	for (i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);

		if (qemu_plugin_insn_vaddr(insn) == snap_addr)
			qemu_plugin_register_vcpu_insn_exec_cb(insn, on_snap,
							       QEMU_PLUGIN_CB_NO_REGS,
							       NULL);
	}
}

static void at_exit(qemu_plugin_id_t id, void *udata)
{
	(void)id;
	(void)udata;
	snapshot();
	fclose(out);
	out = NULL;
}

static bool parse_addr(const char *s, uint64_t *v)
{
	char *end;

	*v = strtoull(s, &end, 16);
	return *s && !*end;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
					   const qemu_info_t *info,
					   int argc, char **argv)
{
	const char *path = NULL;
	int i;

	(void)info;
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (!strncmp(a, "out=", 4)) {
			path = a + 4;
		} else if (!strncmp(a, "snap=", 5)) {
			if (!parse_addr(a + 5, &snap_addr))
				return say("snap=: not a hex address"), -1;
		} else if (!strncmp(a, "min=", 4)) {
			if (!parse_addr(a + 4, &min_addr))
				return say("min=: not a hex address"), -1;
		} else {
			say("unknown argument (expected out=, snap=, min=)");
			return -1;
		}
	}
	if (!path) {
		say("out=FILE is required");
		return -1;
	}
	out = fopen(path, "w");
	if (!out) {
		say("cannot open the out= file");
		return -1;
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
