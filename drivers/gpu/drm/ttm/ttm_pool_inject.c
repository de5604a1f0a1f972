// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * TTM page pool: failure injection, per pool, for drivers' QA. Debian's
 * kernels have no CONFIG_FAULT_INJECTION, so fail_page_alloc cannot make one
 * device's allocations fail there; this can, on any kernel our module runs
 * on, through debugfs ttm/qa/<pool>/inject (ttm_pool_debugfs.c).
 *
 * Copyright (c) 2026 The ttm-pool authors
 *
 * One write arms a setting whole, or disarms it:
 *
 *   every=N|probability=P [times=T] [pid=PID] [order=K]
 *   off
 *
 * An allocation is one ttm_pool_alloc() call. Of the calls that match the
 * filters (made by process PID, i.e. any of its threads; of at least 2^K
 * pages), every N-th fails, or each with probability P percent; with
 * times=T, only T of them, after which the setting stays armed but fails
 * nothing more (reading shows times=0, which a write refuses: arm anew or
 * write "off"). A failed call fails as it would
 * without memory: after its last chunk was placed, everything it took goes
 * back (chunks from the pool to the pool, fresh ones to the system), and it
 * returns -ENOMEM; alloc_failures and alloc_injected_failures count it, and
 * the ttm_pool_alloc_fail event says injected=1. A rejected write changes
 * nothing.
 *
 * Locking: ttm_pool_inject_lock serialises arming and disarming: the
 * pointer ttm_pool_state.inject and the count of the static key
 * ttm_pool_inject_armed (on while any pool is armed). The allocation path
 * reads the setting under RCU, its counters are atomic; a replaced setting
 * is freed after a grace period.
 */

#include <linux/atomic.h>
#include <linux/jump_label.h>
#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <kunit/visibility.h>

#include "ttm_pool_internal.h"

/* On while a pool is armed; exported for KUnit to see it go off. */
struct static_key_false ttm_pool_inject_armed = STATIC_KEY_FALSE_INIT;
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_inject_armed);
static DEFINE_MUTEX(ttm_pool_inject_lock);

/**
 * struct ttm_pool_inject - an armed failure injection
 * @every: every @every-th matching allocation fails, or 0
 * @probability: each matching allocation fails with this chance, in
 *	percent (1-100), or 0
 * @limited: only @left more failures
 * @left: failures left to inject, if @limited
 * @pid: only allocations of this process (thread group), or NULL
 * @order: only allocations of at least 2^@order pages
 * @calls: matching allocations seen, for @every
 */
struct ttm_pool_inject {
	unsigned long every;
	unsigned int probability;
	bool limited;
	atomic_long_t left;
	struct pid *pid;
	unsigned int order;
	atomic_long_t calls;
};

static void ttm_pool_inject_free(struct ttm_pool_inject *inj)
{
	if (!inj)
		return;
	put_pid(inj->pid);
	kfree(inj);
}

/* Parse one "key=value" of a setting into @inj; @seen: keys met so far. */
static int ttm_pool_inject_parse_one(struct ttm_pool_inject *inj, char *word,
				     unsigned int *seen)
{
	static const char * const keys[] = {
		"every", "probability", "times", "pid", "order",
	};
	char *val = strchr(word, '=');
	unsigned long n;
	int i, err;

	if (!val)
		return -EINVAL;
	*val++ = '\0';
	i = match_string(keys, ARRAY_SIZE(keys), word);
	if (i < 0 || (*seen & BIT(i)))
		return -EINVAL;
	*seen |= BIT(i);
	err = kstrtoul(val, 10, &n);
	if (err)
		return err;
	switch (i) {
	case 0:
		if (!n)
			return -EINVAL;
		inj->every = n;
		break;
	case 1:
		if (!n || n > 100)
			return -ERANGE;
		inj->probability = n;
		break;
	case 2:
		if (!n || n > LONG_MAX)
			return -ERANGE;
		inj->limited = true;
		atomic_long_set(&inj->left, n);
		break;
	case 3:
		if (!n || n > INT_MAX)
			return -ERANGE;
		/* In the writer's pid namespace: a process, not a thread. */
		inj->pid = find_get_pid(n);
		if (!inj->pid)
			return -ESRCH;
		rcu_read_lock();
		err = pid_has_task(inj->pid, PIDTYPE_TGID) ? 0 : -ESRCH;
		rcu_read_unlock();
		if (err)
			return err;
		break;
	case 4:
		if (n > MAX_PAGE_ORDER)
			return -ERANGE;
		inj->order = n;
		break;
	}
	return 0;
}

static struct ttm_pool_inject *ttm_pool_inject_parse(char *spec)
{
	struct ttm_pool_inject *inj;
	unsigned int seen = 0;
	char *word;
	int err = 0;

	inj = kzalloc(sizeof(*inj), GFP_KERNEL);
	if (!inj)
		return ERR_PTR(-ENOMEM);
	while ((word = strsep(&spec, " \t\n"))) {
		if (!*word)
			continue;
		err = ttm_pool_inject_parse_one(inj, word, &seen);
		if (err)
			break;
	}
	/* Exactly one of every= and probability=. */
	if (!err && !inj->every == !inj->probability)
		err = -EINVAL;
	if (err) {
		ttm_pool_inject_free(inj);
		return ERR_PTR(err);
	}
	return inj;
}

/* Make @inj (NULL: none) @st's setting; free the one it replaces. */
static void ttm_pool_inject_swap(struct ttm_pool_state *st,
				 struct ttm_pool_inject *inj)
{
	struct ttm_pool_inject *old;

	mutex_lock(&ttm_pool_inject_lock);
	old = rcu_replace_pointer(st->inject, inj,
				  lockdep_is_held(&ttm_pool_inject_lock));
	if (inj && !old)
		static_branch_inc(&ttm_pool_inject_armed);
	else if (!inj && old)
		static_branch_dec(&ttm_pool_inject_armed);
	mutex_unlock(&ttm_pool_inject_lock);
	if (old) {
		synchronize_rcu();
		ttm_pool_inject_free(old);
	}
}

/**
 * ttm_pool_inject_set() - arm or disarm failure injection on a pool
 * @pool: the pool
 * @spec: "every=N|probability=P [times=T] [pid=PID] [order=K]" or "off",
 *	NUL-terminated; surrounding whitespace is ignored
 *
 * Context: process context.
 *
 * Return: 0; -EINVAL for a word that is not a known key=value, a key given
 * twice, N of 0, or not exactly one of every= and probability=; -ERANGE for
 * a P outside 1-100, a T of 0 or above LONG_MAX, a PID of 0 or above
 * INT_MAX, a K above MAX_PAGE_ORDER; -ESRCH if no process has PID (a
 * thread's id is not a process's); -E2BIG
 * for a @spec longer than TTM_POOL_INJECT_SPEC_MAX; -ENOMEM. On error the
 * pool's setting is unchanged.
 */
int ttm_pool_inject_set(struct ttm_pool *pool, const char *spec)
{
	struct ttm_pool_inject *inj = NULL;
	char *buf, *s;

	if (strlen(spec) > TTM_POOL_INJECT_SPEC_MAX)
		return -E2BIG;
	buf = kstrdup(spec, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	s = strim(buf);
	if (strcmp(s, "off"))
		inj = ttm_pool_inject_parse(s);
	kfree(buf);
	if (IS_ERR(inj))
		return PTR_ERR(inj);
	ttm_pool_inject_swap(ttm_pool_state(pool), inj);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_inject_set);

/**
 * ttm_pool_inject_get() - a pool's failure injection, as written
 * @pool: the pool
 * @buf: where to write it, with a newline
 * @size: @buf's size
 *
 * "off", or the keys given, times= with the failures left and pid= in the
 * reader's pid namespace (0 if the process is not visible there).
 *
 * Return: the length written, as scnprintf().
 */
int ttm_pool_inject_get(struct ttm_pool *pool, char *buf, size_t size)
{
	struct ttm_pool_state *st = ttm_pool_state(pool);
	struct ttm_pool_inject *inj;
	int n;

	mutex_lock(&ttm_pool_inject_lock);
	inj = rcu_dereference_protected(st->inject,
					lockdep_is_held(&ttm_pool_inject_lock));
	if (!inj) {
		n = scnprintf(buf, size, "off\n");
		goto out;
	}
	if (inj->every)
		n = scnprintf(buf, size, "every=%lu", inj->every);
	else
		n = scnprintf(buf, size, "probability=%u", inj->probability);
	if (inj->limited)
		n += scnprintf(buf + n, size - n, " times=%ld",
			       max(atomic_long_read(&inj->left), 0L));
	if (inj->pid)
		n += scnprintf(buf + n, size - n, " pid=%d", pid_vnr(inj->pid));
	if (inj->order)
		n += scnprintf(buf + n, size - n, " order=%u", inj->order);
	n += scnprintf(buf + n, size - n, "\n");
out:
	mutex_unlock(&ttm_pool_inject_lock);
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(ttm_pool_inject_get);

/*
 * Is this allocation of @num_pages pages from @pool to fail? Called by
 * ttm_pool_alloc() behind the static key, once per call that would
 * succeed.
 */
bool ttm_pool_inject_fail(struct ttm_pool *pool, pgoff_t num_pages)
{
	struct ttm_pool_inject *inj;
	bool fail = false;

	rcu_read_lock();
	inj = rcu_dereference(ttm_pool_state(pool)->inject);
	if (!inj || num_pages < (1UL << inj->order))
		goto out;
	if (inj->pid && task_tgid(current) != inj->pid)
		goto out;
	if (inj->every)
		fail = !(atomic_long_inc_return(&inj->calls) % inj->every);
	else
		fail = get_random_u32_below(100) < inj->probability;
	if (fail && inj->limited)
		fail = atomic_long_dec_if_positive(&inj->left) >= 0;
out:
	rcu_read_unlock();
	return fail;
}

/* Disarm @st's injection: the pool is being finalised. */
void ttm_pool_inject_fini(struct ttm_pool_state *st)
{
	if (rcu_access_pointer(st->inject))
		ttm_pool_inject_swap(st, NULL);
}
