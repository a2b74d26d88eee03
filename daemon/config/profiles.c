// SPDX-License-Identifier: GPL-2.0-only
/*
 * profiles.c - the built-in profiles: conf/profiles/NAME.conf, embedded at
 * build time (profile_texts.c), applied as the first layer of every load.
 */
#include <stdio.h>
#include <string.h>

#include "config_int.h"
#include "profile_texts.h"
#include "schema.h"

static const char *profile_text(const char *name)
{
	for (size_t i = 0; lrg_profile_texts[i].name; i++)
		if (!strcmp(lrg_profile_texts[i].name, name))
			return lrg_profile_texts[i].text;
	return NULL;
}

const char *lrg_config_profile_text(const char *name)
{
	return name ? profile_text(name) : NULL;
}

void lrg_loader_apply_profile(struct lrg_loader *l, const char *name)
{
	const char *text = profile_text(name);
	char file[64];

	snprintf(l->daemon.profile, sizeof(l->daemon.profile), "%s", name);
	if (!text)
		return;
	snprintf(file, sizeof(file), "<built-in %s.conf>", name);
	l->in_profile = true;
	lrg_loader_apply(l, file, text, strlen(text));
	l->in_profile = false;
	/* a profile naming a profile was refused; the name stays ours */
	snprintf(l->daemon.profile, sizeof(l->daemon.profile), "%s", name);
}

void lrg_config_defaults(struct lrg_config *c)
{
	struct lrg_diag d = { 0 };
	struct lrg_loader l;

	lrg_loader_init(&l, &d);
	lrg_loader_apply_profile(&l, LRG_DEFAULT_PROFILE);
	/* the embedded profile is tested; should it ever fail, or memory run
	 * out, fall back to the base values rather than have no config */
	if (l.nomem || d.nr_errors || lrg_loader_finish(&l, c)) {
		memset(c, 0, sizeof(*c));
		c->daemon = lrg_base_daemon;
		c->defaults = lrg_base_slice;
	}
	lrg_loader_free(&l);
	lrg_diag_free(&d);
}
