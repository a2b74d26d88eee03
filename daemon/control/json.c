// SPDX-License-Identifier: GPL-2.0-only
/*
 * json.c - the tiny JSON writer and reader of json.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

/* ---- writer ---------------------------------------------------------- */

void lrg_json_init(struct lrg_json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
}

static void fail(struct lrg_json *j)
{
	if (!j->error)
		j->error = -EINVAL;
}

/* Before any value: the separator, and whether a value is allowed here. */
static bool pre_value(struct lrg_json *j)
{
	if (j->error)
		return false;
	if (j->depth == 0) {
		if (j->done) {
			fail(j);
			return false;
		}
		return true;
	}
	if (j->is_object[j->depth - 1]) {
		if (!j->after_key) {
			fail(j);
			return false;
		}
		j->after_key = false;
		return true;
	}
	if (j->has_items[j->depth - 1])
		fputc(',', j->f);
	j->has_items[j->depth - 1] = true;
	return true;
}

static void post_value(struct lrg_json *j)
{
	if (j->depth == 0)
		j->done = true;
}

static void begin(struct lrg_json *j, bool object)
{
	if (!pre_value(j))
		return;
	if (j->depth >= LRG_JSON_MAX_DEPTH) {
		fail(j);
		return;
	}
	fputc(object ? '{' : '[', j->f);
	j->is_object[j->depth] = object;
	j->has_items[j->depth] = false;
	j->depth++;
}

static void end(struct lrg_json *j, bool object)
{
	if (j->error)
		return;
	if (j->depth == 0 || j->is_object[j->depth - 1] != object || j->after_key) {
		fail(j);
		return;
	}
	j->depth--;
	fputc(object ? '}' : ']', j->f);
	post_value(j);
}

void lrg_json_begin_object(struct lrg_json *j)
{
	begin(j, true);
}

void lrg_json_end_object(struct lrg_json *j)
{
	end(j, true);
}

void lrg_json_begin_array(struct lrg_json *j)
{
	begin(j, false);
}

void lrg_json_end_array(struct lrg_json *j)
{
	end(j, false);
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if invalid. Rejects
 * overlong forms, surrogates and code points above U+10FFFF, as RFC 3629. */
static size_t utf8_len(const unsigned char *s, size_t left)
{
	unsigned char c = s[0];
	size_t n;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (left < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void lrg_json_escape(FILE *f, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		unsigned char c = p[i];
		size_t n;

		switch (c) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		default:
			if (c < 0x20 || c == 0x7f) {
				fprintf(f, "\\u%04x", c);
				break;
			}
			n = utf8_len(p + i, len - i);
			if (!n) {
				fputs("\\ufffd", f);
				break;
			}
			fwrite(p + i, 1, n, f);
			i += n;
			continue;
		}
		i++;
	}
}

void lrg_json_key(struct lrg_json *j, const char *key)
{
	if (j->error)
		return;
	if (j->depth == 0 || !j->is_object[j->depth - 1] || j->after_key || !key) {
		fail(j);
		return;
	}
	if (j->has_items[j->depth - 1])
		fputc(',', j->f);
	j->has_items[j->depth - 1] = true;
	fputc('"', j->f);
	lrg_json_escape(j->f, key, strlen(key));
	fputs("\":", j->f);
	j->after_key = true;
}

void lrg_json_stringn(struct lrg_json *j, const char *s, size_t len)
{
	if (!pre_value(j))
		return;
	fputc('"', j->f);
	lrg_json_escape(j->f, s, len);
	fputc('"', j->f);
	post_value(j);
}

void lrg_json_string(struct lrg_json *j, const char *s)
{
	if (!s) {
		lrg_json_null(j);
		return;
	}
	lrg_json_stringn(j, s, strlen(s));
}

void lrg_json_u64(struct lrg_json *j, uint64_t v)
{
	if (!pre_value(j))
		return;
	fprintf(j->f, "%" PRIu64, v);
	post_value(j);
}

void lrg_json_i64(struct lrg_json *j, int64_t v)
{
	if (!pre_value(j))
		return;
	fprintf(j->f, "%" PRId64, v);
	post_value(j);
}

void lrg_json_double(struct lrg_json *j, double v)
{
	char buf[64], *p;

	if (!isfinite(v)) {
		lrg_json_null(j);
		return;
	}
	if (!pre_value(j))
		return;
	/* 15 digits print 12.34 as "12.34", not 12.339999999999999 */
	snprintf(buf, sizeof(buf), "%.15g", v);
	/* A locale with a decimal comma would make this invalid JSON. */
	p = strchr(buf, ',');
	if (p)
		*p = '.';
	fputs(buf, j->f);
	post_value(j);
}

void lrg_json_bool(struct lrg_json *j, bool v)
{
	if (!pre_value(j))
		return;
	fputs(v ? "true" : "false", j->f);
	post_value(j);
}

void lrg_json_null(struct lrg_json *j)
{
	if (!pre_value(j))
		return;
	fputs("null", j->f);
	post_value(j);
}

void lrg_json_kv_str(struct lrg_json *j, const char *key, const char *s)
{
	lrg_json_key(j, key);
	lrg_json_string(j, s);
}

void lrg_json_kv_u64(struct lrg_json *j, const char *key, uint64_t v)
{
	lrg_json_key(j, key);
	lrg_json_u64(j, v);
}

void lrg_json_kv_i64(struct lrg_json *j, const char *key, int64_t v)
{
	lrg_json_key(j, key);
	lrg_json_i64(j, v);
}

void lrg_json_kv_double(struct lrg_json *j, const char *key, double v)
{
	lrg_json_key(j, key);
	lrg_json_double(j, v);
}

void lrg_json_kv_bool(struct lrg_json *j, const char *key, bool v)
{
	lrg_json_key(j, key);
	lrg_json_bool(j, v);
}

int lrg_json_finish(struct lrg_json *j)
{
	if (j->error)
		return j->error;
	if (!j->done || j->depth)
		return -EINVAL;
	if (fflush(j->f) || ferror(j->f))
		return -EIO;
	return 0;
}

/* ---- reader ---------------------------------------------------------- */

struct parser {
	const char *s;
	size_t len, pos;
	int depth;
};

static void skip_ws(struct parser *p)
{
	while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
				   p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
		p->pos++;
}

static bool lit(struct parser *p, const char *w)
{
	size_t n = strlen(w);

	if (p->len - p->pos < n || memcmp(p->s + p->pos, w, n))
		return false;
	p->pos += n;
	return true;
}

static int hex4(struct parser *p, uint32_t *ret)
{
	uint32_t v = 0;

	if (p->len - p->pos < 4)
		return -EINVAL;
	for (int i = 0; i < 4; i++) {
		char c = p->s[p->pos++];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else
			return -EINVAL;
	}
	*ret = v;
	return 0;
}

static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* At the opening quote. The decoded string is never longer than its
 * escaped form, so one allocation of the raw length suffices. */
static int parse_string(struct parser *p, char **ret, size_t *ret_len)
{
	size_t start = ++p->pos, end = start, n = 0;
	char *o;

	while (end < p->len && p->s[end] != '"') {
		if (p->s[end] == '\\')
			end++;
		end++;
	}
	if (end >= p->len)
		return -EINVAL;
	o = malloc(end - start + 1);
	if (!o)
		return -ENOMEM;
	while (p->pos < end) {
		unsigned char c = (unsigned char)p->s[p->pos++];
		uint32_t cp, lo;

		if (c < 0x20)
			goto bad;
		if (c != '\\') {
			o[n++] = (char)c;
			continue;
		}
		c = (unsigned char)p->s[p->pos++];
		switch (c) {
		case '"': case '\\': case '/':
			o[n++] = (char)c;
			break;
		case 'b': o[n++] = '\b'; break;
		case 'f': o[n++] = '\f'; break;
		case 'n': o[n++] = '\n'; break;
		case 'r': o[n++] = '\r'; break;
		case 't': o[n++] = '\t'; break;
		case 'u':
			if (hex4(p, &cp) < 0)
				goto bad;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (p->pos + 6 > end || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u')
					goto bad;
				p->pos += 2;
				if (hex4(p, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
					goto bad;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp <= 0xdfff) {
				goto bad;
			}
			n += put_utf8(o + n, cp);
			break;
		default:
			goto bad;
		}
	}
	if (p->pos != end)
		goto bad;
	p->pos = end + 1;
	o[n] = '\0';
	*ret = o;
	*ret_len = n;
	return 0;
bad:
	free(o);
	return -EINVAL;
}

static int parse_number(struct parser *p, struct lrg_jval *v)
{
	size_t start = p->pos;
	bool integer = true;
	char buf[64], *endp;

	if (p->pos < p->len && p->s[p->pos] == '-')
		p->pos++;
	if (p->pos >= p->len || p->s[p->pos] < '0' || p->s[p->pos] > '9')
		return -EINVAL;
	if (p->s[p->pos] == '0')
		p->pos++;
	else
		while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
			p->pos++;
	if (p->pos < p->len && p->s[p->pos] == '.') {
		integer = false;
		p->pos++;
		if (p->pos >= p->len || p->s[p->pos] < '0' || p->s[p->pos] > '9')
			return -EINVAL;
		while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
			p->pos++;
	}
	if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
		integer = false;
		p->pos++;
		if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
			p->pos++;
		if (p->pos >= p->len || p->s[p->pos] < '0' || p->s[p->pos] > '9')
			return -EINVAL;
		while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
			p->pos++;
	}
	if (p->pos - start >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, p->s + start, p->pos - start);
	buf[p->pos - start] = '\0';
	v->type = LRG_JNUMBER;
	v->num = strtod(buf, NULL);
	v->is_neg = buf[0] == '-';
	if (integer) {
		errno = 0;
		v->u = strtoull(buf + v->is_neg, &endp, 10);
		v->is_int = errno == 0;
	}
	return 0;
}

static int parse_value(struct parser *p, struct lrg_jval *v);

static int grow(struct lrg_jval *v, size_t *cap, bool keys)
{
	size_t ncap = *cap ? *cap * 2 : 4;
	struct lrg_jval *items;

	items = realloc(v->items, ncap * sizeof(*items));
	if (!items)
		return -ENOMEM;
	v->items = items;
	if (keys) {
		char **k = realloc(v->keys, ncap * sizeof(*k));

		if (!k)
			return -ENOMEM;
		v->keys = k;
	}
	*cap = ncap;
	return 0;
}

static int parse_container(struct parser *p, struct lrg_jval *v, bool object)
{
	char close = object ? '}' : ']';
	size_t cap = 0;
	int r;

	if (++p->depth > LRG_JSON_MAX_DEPTH)
		return -EINVAL;
	v->type = object ? LRG_JOBJECT : LRG_JARRAY;
	p->pos++;
	skip_ws(p);
	if (p->pos < p->len && p->s[p->pos] == close) {
		p->pos++;
		p->depth--;
		return 0;
	}
	for (;;) {
		char *key = NULL;
		size_t klen;

		if (v->n == cap && (r = grow(v, &cap, object)) < 0)
			return r;
		if (object) {
			skip_ws(p);
			if (p->pos >= p->len || p->s[p->pos] != '"')
				return -EINVAL;
			r = parse_string(p, &key, &klen);
			if (r < 0)
				return r;
			skip_ws(p);
			if (p->pos >= p->len || p->s[p->pos] != ':') {
				free(key);
				return -EINVAL;
			}
			p->pos++;
			v->keys[v->n] = key;
		}
		memset(&v->items[v->n], 0, sizeof(v->items[0]));
		/* counted before parsing so a failed child is still freed */
		v->n++;
		r = parse_value(p, &v->items[v->n - 1]);
		if (r < 0)
			return r;
		skip_ws(p);
		if (p->pos >= p->len)
			return -EINVAL;
		if (p->s[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->s[p->pos] != close)
			return -EINVAL;
		p->pos++;
		p->depth--;
		return 0;
	}
}

static int parse_value(struct parser *p, struct lrg_jval *v)
{
	skip_ws(p);
	if (p->pos >= p->len)
		return -EINVAL;
	switch (p->s[p->pos]) {
	case '{':
		return parse_container(p, v, true);
	case '[':
		return parse_container(p, v, false);
	case '"':
		v->type = LRG_JSTRING;
		return parse_string(p, &v->str, &v->len);
	case 't':
		v->type = LRG_JBOOL;
		v->b = true;
		return lit(p, "true") ? 0 : -EINVAL;
	case 'f':
		v->type = LRG_JBOOL;
		return lit(p, "false") ? 0 : -EINVAL;
	case 'n':
		v->type = LRG_JNULL;
		return lit(p, "null") ? 0 : -EINVAL;
	default:
		return parse_number(p, v);
	}
}

static void free_children(struct lrg_jval *v)
{
	for (size_t i = 0; i < v->n; i++) {
		free_children(&v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
}

void lrg_json_free(struct lrg_jval *v)
{
	if (!v)
		return;
	free_children(v);
	free(v);
}

int lrg_json_parse(const char *text, size_t len, struct lrg_jval **ret, size_t *ret_errpos)
{
	struct parser p = { .s = text, .len = len };
	struct lrg_jval *v;
	int r;

	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	r = parse_value(&p, v);
	if (r == 0) {
		skip_ws(&p);
		if (p.pos != p.len)
			r = -EINVAL;
	}
	if (r < 0) {
		if (ret_errpos)
			*ret_errpos = p.pos;
		lrg_json_free(v);
		return r;
	}
	*ret = v;
	return 0;
}

const struct lrg_jval *lrg_json_get(const struct lrg_jval *v, const char *key)
{
	if (!v || v->type != LRG_JOBJECT)
		return NULL;
	for (size_t i = 0; i < v->n; i++)
		if (!strcmp(v->keys[i], key))
			return &v->items[i];
	return NULL;
}

const char *lrg_json_get_str(const struct lrg_jval *v, const char *key, const char *def)
{
	const struct lrg_jval *x = lrg_json_get(v, key);

	return x && x->type == LRG_JSTRING ? x->str : def;
}

uint64_t lrg_json_as_u64(const struct lrg_jval *v)
{
	if (!v || v->type != LRG_JNUMBER || v->is_neg)
		return 0;
	if (v->is_int)
		return v->u;
	return v->num >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)v->num;
}

uint64_t lrg_json_get_u64(const struct lrg_jval *v, const char *key, uint64_t def)
{
	const struct lrg_jval *x = lrg_json_get(v, key);

	return x && x->type == LRG_JNUMBER ? lrg_json_as_u64(x) : def;
}

int64_t lrg_json_get_i64(const struct lrg_jval *v, const char *key, int64_t def)
{
	const struct lrg_jval *x = lrg_json_get(v, key);

	if (!x || x->type != LRG_JNUMBER)
		return def;
	if (x->is_int && x->u <= (uint64_t)INT64_MAX)
		return x->is_neg ? -(int64_t)x->u : (int64_t)x->u;
	return (int64_t)x->num;
}

double lrg_json_get_double(const struct lrg_jval *v, const char *key, double def)
{
	const struct lrg_jval *x = lrg_json_get(v, key);

	return x && x->type == LRG_JNUMBER ? x->num : def;
}

bool lrg_json_get_bool(const struct lrg_jval *v, const char *key, bool def)
{
	const struct lrg_jval *x = lrg_json_get(v, key);

	return x && x->type == LRG_JBOOL ? x->b : def;
}
