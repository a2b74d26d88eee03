// SPDX-License-Identifier: GPL-2.0-only
/*
 * load.c - lrugend.conf and its drop-ins, layered on a profile
 * (config_load.h).
 *
 * Layers, later wins key by key: the built-in base (schema.c), the profile
 * named by `profile =` (the embedded conf/profiles/NAME.conf, desktop if
 * none is named), the main file, then the drop-ins in strcmp order. The
 * profile must be known before the files are applied, so the files are
 * applied twice: once to a scratch loader only to learn which profile they
 * name, then for real on top of that profile.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_int.h"
#include "fileio.h"
#include "schema.h"
#include "util.h"

#define MAX_FILE_SIZE (1 << 20)	/* a config file, not a data set */

struct source {
	char *path;
	char *text;
	size_t len;
};

/* The whole file, and its owner and mode in *ret_st. */
static int read_file(const char *path, char **ret, size_t *ret_len, struct stat *ret_st)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	int r;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	r = lrg_read_fd(fd, MAX_FILE_SIZE, ret, ret_len);
	if (r == 0)
		*ret_st = st;
	return r;
}

/*
 * The configuration decides which processes die, so only root may write
 * it: a file or the drop-in directory owned by anyone else, or writable by
 * its group or others, is refused (an error, so the load fails). The user
 * lrugend runs as counts as root, who it is when it kills: a test or a
 * simulation run by a user reads that user's files.
 */
static bool refused(const char *path, const struct stat *st, struct lrg_diag *d)
{
	/* what a root device reads is the kernel's (--config=/dev/null) */
	if (S_ISCHR(st->st_mode) && st->st_uid == 0)
		return false;
	if (st->st_uid != 0 && st->st_uid != geteuid()) {
		lrg_diag_add(d, LRG_DIAG_ERROR,
			     "%s: refused: owned by uid %u, not root (a configuration decides which processes are killed; expected chown root)",
			     path, (unsigned int)st->st_uid);
		return true;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		lrg_diag_add(d, LRG_DIAG_ERROR,
			     "%s: refused: writable by %s (mode %04o; expected chmod go-w)", path,
			     (st->st_mode & S_IWGRP) && (st->st_mode & S_IWOTH) ? "its group and others" :
			     st->st_mode & S_IWGRP ? "its group" : "others",
			     (unsigned int)(st->st_mode & 07777));
		return true;
	}
	return false;
}

static int add_source(struct source **srcs, size_t *n, const char *path, struct lrg_diag *d,
		      bool optional)
{
	struct source *s;
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	int r = read_file(path, &text, &len, &st);

	if (r == -ENOENT && optional)
		return 0;
	if (r == -ENOMEM)
		return r;
	if (r) {
		lrg_diag_add(d, LRG_DIAG_ERROR, "%s: cannot read: %s%s", path,
			 r == -EFBIG ? "larger than 1 MiB" : strerror(-r),
			 r == -EFBIG ? " (expected a config file)" : "");
		return 0;
	}
	if (refused(path, &st, d)) {
		free(text);
		return 0;
	}
	s = realloc(*srcs, (*n + 1) * sizeof(*s));
	if (!s)
		goto nomem;
	*srcs = s;
	s += *n;
	s->path = strdup(path);
	if (!s->path)
		goto nomem;
	s->text = text;
	s->len = len;
	(*n)++;
	return 0;
nomem:
	free(text);
	return -ENOMEM;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.conf in dir, in strcmp order; hidden files are editors' business. */
static int add_dropins(struct source **srcs, size_t *n, const char *dir, struct lrg_diag *d)
{
	struct stat st;
	char **names = NULL;
	size_t nr = 0;
	struct dirent *de;
	DIR *dh;
	int r = 0;

	dh = opendir(dir);
	if (!dh) {
		if (errno == ENOENT)
			return 0;
		if (errno == ENOMEM)
			return -ENOMEM;
		lrg_diag_add(d, LRG_DIAG_ERROR, "%s: cannot read the drop-in directory: %s", dir,
			 strerror(errno));
		return 0;
	}
	if (fstat(dirfd(dh), &st) < 0) {
		lrg_diag_add(d, LRG_DIAG_ERROR, "%s: cannot read the drop-in directory: %s", dir,
			     strerror(errno));
		closedir(dh);
		return 0;
	}
	if (refused(dir, &st, d)) {
		closedir(dh);
		return 0;
	}
	while ((de = readdir(dh))) {
		size_t len = strlen(de->d_name);
		char **nn;

		if (de->d_name[0] == '.' || len <= 5 || strcmp(de->d_name + len - 5, ".conf"))
			continue;
		nn = realloc(names, (nr + 1) * sizeof(*nn));
		if (!nn) {
			r = -ENOMEM;
			break;
		}
		names = nn;
		names[nr] = strdup(de->d_name);
		if (!names[nr]) {
			r = -ENOMEM;
			break;
		}
		nr++;
	}
	closedir(dh);
	if (!r && nr)
		qsort(names, nr, sizeof(*names), cmp_str);
	for (size_t i = 0; !r && i < nr; i++) {
		char *path;

		if (asprintf(&path, "%s/%s", dir, names[i]) < 0) {
			r = -ENOMEM;
			break;
		}
		/* a file removed since readdir is simply gone */
		r = add_source(srcs, n, path, d, true);
		free(path);
	}
	for (size_t i = 0; i < nr; i++)
		free(names[i]);
	free(names);
	return r;
}

int lrg_config_load(const char *main_path, const char *dropin_dir,
		    struct lrg_config *ret, struct lrg_diag *diag)
{
	struct source *srcs = NULL;
	struct lrg_diag scratch = { 0 };
	struct lrg_loader l;
	char profile[sizeof(l.daemon.profile)];
	size_t nr = 0;
	int r = 0;

	memset(diag, 0, sizeof(*diag));
	if (main_path)
		r = add_source(&srcs, &nr, main_path, diag, true);
	if (!r && dropin_dir)
		r = add_dropins(&srcs, &nr, dropin_dir, diag);
	if (r)
		goto out;

	/* pass 1: which profile do the files name? (messages come in pass 2) */
	lrg_loader_init(&l, &scratch);
	l.daemon.profile[0] = '\0';
	for (size_t i = 0; i < nr; i++)
		lrg_loader_apply(&l, srcs[i].path, srcs[i].text, srcs[i].len);
	snprintf(profile, sizeof(profile), "%s", l.daemon.profile[0] ? l.daemon.profile : LRG_DEFAULT_PROFILE);
	r = l.nomem ? -ENOMEM : 0;
	lrg_loader_free(&l);
	lrg_diag_free(&scratch);
	if (r)
		goto out;

	/* pass 2: base, profile, files */
	lrg_loader_init(&l, diag);
	lrg_loader_apply_profile(&l, profile);
	for (size_t i = 0; i < nr; i++)
		lrg_loader_apply(&l, srcs[i].path, srcs[i].text, srcs[i].len);
	if (l.nomem)
		r = -ENOMEM;
	else if (diag->nr_errors)
		r = -EINVAL;
	else
		r = lrg_loader_finish(&l, ret);
	lrg_loader_free(&l);
out:
	if (r == -ENOMEM)
		lrg_diag_add(diag, LRG_DIAG_ERROR, "out of memory while loading the configuration");
	else if (!r && diag->nr_errors)
		r = -EINVAL;	/* unreadable files */
	for (size_t i = 0; i < nr; i++) {
		free(srcs[i].path);
		free(srcs[i].text);
	}
	free(srcs);
	return r;
}
