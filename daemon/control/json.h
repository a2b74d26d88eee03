/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * json.h - a tiny JSON writer (the daemon's control replies) and a tiny
 * JSON reader (lrugenctl parses those replies). No dependency: the control
 * socket only ever carries documents lrugend itself wrote, so a small
 * strict parser is enough and a library would be one more thing to audit.
 *
 * Writer: streams into a FILE (open_memstream in the daemon). Misuse (a
 * value where a key is due, unbalanced end_*, nesting deeper than
 * LRG_JSON_MAX_DEPTH) is remembered, not asserted: lrg_json_finish()
 * reports it, so a bug in a renderer becomes an error reply, not a crash.
 *
 *	struct lrg_json j;
 *	lrg_json_init(&j, f);
 *	lrg_json_begin_object(&j);
 *	lrg_json_kv_str(&j, "backend", "kmod");
 *	lrg_json_key(&j, "slices");
 *	lrg_json_begin_array(&j);
 *	...
 *	lrg_json_end_array(&j);
 *	lrg_json_end_object(&j);
 *	r = lrg_json_finish(&j);	// 0, -EINVAL (misuse) or -EIO (FILE error)
 *
 * Strings are escaped for JSON; bytes that are not valid UTF-8 (cgroup
 * paths and comms are arbitrary bytes) become U+FFFD so the output is
 * always valid JSON. Non-finite doubles become null.
 */
#ifndef LRG_JSON_H
#define LRG_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define LRG_JSON_MAX_DEPTH 32

struct lrg_json {
	FILE *f;
	int depth;
	int error;                          /* first misuse, negative errno */
	bool after_key;                     /* a key was written, its value is due */
	bool done;                          /* the top-level value is complete */
	bool is_object[LRG_JSON_MAX_DEPTH]; /* per open container */
	bool has_items[LRG_JSON_MAX_DEPTH];
};

void lrg_json_init(struct lrg_json *j, FILE *f);
void lrg_json_begin_object(struct lrg_json *j);
void lrg_json_end_object(struct lrg_json *j);
void lrg_json_begin_array(struct lrg_json *j);
void lrg_json_end_array(struct lrg_json *j);
void lrg_json_key(struct lrg_json *j, const char *key);
/* s NULL writes null. */
void lrg_json_string(struct lrg_json *j, const char *s);
void lrg_json_stringn(struct lrg_json *j, const char *s, size_t len);
void lrg_json_u64(struct lrg_json *j, uint64_t v);
void lrg_json_i64(struct lrg_json *j, int64_t v);
void lrg_json_double(struct lrg_json *j, double v);
void lrg_json_bool(struct lrg_json *j, bool v);
void lrg_json_null(struct lrg_json *j);

/* key + value in one call */
void lrg_json_kv_str(struct lrg_json *j, const char *key, const char *s);
void lrg_json_kv_u64(struct lrg_json *j, const char *key, uint64_t v);
void lrg_json_kv_i64(struct lrg_json *j, const char *key, int64_t v);
void lrg_json_kv_double(struct lrg_json *j, const char *key, double v);
void lrg_json_kv_bool(struct lrg_json *j, const char *key, bool v);

/* 0 if exactly one complete value was written; -EINVAL on misuse or an
 * incomplete document; -EIO if the FILE reported an error. */
int lrg_json_finish(struct lrg_json *j);

/* Write s escaped (without the quotes) to f; exposed for tests. */
void lrg_json_escape(FILE *f, const char *s, size_t len);

/* ---- reader ---------------------------------------------------------- */

enum lrg_jtype {
	LRG_JNULL = 0,
	LRG_JBOOL,
	LRG_JNUMBER,
	LRG_JSTRING,
	LRG_JARRAY,
	LRG_JOBJECT,
};

struct lrg_jval {
	enum lrg_jtype type;
	bool b;
	double num;
	/* numbers written as plain integers keep their exact value here */
	bool is_int;
	bool is_neg;
	uint64_t u;            /* magnitude when is_int */
	char *str;             /* LRG_JSTRING: NUL-terminated (may hold \u0000) */
	size_t len;
	/* LRG_JARRAY / LRG_JOBJECT: n children; keys[i] names items[i] */
	size_t n;
	struct lrg_jval *items;
	char **keys;
};

/*
 * Parse exactly one JSON value (surrounding whitespace allowed). Returns 0
 * and *ret (free with lrg_json_free), -EINVAL on a syntax error (with the
 * byte offset in *ret_errpos if not NULL), -ENOMEM. Nesting is limited to
 * LRG_JSON_MAX_DEPTH.
 */
int lrg_json_parse(const char *text, size_t len, struct lrg_jval **ret, size_t *ret_errpos);
void lrg_json_free(struct lrg_jval *v);

/* Lookups: NULL / the default when v is not an object or lacks the key
 * or the value has another type. */
const struct lrg_jval *lrg_json_get(const struct lrg_jval *v, const char *key);
const char *lrg_json_get_str(const struct lrg_jval *v, const char *key, const char *def);
uint64_t lrg_json_get_u64(const struct lrg_jval *v, const char *key, uint64_t def);
int64_t lrg_json_get_i64(const struct lrg_jval *v, const char *key, int64_t def);
double lrg_json_get_double(const struct lrg_jval *v, const char *key, double def);
bool lrg_json_get_bool(const struct lrg_jval *v, const char *key, bool def);
/* The value as u64 (0 for anything negative or not a number). */
uint64_t lrg_json_as_u64(const struct lrg_jval *v);

#endif /* LRG_JSON_H */
