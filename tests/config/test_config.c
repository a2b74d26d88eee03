// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_config.c - lrugend.conf: profiles, layering, diagnostics, matching,
 * printing. Fixtures come from $top_srcdir/tests/fixtures/config;
 * cases that need exact line numbers write their own files to a temp dir.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_load.h"
#include "match.h"
#include "oom_select.h"
#include "tap.h"

/* the fixtures' slices: a user's app scopes, and Firefox's among them */
#define APPS "/user.slice/user-*.slice/user@*.service/app.slice/app-*.scope"
#define FIREFOX "/user.slice/user-*.slice/user@*.service/app.slice/app-firefox*.scope"

static const char *srcdir;
static char fixtures[4200], tmpdir[1024];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		exit(99);
	}
	fputs(text, f);
	fclose(f);
}

static char *tmp_path(const char *name)
{
	static char buf[4][4200];
	static int i;
	char *p = buf[i++ % 4];

	snprintf(p, sizeof(buf[0]), "%s/%s", tmpdir, name);
	return p;
}

static char *fixture(const char *name)
{
	static char buf[4][sizeof(fixtures) + 256];
	static int i;
	char *p = buf[i++ % 4];

	snprintf(p, sizeof(buf[0]), "%s/%s", fixtures, name);
	return p;
}

/* Write text to tmpdir/name and load it as the main file. */
static int load_text(const char *name, const char *text, struct lrg_config *c, struct lrg_diag *d)
{
	write_file(tmp_path(name), text);
	return lrg_config_load(tmp_path(name), NULL, c, d);
}

static void dump_diag(const struct lrg_diag *d)
{
	for (size_t i = 0; i < d->n; i++)
		diag("%s: %s", d->entries[i].level == LRG_DIAG_ERROR ? "error" : "warning",
		     d->entries[i].msg);
}

/* The entry containing all of a, b and c (NULL: not needed), or NULL. */
static const struct lrg_diag_entry *find_diag(const struct lrg_diag *d, const char *a,
					      const char *b, const char *c)
{
	for (size_t i = 0; i < d->n; i++) {
		const char *m = d->entries[i].msg;

		if (strstr(m, a) && (!b || strstr(m, b)) && (!c || strstr(m, c)))
			return &d->entries[i];
	}
	return NULL;
}

static const struct lrg_slice_config *slice(const struct lrg_config *c, const char *name)
{
	for (size_t i = 0; i < c->nr_slices; i++)
		if (!strcmp(c->slices[i].name, name))
			return &c->slices[i];
	return NULL;
}

static bool pats_equal(const struct lrg_patterns *a, const struct lrg_patterns *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->pats[i], b->pats[i]))
			return false;
	return true;
}

static bool has_pat(const struct lrg_patterns *p, const char *pat)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->pats[i], pat))
			return true;
	return false;
}

/* Values only: file and line say where, not what. */
static bool slice_equal(const struct lrg_slice_config *a, const struct lrg_slice_config *b)
{
	return !strcmp(a->name, b->name) && !strcmp(a->match, b->match) &&
	       a->min_ttl_ms == b->min_ttl_ms && a->swappiness == b->swappiness &&
	       a->aging_interval_ms == b->aging_interval_ms && a->evict == b->evict &&
	       a->evict_min_age_ms == b->evict_min_age_ms &&
	       a->refault_ceiling_pct == b->refault_ceiling_pct && a->oom == b->oom &&
	       pats_equal(&a->prefer, &b->prefer) && pats_equal(&a->avoid, &b->avoid) &&
	       pats_equal(&a->protect, &b->protect);
}

static bool config_equal(const struct lrg_config *a, const struct lrg_config *b)
{
	const struct lrg_daemon_config *x = &a->daemon, *y = &b->daemon;

	if (strcmp(x->backend, y->backend) || strcmp(x->profile, y->profile) ||
	    x->dry_run != y->dry_run || x->poll_interval_ms != y->poll_interval_ms ||
	    x->tick_budget_ms != y->tick_budget_ms ||
	    x->kill_timeout_ms != y->kill_timeout_ms || x->enable_mglru != y->enable_mglru ||
	    x->mount_debugfs != y->mount_debugfs || x->notify_desktop != y->notify_desktop ||
	    !pats_equal(&x->protect, &y->protect))
		return false;
	if (!slice_equal(&a->defaults, &b->defaults) || a->nr_slices != b->nr_slices)
		return false;
	for (size_t i = 0; i < a->nr_slices; i++)
		if (!slice_equal(&a->slices[i], &b->slices[i]))
			return false;
	return true;
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* print, load the output, compare */
static bool round_trip(const struct lrg_config *c, const char *name)
{
	struct lrg_config back;
	struct lrg_diag d;
	FILE *f = fopen(tmp_path(name), "w");
	bool same;

	if (!f)
		return false;
	lrg_config_print(c, f);
	fclose(f);
	if (lrg_config_load(tmp_path(name), NULL, &back, &d)) {
		dump_diag(&d);
		lrg_diag_free(&d);
		return false;
	}
	same = config_equal(c, &back) && d.n == 0;
	if (!same)
		dump_diag(&d);
	lrg_config_free(&back);
	lrg_diag_free(&d);
	return same;
}

/*
 * conf/lrugend.conf, as installed, changes nothing; and with every
 * commented-out key and section uncommented (up to the example slice of
 * one's own) it still changes nothing: the defaults it documents are true.
 */
static void test_shipped_conf(const struct lrg_config *defaults)
{
	struct lrg_config c;
	struct lrg_diag d;
	char path[4200], *text, *out, *o;
	bool example = false;
	size_t uncommented = 0;
	int r;

	snprintf(path, sizeof(path), "%s/lrugend.conf", tmpdir);
	r = lrg_config_load(path, NULL, &c, &d);
	ok(r == 0 && d.n == 0 && config_equal(defaults, &c), "conf/lrugend.conf as shipped: the defaults");
	if (!r)
		lrg_config_free(&c);
	lrg_diag_free(&d);

	text = read_all(path);
	out = text ? calloc(1, strlen(text) + 1) : NULL;
	if (!out) {
		skip("cannot read conf/lrugend.conf");
		free(text);
		return;
	}
	o = out;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		if (strstr(line, "A slice of your own"))
			example = true;
		if (!example && line[0] == '#' && (line[1] == '[' || (line[1] >= 'a' && line[1] <= 'z'))) {
			line++;
			uncommented++;
		}
		o += sprintf(o, "%s\n", line);
	}
	r = load_text("uncommented.conf", out, &c, &d);
	ok(r == 0 && d.n == 0 && uncommented > 30 && config_equal(defaults, &c),
	   "conf/lrugend.conf with its %zu commented settings enabled: still the defaults", uncommented);
	dump_diag(&d);
	if (!r)
		lrg_config_free(&c);
	lrg_diag_free(&d);
	free(text);
	free(out);
}

static void test_defaults(void)
{
	struct lrg_config c, l;
	struct lrg_diag d;
	const struct lrg_slice_config *u, *s, *i;
	char *file, path[4200];

	lrg_config_defaults(&c);
	ok(!strcmp(c.daemon.profile, "desktop") && !strcmp(c.daemon.backend, "auto"),
	   "defaults: profile desktop, backend auto (got %s, %s)", c.daemon.profile, c.daemon.backend);
	ok(c.daemon.poll_interval_ms == 250 && c.daemon.kill_timeout_ms == 3000 &&
	   !c.daemon.dry_run && c.daemon.enable_mglru && c.daemon.mount_debugfs &&
	   c.daemon.notify_desktop,
	   "defaults: [daemon] values of desktop.conf");
	ok(has_pat(&c.daemon.protect, "exe:/usr/bin/gnome-shell") &&
	   has_pat(&c.daemon.protect, "exe:/usr/lib/xorg/Xorg") &&
	   has_pat(&c.daemon.protect, "cgroup:/system.slice/ssh.service") && c.daemon.protect.n == 18,
	   "defaults: compositors and sshd globally protected (%zu patterns)", c.daemon.protect.n);
	ok(c.nr_slices == 3 && !strcmp(c.slices[0].name, "user.slice") &&
	   !strcmp(c.slices[1].name, "system.slice") && !strcmp(c.slices[2].name, "init"),
	   "defaults: slices user.slice, system.slice, init in file order");
	u = slice(&c, "user.slice");
	s = slice(&c, "system.slice");
	i = slice(&c, "init");
	ok(u && u->min_ttl_ms == 1000 && u->oom == LRG_OOM_PROCESS && !strcmp(u->match, "/user.slice") &&
	   u->prefer.n == 0 && has_pat(&u->avoid, "exe:/usr/bin/pipewire*") &&
	   !has_pat(&u->avoid, "exe:/usr/bin/bash") && has_pat(&u->protect, "exe:/usr/libexec/gnome-session-*"),
	   "defaults: user.slice min_ttl 1000, oom process, nothing preferred, no shell avoided");
	/* keys user.slice leaves alone come from [slice *] */
	ok(u && u->swappiness == -1 && u->aging_interval_ms == 1000 && u->evict &&
	   u->evict_min_age_ms == 0 && u->refault_ceiling_pct == 0,
	   "defaults: user.slice inherits the rest from [slice *]");
	ok(s && s->min_ttl_ms == 250 && s->oom == LRG_OOM_PROCESS &&
	   has_pat(&s->prefer, "cgroup:/system.slice/packagekit.service"),
	   "defaults: system.slice min_ttl 250, oom process");
	ok(i && i->oom == LRG_OOM_NEVER && !strcmp(i->match, "/init.scope"), "defaults: /init.scope oom never");
	ok(!strcmp(c.defaults.name, "*") && c.defaults.min_ttl_ms == 0 && c.defaults.swappiness == -1 &&
	   c.defaults.oom == LRG_OOM_PROCESS && c.defaults.prefer.n == 0,
	   "defaults: [slice *] values");

	ok(lrg_config_load(NULL, NULL, &l, &d) == 0 && d.n == 0 && config_equal(&c, &l),
	   "no files at all loads exactly the defaults");
	lrg_config_free(&l);
	lrg_diag_free(&d);
	ok(lrg_config_load(tmp_path("missing.conf"), tmp_path("missing.d"), &l, &d) == 0 &&
	   config_equal(&c, &l), "missing main file and drop-in dir: the defaults");
	lrg_config_free(&l);
	lrg_diag_free(&d);

	/* the embedded text is the file, byte for byte */
	snprintf(path, sizeof(path), "%s/conf/profiles/desktop.conf", srcdir);
	file = read_all(path);
	ok(file && lrg_config_profile_text("desktop") && !strcmp(file, lrg_config_profile_text("desktop")),
	   "embedded desktop profile equals conf/profiles/desktop.conf");
	free(file);
	ok(!lrg_config_profile_text("gaming") && !lrg_config_profile_text(NULL), "no such profile: NULL");
	ok(round_trip(&c, "rt-defaults.conf"), "defaults: print, parse again: same config");
	test_shipped_conf(&c);
	lrg_config_free(&c);
}

static void test_profiles(void)
{
	static const char *const names[] = { "desktop", "laptop-hdd", "server" };
	struct lrg_config c;
	struct lrg_diag d;
	const struct lrg_slice_config *s;
	char text[128];
	int r;

	for (size_t i = 0; i < 3; i++) {
		snprintf(text, sizeof(text), "[daemon]\nprofile = %s\n", names[i]);
		r = load_text("profile.conf", text, &c, &d);
		ok(r == 0 && d.n == 0 && !strcmp(c.daemon.profile, names[i]),
		   "profile %s loads without a single warning", names[i]);
		dump_diag(&d);
		lrg_diag_free(&d);
		if (r)
			continue;
		ok(round_trip(&c, "rt-profile.conf"), "profile %s: print, parse again: same config", names[i]);
		lrg_config_free(&c);
	}

	r = lrg_config_load(fixture("laptop.conf"), NULL, &c, &d);
	ok(r == 0, "laptop.conf loads");
	if (r) {
		dump_diag(&d);
		lrg_diag_free(&d);
		return;
	}
	s = slice(&c, "user.slice");
	ok(!strcmp(c.daemon.profile, "laptop-hdd") && c.daemon.poll_interval_ms == 500,
	   "profile = laptop-hdd applies its [daemon] values");
	ok(s && s->min_ttl_ms == 3000 && s->swappiness == 10,
	   "laptop-hdd: user.slice min_ttl 3000 from the profile, swappiness 10 from the file");
	ok(c.defaults.aging_interval_ms == 2000, "laptop-hdd: [slice *] aging_interval 2000");
	lrg_config_free(&c);
	lrg_diag_free(&d);

	/* a profile named after the slice settings, in a drop-in, still comes first */
	mkdir(tmp_path("srv.d"), 0700);
	write_file(tmp_path("srv.conf"), "[slice system.slice]\nevict_min_age_ms = 2min\n");
	write_file(tmp_path("srv.d/50-profile.conf"), "[daemon]\nprofile = server\n");
	r = lrg_config_load(tmp_path("srv.conf"), tmp_path("srv.d"), &c, &d);
	ok(r == 0, "server profile from a drop-in loads");
	if (!r) {
		const struct lrg_slice_config *u = slice(&c, "user.slice");

		s = slice(&c, "system.slice");
		ok(!strcmp(c.daemon.profile, "server") && !c.daemon.notify_desktop &&
		   c.defaults.oom == LRG_OOM_NEVER, "server: notify off, [slice *] oom never");
		ok(s && s->evict_min_age_ms == 120000 && s->refault_ceiling_pct == 2 &&
		   s->oom == LRG_OOM_NEVER,
		   "server: the main file's system.slice value wins over the profile; the rest inherited");
		ok(u && u->evict_min_age_ms == 300000 && u->oom == LRG_OOM_NEVER &&
		   slice(&c, "init")->oom == LRG_OOM_NEVER, "server: oom never in every slice");
		lrg_config_free(&c);
	}
	lrg_diag_free(&d);
}

static void test_dropins(void)
{
	struct lrg_config c;
	struct lrg_diag d;
	const struct lrg_slice_config *a, *f, *u;
	int r;

	r = lrg_config_load(fixture("main.conf"), fixture("dropins"), &c, &d);
	ok(r == 0 && d.n == 0, "main.conf + dropins/ load cleanly");
	dump_diag(&d);
	lrg_diag_free(&d);
	if (r)
		return;
	a = slice(&c, "apps");
	f = slice(&c, "firefox");
	u = slice(&c, "user.slice");
	ok(a && a->min_ttl_ms == 900,
	   "drop-ins apply in strcmp order: 9-last.conf after 20-second.conf (min_ttl %u)",
	   a ? a->min_ttl_ms : 0);
	ok(a && a->oom == LRG_OOM_CGROUP && !strcmp(a->match, APPS) &&
	   has_pat(&a->prefer, "exe:/opt/*"), "drop-ins change one key, the main file's others stay");
	ok(f && f->oom == LRG_OOM_NEVER && !strcmp(f->match, FIREFOX) &&
	   f->min_ttl_ms == 0, "a drop-in adds a slice; unset keys come from [slice *]");
	ok(u && u->min_ttl_ms == 1500 && u->oom == LRG_OOM_PROCESS && has_pat(&u->avoid, "exe:/usr/bin/wireplumber"),
	   "main file changes one key of a profile slice, the profile's others stay");
	ok(c.daemon.dry_run && c.daemon.poll_interval_ms == 2000 && c.daemon.kill_timeout_ms == 60000,
	   "durations with suffixes: 2s = 2000 ms, 1min = 60000 ms");
	ok(c.nr_slices == 5 && !strcmp(c.slices[3].name, "apps") && !strcmp(c.slices[4].name, "firefox"),
	   "slices in order of first appearance: profile's, then the files'");
	ok(!strcmp(a->file + strlen(a->file) - strlen("dropins/9-last.conf"), "dropins/9-last.conf") &&
	   a->line == 3, "a slice remembers where it was last set (%s:%d)", a->file, a->line);
	ok(round_trip(&c, "rt-dropins.conf"), "main + drop-ins: print, parse again: same config");
	lrg_config_free(&c);

	/* hidden and non-.conf files are not read; a later file's [slice *]
	 * reaches every slice key that no layer set */
	mkdir(tmp_path("h.d"), 0700);
	write_file(tmp_path("h.d/.hidden.conf"), "[daemon]\ndry_run = yes\n");
	write_file(tmp_path("h.d/x.conf~"), "[daemon]\ndry_run = yes\n");
	write_file(tmp_path("h.d/99-defaults.conf"), "[slice *]\nswappiness = 60\nmin_ttl_ms = 5\n");
	r = lrg_config_load(NULL, tmp_path("h.d"), &c, &d);
	ok(r == 0 && !c.daemon.dry_run, "hidden and non-.conf files in the drop-in dir are ignored");
	if (!r) {
		ok(slice(&c, "user.slice")->swappiness == 60 && slice(&c, "system.slice")->swappiness == 60 &&
		   slice(&c, "user.slice")->min_ttl_ms == 1000 && slice(&c, "system.slice")->min_ttl_ms == 250,
		   "[slice *] in a drop-in reaches the keys slices left unset, not the ones they set");
		lrg_config_free(&c);
	}
	lrg_diag_free(&d);
}

struct err_case {
	const char *text;
	int line;
	const char *key;     /* must appear in the message */
	const char *detail;  /* and this (the allowed range, ...) */
};

static void test_errors(void)
{
	static const struct err_case cases[] = {
		{ "[daemon]\n\npoll_interval_ms = 5\n", 3, "poll_interval_ms", "10..60000 ms" },
		{ "[daemon]\nkill_timeout_ms = 11min\n", 2, "kill_timeout_ms", "100..600000 ms" },
		{ "[daemon]\ntick_budget_ms = 0\n", 2, "tick_budget_ms", "1..60000 ms" },
		{ "[daemon]\ntick_budget_ms = 2min\n", 2, "tick_budget_ms", "1..60000 ms" },
		{ "[daemon]\npoll_interval_ms = 99999999999999999999999\n", 2, "poll_interval_ms", "out of range" },
		{ "[daemon]\npoll_interval_ms = 1.5s\n", 2, "poll_interval_ms", "suffix ms, s or min" },
		{ "[daemon]\npoll_interval_ms = 10h\n", 2, "poll_interval_ms", "not a duration" },
		{ "[daemon]\npoll_interval_ms =\n", 2, "poll_interval_ms", "not a duration" },
		{ "[daemon]\ndry_run = maybe\n", 2, "dry_run", "yes/no, true/false, on/off or 1/0" },
		{ "[daemon]\nbackend = ebpf\n", 2, "backend", "auto, kmod, mglru, proc or sim" },
		{ "[daemon]\nprofile = gaming\n", 2, "profile", "desktop, laptop-hdd or server" },
		{ "[daemon]\nprotect = com:bash\n", 2, "protect", "comm:, exe: or cgroup:" },
		{ "[daemon]\nprotect = exe:\n", 2, "protect", "empty pattern" },
		{ "[daemon]\nprotect = exe:bash\n", 2, "protect", "absolute path of the executable" },
		{ "[slice x]\navoid = usr/bin/x\n", 2, "avoid", "expected '/usr/bin/x'" },
		{ "[slice x]\nprefer = cgroup:system.slice/x.service\n", 2, "prefer", "start with '/'" },
		{ "# c\n[slice x]\noom = kill\n", 3, "oom", "process, cgroup or never" },
		{ "[slice x]\nswappiness = 201\n", 2, "swappiness", "-1..200" },
		{ "[slice x]\nswappiness = -2\n", 2, "swappiness", "-1..200" },
		{ "[slice x]\nrefault_ceiling_pct = 101\n", 2, "refault_ceiling_pct", "0..100" },
		{ "[slice x]\nmin_ttl_ms = 2h\n", 2, "min_ttl_ms", "0..3600000 ms" },
		{ "[slice x]\nmin_ttl_ms = 61min\n", 2, "min_ttl_ms", "0..3600000 ms" },
		{ "[slice x]\naging_interval_ms = 50\n", 2, "aging_interval_ms", "100..3600000 ms" },
		{ "[slice x]\nevict_min_age_ms = -1\n", 2, "evict_min_age_ms", "0..86400000 ms" },
		{ "[slice x]\nevict = 2\n", 2, "evict", "yes/no" },
		{ "[slice x]\nmatch = user.slice/*\n", 2, "match", "start with '/'" },
		{ "[slice x]\nmatch = a b\n", 2, "match", "without spaces" },
		{ "[slice *]\nmatch = foo\n", 2, "match", "no slice matches" },
		{ "[daemon]\ndry_run yes\n", 2, "dry_run yes", "expected key = value" },
		{ "[daemon\ndry_run = yes\n", 1, "]", "missing ']'" },
		{ "[slice]\nmin_ttl_ms = 1\n", 1, "[slice]", "needs a name" },
		{ "[slice a b]\n", 1, "slice a b", "no spaces" },
		{ "[daemon] x\n", 1, "after ']'", "x" },
	};
	struct lrg_config c;
	struct lrg_diag d;
	char where[4300];
	int r;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct err_case *e = &cases[i];
		const struct lrg_diag_entry *m;

		r = load_text("err.conf", e->text, &c, &d);
		snprintf(where, sizeof(where), "%s:%d:", tmp_path("err.conf"), e->line);
		m = find_diag(&d, where, e->key, e->detail);
		ok(r == -EINVAL && d.nr_errors == 1 && m && m->level == LRG_DIAG_ERROR,
		   "error names file:%d, '%s' and '%s'%s%s", e->line, e->key, e->detail,
		   d.n ? ": " : "", d.n ? d.entries[0].msg : "");
		if (!r)
			lrg_config_free(&c);
		lrg_diag_free(&d);
	}

	/* one file, several errors: each is reported at its own line */
	r = lrg_config_load(fixture("bad.conf"), NULL, &c, &d);
	ok(r == -EINVAL && d.nr_errors == 5,
	   "bad.conf: all 5 errors reported, not only the first (%zu)", d.nr_errors);
	snprintf(where, sizeof(where), "%s:3: [daemon] poll_interval_ms", fixture("bad.conf"));
	ok(find_diag(&d, where, "10..60000", NULL) != NULL, "bad.conf:3 poll_interval_ms range");
	snprintf(where, sizeof(where), "%s:4: [daemon] notify_desktop", fixture("bad.conf"));
	ok(find_diag(&d, where, "'maybe'", NULL) != NULL, "bad.conf:4 bad bool");
	snprintf(where, sizeof(where), "%s:6: [slice user.slice] oom", fixture("bad.conf"));
	ok(find_diag(&d, where, "'kill'", NULL) != NULL, "bad.conf:6 bad oom");
	snprintf(where, sizeof(where), "%s:7: [slice user.slice] swappiness", fixture("bad.conf"));
	ok(find_diag(&d, where, "-1..200", NULL) != NULL, "bad.conf:7 swappiness range");
	snprintf(where, sizeof(where), "%s:8: [slice user.slice] min_ttl_ms", fixture("bad.conf"));
	ok(find_diag(&d, where, "'soon'", NULL) != NULL, "bad.conf:8 bad duration");
	lrg_diag_free(&d);

	/* an error in a drop-in names the drop-in */
	mkdir(tmp_path("e.d"), 0700);
	write_file(tmp_path("e.d/10-ok.conf"), "[daemon]\ndry_run = yes\n");
	write_file(tmp_path("e.d/20-bad.conf"), "\n\n[slice a]\noom = sometimes\n");
	ok(lrg_config_load(NULL, tmp_path("e.d"), &c, &d) == -EINVAL &&
	   find_diag(&d, "e.d/20-bad.conf:4: [slice a] oom", NULL, NULL),
	   "an error in a drop-in names the drop-in's file:line");
	lrg_diag_free(&d);

	/* unreadable: a directory where the main file should be */
	ok(lrg_config_load(tmp_path("e.d"), NULL, &c, &d) == -EINVAL && d.nr_errors == 1 &&
	   find_diag(&d, "e.d: cannot read", NULL, NULL), "a main file that cannot be read is an error");
	lrg_diag_free(&d);
}

static void test_untouched(void)
{
	struct lrg_config c, old;
	struct lrg_diag d;

	memset(&c, 0xa5, sizeof(c));
	old = c;
	ok(lrg_config_load(fixture("bad.conf"), NULL, &c, &d) == -EINVAL &&
	   !memcmp(&c, &old, sizeof(c)), "a bad main file leaves the output struct untouched");
	lrg_diag_free(&d);
	ok(lrg_config_load(fixture("main.conf"), tmp_path("e.d"), &c, &d) == -EINVAL &&
	   !memcmp(&c, &old, sizeof(c)), "a good main file with a bad drop-in: untouched too");
	lrg_diag_free(&d);
}

static void test_warnings(void)
{
	struct lrg_config c;
	struct lrg_diag d;
	char where[4300];
	int r;

	r = lrg_config_load(fixture("unknown.conf"), NULL, &c, &d);
	ok(r == 0 && d.nr_errors == 0 && d.n == 2, "unknown key and section: 2 warnings, loads (%d, %zu)",
	   r, d.n);
	snprintf(where, sizeof(where), "%s:3: [daemon] colour", fixture("unknown.conf"));
	ok(find_diag(&d, where, "unknown key", NULL) && d.entries[0].level == LRG_DIAG_WARNING,
	   "unknown key warns with file:line and the key");
	snprintf(where, sizeof(where), "%s:6:", fixture("unknown.conf"));
	ok(find_diag(&d, where, "unknown section [frobnicate]", NULL) != NULL,
	   "unknown section warns with file:line, once; its keys are skipped");
	ok(r == 0 && c.daemon.dry_run && slice(&c, "user.slice")->min_ttl_ms == 2000,
	   "the rest of a file with warnings is applied");
	{
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		if (f) {
			lrg_diag_print(&d, f);
			fclose(f);
		}
		ok(buf && !strncmp(buf, "warning: ", 9) && strstr(buf, "colour") &&
		   strstr(buf, "\nwarning: ") && buf[len - 1] == '\n' && !strstr(buf, "error"),
		   "lrg_diag_print: one line per entry, with its level");
		free(buf);
	}
	if (!r)
		lrg_config_free(&c);
	lrg_diag_free(&d);

	r = load_text("w.conf", "[daemon]\nmin_ttl_ms = 5\n[slice x]\nbackend = sim\n", &c, &d);
	ok(r == 0 && find_diag(&d, "w.conf:2: [daemon] min_ttl_ms", "belongs in a [slice NAME]", NULL) &&
	   find_diag(&d, "w.conf:4: [slice x] backend", "belongs in [daemon]", NULL),
	   "a key in the wrong kind of section says where it belongs");
	if (!r)
		lrg_config_free(&c);
	lrg_diag_free(&d);

	r = load_text("w.conf", "dry_run = yes\n[daemon]\nprotect = comm:gnome-terminal-server\n", &c, &d);
	ok(r == 0 && find_diag(&d, "w.conf:1: dry_run", "outside any section", NULL) && !c.daemon.dry_run,
	   "a key before any section warns and is ignored");
	ok(r == 0 && find_diag(&d, "w.conf:3: [daemon] protect", "at most 15", NULL),
	   "a comm literal longer than 15 characters warns (it can never match)");
	if (!r)
		lrg_config_free(&c);
	lrg_diag_free(&d);

	r = load_text("w.conf", "[slice a]\nmatch = app-*.scope\n[daemon]\nprotect = cgroup:sshd.service cgroup:init.scope\n",
		      &c, &d);
	ok(r == 0 && d.n == 2 && find_diag(&d, "w.conf:2: [slice a] match", "can never match", "top of the tree") &&
	   find_diag(&d, "w.conf:4: [daemon] protect", "'cgroup:sshd.service' can never match", NULL),
	   "a unit name that is never at the top of the tree warns (it can never match)");
	if (!r)
		lrg_config_free(&c);
	lrg_diag_free(&d);
}

/* Only root may write the configuration. */
static void test_trust(void)
{
	struct lrg_config c;
	struct lrg_diag d;
	char where[4300];
	int r;

	write_file(tmp_path("t.conf"), "[daemon]\ndry_run = yes\n");
	chmod(tmp_path("t.conf"), 0664);
	r = lrg_config_load(tmp_path("t.conf"), NULL, &c, &d);
	snprintf(where, sizeof(where), "%s: refused: writable by its group (mode 0664", tmp_path("t.conf"));
	ok(r == -EINVAL && d.nr_errors == 1 && find_diag(&d, where, "chmod go-w", NULL),
	   "a group-writable file is refused, naming the file, why and the fix");
	dump_diag(&d);
	lrg_diag_free(&d);
	chmod(tmp_path("t.conf"), 0646);
	r = lrg_config_load(tmp_path("t.conf"), NULL, &c, &d);
	ok(r == -EINVAL && find_diag(&d, "t.conf: refused: writable by others (mode 0646", NULL, NULL),
	   "a file others may write is refused");
	lrg_diag_free(&d);
	chmod(tmp_path("t.conf"), 0644);
	r = lrg_config_load(tmp_path("t.conf"), NULL, &c, &d);
	ok(r == 0 && c.daemon.dry_run, "the same file, 0644 and root's (or ours): loaded");
	if (!r)
		lrg_config_free(&c);
	lrg_diag_free(&d);

	if (geteuid() != 0 || chown(tmp_path("t.conf"), 1000, (gid_t)-1)) {
		skip("not root: cannot give a file to uid 1000");
	} else {
		r = lrg_config_load(tmp_path("t.conf"), NULL, &c, &d);
		ok(r == -EINVAL && d.nr_errors == 1 &&
		   find_diag(&d, "t.conf: refused: owned by uid 1000, not root", "chown root", NULL),
		   "a file owned by uid 1000 is refused");
		lrg_diag_free(&d);
	}

	r = lrg_config_load("/dev/null", NULL, &c, &d);
	ok(r == 0 && d.n == 0, "--config=/dev/null: root's device, no configuration, the defaults");
	if (!r)
		lrg_config_free(&c);
	lrg_diag_free(&d);

	mkdir(tmp_path("t.d"), 0755);
	write_file(tmp_path("t.d/10-a.conf"), "[daemon]\ndry_run = yes\n");
	chmod(tmp_path("t.d"), 01777);
	r = lrg_config_load(NULL, tmp_path("t.d"), &c, &d);
	ok(r == -EINVAL && d.nr_errors == 1 && find_diag(&d, "t.d: refused: writable by its group and others (mode 1777", NULL, NULL),
	   "a drop-in directory anyone may write to is refused, its files unread");
	dump_diag(&d);
	lrg_diag_free(&d);
}

/* inih lexes; what its 200-byte lines, missing line numbers and single
 * error line leave to lexer.c */
static void test_lexer(void)
{
	struct lrg_config c;
	struct lrg_diag d;
	char text[4096], glob[250], *p;
	const struct lrg_slice_config *s;
	int r;

	/* one word longer than inih's buffer, right after '=': split inside it */
	memset(glob, 'g', sizeof(glob) - 1);
	glob[0] = '/';
	glob[sizeof(glob) - 1] = '\0';
	snprintf(text, sizeof(text), "[slice w]\nmatch =%s   # long\n  oom = never\n", glob);
	r = load_text("lex.conf", text, &c, &d);
	s = r ? NULL : slice(&c, "w");
	ok(s && !strcmp(s->match, glob) && s->oom == LRG_OOM_NEVER && d.n == 0,
	   "a %zu-character word arrives whole, its comment dropped, the indented key after it a key",
	   strlen(glob));
	dump_diag(&d);
	if (!r)
		lrg_config_free(&c);
	lrg_diag_free(&d);

	/* a long list with a ';' comment that starts past inih's buffer */
	p = text + sprintf(text, "[daemon]\nprotect =");
	for (int i = 0; i < 30; i++)
		p += sprintf(p, " exe:/usr/bin/p%02d", i);
	sprintf(p, " ; exe:/not/a/pattern\n[slice a]\nswappiness = 300\n");
	r = load_text("lex.conf", text, &c, &d);
	ok(r == -EINVAL && d.nr_errors == 1 && find_diag(&d, "lex.conf:4: [slice a] swappiness", NULL, NULL),
	   "a comment past 200 bytes is a comment; the error two lines on is at line 4");
	lrg_diag_free(&d);
	sprintf(p, " ; exe:/not/a/pattern\n");
	r = load_text("lex.conf", text, &c, &d);
	ok(r == 0 && c.daemon.protect.n == 30 && !strcmp(c.daemon.protect.pats[29], "exe:/usr/bin/p29"),
	   "the long list: 30 patterns, the comment's not among them (%zu)", c.daemon.protect.n);
	if (!r)
		lrg_config_free(&c);
	lrg_diag_free(&d);

	/* every bad line has its own message, not only the first inih saw */
	r = load_text("lex.conf", "[daemon]\ndry_run: yes\nbogus line\n[slice x\nmin_ttl_ms = 1\n"
		      "[slice y]\nmin_ttl_ms 2\n", &c, &d);
	ok(r == -EINVAL && d.nr_errors == 4 &&
	   find_diag(&d, "lex.conf:2: [daemon] syntax error: 'dry_run: yes'", "key = value", NULL) &&
	   find_diag(&d, "lex.conf:3: [daemon] syntax error: 'bogus line'", NULL, NULL) &&
	   find_diag(&d, "lex.conf:4: missing ']'", NULL, NULL) &&
	   find_diag(&d, "lex.conf:7: [slice y] syntax error: 'min_ttl_ms 2'", NULL, NULL),
	   "four bad lines, four errors at their own lines (%zu)", d.nr_errors);
	dump_diag(&d);
	lrg_diag_free(&d);

	/* a header without keys still opens its slice; a BOM is not text */
	r = load_text("lex.conf", "\xef\xbb\xbf[slice app-x.scope]\n", &c, &d);
	s = r ? NULL : slice(&c, "app-x.scope");
	ok(s && d.n == 0 && s->line == 1 && !strcmp(s->match, "app-x.scope") &&
	   s->min_ttl_ms == c.defaults.min_ttl_ms,
	   "a slice without keys exists, with [slice *]'s values, after a BOM");
	if (!r)
		lrg_config_free(&c);
	lrg_diag_free(&d);
	{
		static const char nul[] = "[daemon]\ndry\0run = yes\nx\n";
		FILE *f = fopen(tmp_path("nul.conf"), "w");

		if (!f || fwrite(nul, 1, sizeof(nul) - 1, f) != sizeof(nul) - 1)
			exit(99);
		fclose(f);
	}
	r = lrg_config_load(tmp_path("nul.conf"), NULL, &c, &d);
	ok(r == -EINVAL && d.nr_errors == 2 && find_diag(&d, "nul.conf:2: [daemon] NUL byte", NULL, NULL) &&
	   find_diag(&d, "nul.conf:3: [daemon] syntax error: 'x'", NULL, NULL),
	   "a NUL byte is an error at its line, and the lines after it count on");
	dump_diag(&d);
	lrg_diag_free(&d);
}

static void test_syntax(void)
{
	struct lrg_config c;
	struct lrg_diag d;
	char text[4096], *p = text;
	const struct lrg_slice_config *s;
	int r;

	/* repeated key: later wins; indentation ignored; '#' and ';' comments;
	 * case-insensitive booleans; CRLF */
	r = load_text("s.conf",
		      "[daemon]\n"
		      "\tdry_run = ON   # inline comment\r\n"
		      "  poll_interval_ms = 100 ; another\n"
		      "poll_interval_ms = 300ms\n"
		      "[ slice  y ]\n"
		      "   oom = CGROUP\n"
		      "   protect = a b\n"
		      "   protect = c\n", &c, &d);
	ok(r == 0 && d.n == 0, "indented keys, inline comments, CRLF, spaced section name parse");
	dump_diag(&d);
	s = r ? NULL : slice(&c, "y");
	ok(!r && c.daemon.dry_run && c.daemon.poll_interval_ms == 300, "repeated key: the later wins");
	ok(s && s->oom == LRG_OOM_CGROUP && s->protect.n == 1 && !strcmp(s->protect.pats[0], "c"),
	   "repeated pattern list replaces, does not append");
	if (!r)
		lrg_config_free(&c);
	lrg_diag_free(&d);

	/* a line far longer than inih's 200-byte buffer, then an error after it:
	 * the value arrives whole and line numbers stay right */
	p += sprintf(p, "[slice long]\nprotect =");
	for (int i = 0; i < 60; i++)
		p += sprintf(p, " comm:proc%02d", i);
	sprintf(p, "\n\noom = bogus\n");
	r = load_text("long.conf", text, &c, &d);
	ok(r == -EINVAL && d.nr_errors == 1 && find_diag(&d, "long.conf:4: [slice long] oom", NULL, NULL),
	   "after a %zu-byte line the next error is still at line 4", strlen(text));
	lrg_diag_free(&d);
	sprintf(p, "\n");
	r = load_text("long.conf", text, &c, &d);
	s = r ? NULL : slice(&c, "long");
	ok(s && s->protect.n == 60 && !strcmp(s->protect.pats[59], "comm:proc59"),
	   "a long pattern list arrives whole (%zu patterns)", s ? s->protect.n : 0);
	if (!r) {
		ok(round_trip(&c, "rt-long.conf"), "a long list prints and parses back the same");
		lrg_config_free(&c);
	}
	lrg_diag_free(&d);

	/* empty list clears what the profile set */
	r = load_text("s.conf", "[slice user.slice]\navoid =\n", &c, &d);
	ok(r == 0 && slice(&c, "user.slice")->avoid.n == 0, "an empty list clears the profile's list");
	if (!r)
		lrg_config_free(&c);
	lrg_diag_free(&d);
	test_lexer();
}

static const char *match_name(const struct lrg_config *c, const char *path)
{
	return lrg_config_match(c, path)->name;
}

static void test_match(void)
{
	struct lrg_config c;
	struct lrg_diag d;
	int r;

	r = load_text("m.conf",
		      "[slice apps]\nmatch = " APPS "\n"
		      "[slice firefox]\nmatch = " FIREFOX "\n"
		      "[slice u1000]\nmatch = /user.slice/user-1000.slice\n"
		      "[slice u1000-mgr]\nmatch = /user.slice/user-1000.slice/user@1000.service\n"
		      "[slice sess]\nmatch = /user.slice/user-*.slice/session-*.scope\n"
		      "[slice db]\nmatch = /system.slice/postgresql*.service\n"
		      "[slice db2]\nmatch = /system.slice/postgresql@*.service\n", &c, &d);
	ok(r == 0 && d.n == 0, "match fixture loads");
	if (r) {
		dump_diag(&d);
		lrg_diag_free(&d);
		return;
	}
	ok(!strcmp(match_name(&c, "/user.slice/user-1000.slice/user@1000.service/app.slice/app-gedit.scope"), "apps"),
	   "the glob naming the cgroup itself beats the ones naming its ancestors");
	ok(!strcmp(match_name(&c, "/user.slice/user-1000.slice/user@1000.service/app.slice/app-firefox-1234.scope"), "firefox"),
	   "same depth: more literal characters win (app-firefox*.scope over app-*.scope)");
	ok(!strcmp(match_name(&c, "/user.slice/user-1000.slice/user@1000.service/app.slice/app-firefox-1.scope/tab"), "firefox"),
	   "a slice covers the descendants of what it names");
	ok(!strcmp(match_name(&c, "/user.slice/user-1000.slice/user@1000.service/init.scope"), "u1000-mgr"),
	   "the user manager's slice covers its init.scope");
	ok(!strcmp(match_name(&c, "/user.slice/user-1001.slice/user@1001.service"), "user.slice"),
	   "the profile's user.slice governs what nothing deeper names");
	ok(!strcmp(match_name(&c, "user.slice//user-1000.slice/session-3.scope/"), "sess"),
	   "paths without the leading '/', with '//' or a trailing '/' are normalised");
	ok(!strcmp(match_name(&c, "/system.slice/postgresql@15-main.service"), "db2"),
	   "path globs: the more literal one wins");
	ok(!strcmp(match_name(&c, "/system.slice/postgresql.service"), "db"),
	   "path glob matches its own cgroup");
	ok(!strcmp(match_name(&c, "/system.slice/cron.service"), "system.slice"),
	   "a name without '/' names the cgroup at the top, and its subtree");
	ok(!strcmp(match_name(&c, "/machine.slice/qemu.scope"), "*") &&
	   lrg_config_match(&c, "/machine.slice/qemu.scope") == &c.defaults,
	   "no slice: [slice *]");
	ok(lrg_config_match(&c, "/") == &c.defaults && lrg_config_match(&c, "") == &c.defaults &&
	   lrg_config_match(&c, NULL) == &c.defaults, "the root cgroup gets [slice *]");
	ok(!strcmp(match_name(&c, "/init.scope"), "init"), "init.scope: the profile's init slice");
	lrg_config_free(&c);
	lrg_diag_free(&d);

	/* full tie: the later section wins */
	r = load_text("m.conf", "[slice a]\nmatch = x-*\n[slice b]\nmatch = x-*\n", &c, &d);
	ok(r == 0 && !strcmp(match_name(&c, "/x-1"), "b"), "full tie: the later slice wins");
	if (!r)
		lrg_config_free(&c);
	lrg_diag_free(&d);
	/* the more literal glob wins even when it comes first */
	r = load_text("m.conf", "[slice specific]\nmatch = x-1*\n[slice generic]\nmatch = x-*\n", &c, &d);
	ok(r == 0 && !strcmp(match_name(&c, "/x-12"), "specific") && !strcmp(match_name(&c, "/x-2"), "generic"),
	   "more literal characters beat section order");
	if (!r)
		lrg_config_free(&c);
	lrg_diag_free(&d);
	/* '*' in a path glob does not cross '/': /a/ * names only children of /a */
	r = load_text("m.conf", "[slice kids]\nmatch = /a/*\n[slice deep]\nmatch = /a/*/c\n", &c, &d);
	ok(r == 0 && !strcmp(match_name(&c, "/a/b/c"), "deep") && !strcmp(match_name(&c, "/a/b/d"), "kids") &&
	   !strcmp(match_name(&c, "/a"), "*"), "'*' in a path glob stops at '/'");
	if (!r)
		lrg_config_free(&c);
	lrg_diag_free(&d);
	/* a name without '/' is anchored at the top: no longer any component */
	r = load_text("m.conf", "[slice c]\nmatch = c\n", &c, &d);
	ok(r == 0 && !strcmp(match_name(&c, "/c/x"), "c") && !strcmp(match_name(&c, "/a/b/c"), "*"),
	   "a name without '/' names a top-level cgroup only");
	if (!r)
		lrg_config_free(&c);
	lrg_diag_free(&d);
}

/* The shipped profile against the spoofs of issue 15: what a user can make
 * up (a process's name, a cgroup below their user@.service) claims nothing. */
static void test_spoofs(void)
{
	static const char *const mgr = "/user.slice/user-1000.slice/user@1000.service";
	struct lrg_oom_candidate v[6];
	struct lrg_config c;
	char cg[3][200];
	size_t idx;

	lrg_config_defaults(&c);
	snprintf(cg[0], sizeof(cg[0]), "%s/init.scope", mgr);
	snprintf(cg[1], sizeof(cg[1]), "%s/system.slice/ssh.service", mgr);
	snprintf(cg[2], sizeof(cg[2]), "/user.slice/user-1000.slice/session-2.scope");
	ok(!strcmp(lrg_config_match(&c, cg[0])->name, "user.slice") &&
	   lrg_config_match(&c, cg[0])->oom != LRG_OOM_NEVER,
	   "desktop: %s gets user.slice, not [slice init]'s oom = never", cg[0]);
	ok(!strcmp(lrg_config_match(&c, cg[1])->name, "user.slice"),
	   "desktop: a user-made .../system.slice/ssh.service gets user.slice, not system.slice");
	memset(v, 0, sizeof(v));
	for (int i = 0; i < 6; i++) {
		v[i].pid = 100 + i;
		v[i].rss_pages = 1000;
		v[i].uid = v[i].euid = 1000;
		v[i].cgroup = cg[i % 3];
		v[i].slice = lrg_config_match(&c, v[i].cgroup);
	}
	snprintf(v[0].comm, sizeof(v[0].comm), "sshd");
	snprintf(v[1].comm, sizeof(v[1].comm), "Xorg");
	snprintf(v[2].comm, sizeof(v[2].comm), "gnome-shell");
	snprintf(v[3].comm, sizeof(v[3].comm), "bash");
	snprintf(v[4].comm, sizeof(v[4].comm), "systemd");
	v[4].exe = "/home/u/systemd";	/* a copy: not root's */
	snprintf(v[5].comm, sizeof(v[5].comm), "pipewire");
	v[5].exe = "/usr/bin/pipewire";
	v[5].exe_trusted = false;	/* e.g. the path names another file here */
	ok(lrg_oom_select(v, 6, &c.daemon.protect, 1 << 21, &idx) == 0, "desktop: a victim among the spoofs");
	for (int i = 0; i < 6; i++)
		ok(v[i].tier == LRG_TIER_NORMAL, "desktop: uid 1000's '%s' in %s is a normal candidate (%s)",
		   v[i].comm, v[i].cgroup, v[i].reason);
	/* the real ones are still what the profile says */
	v[0].uid = v[0].euid = 0;
	v[0].cgroup = "/system.slice/ssh.service";
	v[0].slice = lrg_config_match(&c, v[0].cgroup);
	v[1].exe = "/usr/lib/xorg/Xorg";
	v[1].exe_trusted = true;
	v[5].exe_trusted = true;
	lrg_oom_select(v, 6, &c.daemon.protect, 1 << 21, &idx);
	ok(v[0].tier == LRG_TIER_EXCLUDED && v[1].tier == LRG_TIER_EXCLUDED && v[5].tier == LRG_TIER_AVOID,
	   "desktop: root's sshd.service and the real Xorg are protected, the real pipewire avoided");
	lrg_config_free(&c);
}

static void test_patterns(void)
{
	struct lrg_config c;
	struct lrg_diag d;
	struct lrg_proc_facts root = { .comm = "abc", .uid = 0, .euid = 0, .exe = "/usr/libexec/gnome-shell-x",
				       .exe_trusted = true, .cgroup = "/init.scope" };
	struct lrg_proc_facts user = root;
	int r = load_text("p.conf", "[daemon]\nprotect = comm:a?c exe:/usr/*/gnome-* cgroup:init.scope\n", &c, &d);

	user.uid = user.euid = 1000;
	user.exe_trusted = false;
	user.cgroup = "/user.slice/user-1000.slice/user@1000.service/init.scope";
	ok(r == 0 && d.n == 0 && lrg_patterns_match(&c.daemon.protect, &root) &&
	   !lrg_patterns_match(&c.daemon.protect, &user),
	   "parsed [daemon] protect: matches root's process, not uid 1000's look-alike");
	user.comm = NULL;
	user.exe_trusted = true;
	ok(r == 0 && lrg_patterns_match(&c.daemon.protect, &user),
	   "parsed [daemon] protect: matches a root-owned exe whoever runs it");
	if (!r)
		lrg_config_free(&c);
	lrg_diag_free(&d);
}

/* [daemon] tick_budget_ms: the policy tick's work limit */
static void test_tick_budget(void)
{
	struct lrg_config c;
	struct lrg_diag d;
	int r;

	lrg_config_defaults(&c);
	ok(c.daemon.tick_budget_ms == 50, "tick_budget_ms: 50 ms by default (%u)", c.daemon.tick_budget_ms);
	lrg_config_free(&c);
	r = load_text("budget.conf", "[daemon]\ntick_budget_ms = 20\n", &c, &d);
	ok(r == 0 && d.n == 0 && c.daemon.tick_budget_ms == 20, "tick_budget_ms = 20: 20 ms");
	if (!r)
		lrg_config_free(&c);
	lrg_diag_free(&d);
	r = load_text("budget.conf", "[daemon]\ntick_budget_ms = 1s\n", &c, &d);
	ok(r == 0 && c.daemon.tick_budget_ms == 1000 && round_trip(&c, "budget-rt.conf"),
	   "tick_budget_ms = 1s: 1000 ms, printed and parsed again the same");
	if (!r)
		lrg_config_free(&c);
	lrg_diag_free(&d);
	r = load_text("budget.conf", "[daemon]\ntick_budget_ms = 60001\n", &c, &d);
	ok(r == -EINVAL && find_diag(&d, "budget.conf:2: [daemon] tick_budget_ms", "1..60000", NULL),
	   "tick_budget_ms above 60000: an error naming the range");
	lrg_diag_free(&d);
}

static void test_dup(void)
{
	struct lrg_config c, copy;
	struct lrg_diag d;

	if (lrg_config_load(fixture("main.conf"), fixture("dropins"), &c, &d)) {
		skip("fixture does not load");
		lrg_diag_free(&d);
		return;
	}
	lrg_diag_free(&d);
	ok(lrg_config_dup(&c, &copy) == 0 && config_equal(&c, &copy) &&
	   copy.slices != c.slices && copy.daemon.protect.pats != c.daemon.protect.pats,
	   "lrg_config_dup: equal values, own memory");
	lrg_config_free(&c);
	ok(slice(&copy, "apps")->min_ttl_ms == 900, "the copy outlives the original");
	lrg_config_free(&copy);
	ok(!strcmp(lrg_oom_policy_name(LRG_OOM_CGROUP), "cgroup") &&
	   !strcmp(lrg_oom_policy_name((enum lrg_oom_policy)7), "?"), "oom policy names");
}

int main(void)
{
	const char *top = getenv("top_srcdir");

	srcdir = top ? top : ".";
	snprintf(tmpdir, sizeof(tmpdir), "%s/test_config.XXXXXX",
		 getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 99;
	}
	/* config files writable by group or others are refused: the files
	 * written here and the copies of the fixtures are 0644, whatever the
	 * umask and the checkout's modes */
	umask(022);
	{
		char cmd[3 * sizeof(tmpdir) + 2 * 4096];

		snprintf(cmd, sizeof(cmd),
			 "cp -R '%s/tests/fixtures/config' '%s/fixtures' && cp '%s/conf/lrugend.conf' '%s/' && "
			 "chmod -R go-w '%s'", srcdir, tmpdir, srcdir, tmpdir, tmpdir);
		if (system(cmd)) {
			fprintf(stderr, "cannot copy the fixtures: %s\n", cmd);
			return 99;
		}
	}
	snprintf(fixtures, sizeof(fixtures), "%s/fixtures", tmpdir);
	test_defaults();
	test_profiles();
	test_dropins();
	test_errors();
	test_untouched();
	test_trust();
	test_warnings();
	test_syntax();
	test_match();
	test_spoofs();
	test_patterns();
	test_tick_budget();
	test_dup();
	{
		char cmd[sizeof(tmpdir) + 16];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd))
			diag("could not remove %s", tmpdir);
	}
	return tap_done();
}
