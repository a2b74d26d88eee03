// SPDX-License-Identifier: GPL-2.0-only
/*
 * lrg_config.c - copying and freeing the configuration (lrg_config.h).
 *
 * Here rather than with the parser: the engine keeps its own copy of the
 * config, and the core links nothing from daemon/config/.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lrg_config.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void lrg_patterns_free(struct lrg_patterns *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->pats[i]);
	free(p->pats);
	p->pats = NULL;
	p->n = 0;
}

int lrg_patterns_dup(const struct lrg_patterns *src, struct lrg_patterns *ret)
{
	struct lrg_patterns p = { 0 };

	if (src->n) {
		p.pats = calloc(src->n, sizeof(*p.pats));
		if (!p.pats)
			return -ENOMEM;
		for (; p.n < src->n; p.n++) {
			p.pats[p.n] = strdup(src->pats[p.n]);
			if (!p.pats[p.n]) {
				lrg_patterns_free(&p);
				return -ENOMEM;
			}
		}
	}
	*ret = p;
	return 0;
}

void lrg_slice_config_free(struct lrg_slice_config *s)
{
	lrg_patterns_free(&s->prefer);
	lrg_patterns_free(&s->avoid);
	lrg_patterns_free(&s->protect);
}

int lrg_slice_config_dup(const struct lrg_slice_config *src, struct lrg_slice_config *ret)
{
	struct lrg_slice_config s = *src;

	memset(&s.prefer, 0, sizeof(s.prefer));
	memset(&s.avoid, 0, sizeof(s.avoid));
	memset(&s.protect, 0, sizeof(s.protect));
	if (lrg_patterns_dup(&src->prefer, &s.prefer) || lrg_patterns_dup(&src->avoid, &s.avoid) ||
	    lrg_patterns_dup(&src->protect, &s.protect)) {
		lrg_slice_config_free(&s);
		return -ENOMEM;
	}
	*ret = s;
	return 0;
}

void lrg_config_free(struct lrg_config *c)
{
	if (!c)
		return;
	lrg_patterns_free(&c->daemon.protect);
	lrg_slice_config_free(&c->defaults);
	for (size_t i = 0; i < c->nr_slices; i++)
		lrg_slice_config_free(&c->slices[i]);
	free(c->slices);
	c->slices = NULL;
	c->nr_slices = 0;
}

int lrg_config_dup(const struct lrg_config *src, struct lrg_config *ret)
{
	struct lrg_config c = { 0 };

	c.daemon = src->daemon;
	memset(&c.daemon.protect, 0, sizeof(c.daemon.protect));
	if (lrg_patterns_dup(&src->daemon.protect, &c.daemon.protect) ||
	    lrg_slice_config_dup(&src->defaults, &c.defaults))
		goto nomem;
	if (src->nr_slices) {
		c.slices = calloc(src->nr_slices, sizeof(*c.slices));
		if (!c.slices)
			goto nomem;
	}
	for (; c.nr_slices < src->nr_slices; c.nr_slices++)
		if (lrg_slice_config_dup(&src->slices[c.nr_slices], &c.slices[c.nr_slices]))
			goto nomem;
	*ret = c;
	return 0;
nomem:
	lrg_config_free(&c);
	return -ENOMEM;
}

const char *lrg_oom_policy_name(enum lrg_oom_policy o)
{
	static const char *const names[] = {
		[LRG_OOM_PROCESS] = "process", [LRG_OOM_CGROUP] = "cgroup", [LRG_OOM_NEVER] = "never",
	};

	return (unsigned int)o < ARRAY_SIZE(names) ? names[o] : "?";
}
