// SPDX-License-Identifier: GPL-2.0-only
/* test_json.c - the tiny JSON writer and reader of daemon/json.h. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "tap.h"

static char *buf;
static size_t buflen;
static FILE *mf;
static struct lrg_json j;

static void start(void)
{
	free(buf);
	buf = NULL;
	mf = open_memstream(&buf, &buflen);
	lrg_json_init(&j, mf);
}

/* Finish the document; returns lrg_json_finish's result, text in buf. */
static int stop(void)
{
	int r = lrg_json_finish(&j);

	fclose(mf);
	return r;
}

static void test_escape(void)
{
	int r;

	start();
	lrg_json_string(&j, "a\"b\\c\n\t\x01\x7f/é");
	ok(stop() == 0, "string document finishes");
	ok(!strcmp(buf, "\"a\\\"b\\\\c\\n\\t\\u0001\\u007f/é\""),
	   "quotes, backslash, control chars escaped, UTF-8 kept: %s", buf);

	/* invalid UTF-8: lone continuation, truncated sequence, overlong,
	 * surrogate; each becomes U+FFFD so the document stays valid */
	start();
	lrg_json_string(&j, "x\x80y\xc3" "z\xc0\xafw\xed\xa0\x80v");
	ok(stop() == 0, "invalid UTF-8 string finishes");
	ok(!strcmp(buf, "\"x\\ufffdy\\ufffdz\\ufffd\\ufffdw\\ufffd\\ufffd\\ufffdv\""),
	   "invalid UTF-8 bytes become \\ufffd: %s", buf);

	start();
	lrg_json_stringn(&j, "a\0b", 3);
	r = stop();
	ok(r == 0 && !strcmp(buf, "\"a\\u0000b\""), "embedded NUL escaped: %s", buf);

	start();
	lrg_json_string(&j, NULL);
	r = stop();
	ok(r == 0 && !strcmp(buf, "null"), "NULL string is null");
}

static void test_nesting(void)
{
	start();
	lrg_json_begin_object(&j);
	lrg_json_kv_str(&j, "a", "x");
	lrg_json_key(&j, "b");
	lrg_json_begin_array(&j);
	lrg_json_u64(&j, 1);
	lrg_json_begin_object(&j);
	lrg_json_end_object(&j);
	lrg_json_begin_array(&j);
	lrg_json_end_array(&j);
	lrg_json_null(&j);
	lrg_json_end_array(&j);
	lrg_json_kv_bool(&j, "c", true);
	lrg_json_kv_bool(&j, "d", false);
	lrg_json_end_object(&j);
	ok(stop() == 0, "nested document finishes");
	ok(!strcmp(buf, "{\"a\":\"x\",\"b\":[1,{},[],null],\"c\":true,\"d\":false}"),
	   "commas and nesting right: %s", buf);

	start();
	lrg_json_begin_object(&j);
	lrg_json_u64(&j, 1);
	lrg_json_end_object(&j);
	ok(stop() == -EINVAL, "value without key in object is an error");

	start();
	lrg_json_begin_array(&j);
	lrg_json_end_object(&j);
	ok(stop() == -EINVAL, "mismatched end is an error");

	start();
	lrg_json_begin_array(&j);
	ok(stop() == -EINVAL, "unclosed array is an error");

	start();
	lrg_json_u64(&j, 1);
	lrg_json_u64(&j, 2);
	ok(stop() == -EINVAL, "two top-level values are an error");

	start();
	lrg_json_begin_array(&j);
	lrg_json_key(&j, "k");
	ok(stop() == -EINVAL, "key inside an array is an error");

	start();
	for (int i = 0; i < LRG_JSON_MAX_DEPTH + 1; i++)
		lrg_json_begin_array(&j);
	ok(stop() == -EINVAL, "nesting beyond LRG_JSON_MAX_DEPTH is an error");

	start();
	ok(stop() == -EINVAL, "empty document is an error");
}

static void test_numbers(void)
{
	start();
	lrg_json_begin_array(&j);
	lrg_json_u64(&j, UINT64_MAX);
	lrg_json_i64(&j, INT64_MIN);
	lrg_json_i64(&j, -5);
	lrg_json_double(&j, 12.34);
	lrg_json_double(&j, 0.5);
	lrg_json_double(&j, NAN);
	lrg_json_double(&j, INFINITY);
	lrg_json_double(&j, 1e300);
	lrg_json_end_array(&j);
	ok(stop() == 0, "number document finishes");
	ok(!strcmp(buf, "[18446744073709551615,-9223372036854775808,-5,12.34,0.5,null,null,1e+300]"),
	   "u64, i64, doubles, non-finite as null: %s", buf);
}

static void test_parse(void)
{
	const char *doc = " {\"s\":\"a\\\"\\u00e9\\ud83d\\ude00\\n\",\"n\":[1,-2,3.5,1e3,18446744073709551615],"
			  "\"t\":true,\"f\":false,\"z\":null,\"o\":{}} ";
	struct lrg_jval *v = NULL;
	const struct lrg_jval *n;
	size_t pos = 0;
	int r;

	r = lrg_json_parse(doc, strlen(doc), &v, &pos);
	ok(r == 0, "parse a document (r=%d at %zu)", r, pos);
	if (r < 0)
		return;
	ok(!strcmp(lrg_json_get_str(v, "s", ""), "a\"é\xf0\x9f\x98\x80\n"),
	   "string escapes and surrogate pair decoded");
	n = lrg_json_get(v, "n");
	ok(n && n->type == LRG_JARRAY && n->n == 5, "array of 5");
	if (n && n->n == 5) {
		ok(n->items[0].is_int && lrg_json_as_u64(&n->items[0]) == 1, "1");
		ok(n->items[1].is_neg && n->items[1].num == -2, "-2");
		ok(!n->items[2].is_int && n->items[2].num == 3.5, "3.5");
		ok(n->items[3].num == 1000, "1e3");
		ok(lrg_json_as_u64(&n->items[4]) == UINT64_MAX, "u64 max exact");
	}
	ok(lrg_json_get_bool(v, "t", false) && !lrg_json_get_bool(v, "f", true), "booleans");
	ok(lrg_json_get(v, "z")->type == LRG_JNULL, "null");
	ok(lrg_json_get_u64(v, "missing", 7) == 7, "default for a missing key");
	ok(lrg_json_get_u64(v, "s", 9) == 9, "default for a key of another type");
	lrg_json_free(v);

	static const char *const bad[] = {
		"", "{", "[1,]", "{\"a\"}", "{\"a\":1,}", "01", "1.", "-", "tru", "\"abc",
		"\"\\x\"", "\"\\ud800\"", "[1] 2", "\"a\nb\"", "{1:2}", "nul",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = NULL;
		r = lrg_json_parse(bad[i], strlen(bad[i]), &v, NULL);
		ok(r == -EINVAL && !v, "rejects bad document #%zu", i);
	}

	/* too deep */
	char deep[LRG_JSON_MAX_DEPTH * 2 + 4];
	size_t k = 0;
	for (int i = 0; i < LRG_JSON_MAX_DEPTH + 1; i++)
		deep[k++] = '[';
	for (int i = 0; i < LRG_JSON_MAX_DEPTH + 1; i++)
		deep[k++] = ']';
	r = lrg_json_parse(deep, k, &v, NULL);
	ok(r == -EINVAL, "nesting beyond the limit rejected");

	/* round trip: what the writer writes, the reader reads */
	start();
	lrg_json_begin_object(&j);
	lrg_json_kv_str(&j, "path", "/a\"b\x01\xff");
	lrg_json_kv_u64(&j, "big", UINT64_MAX - 1);
	lrg_json_kv_double(&j, "psi", 1.25);
	lrg_json_end_object(&j);
	ok(stop() == 0, "round-trip document written");
	v = NULL;
	r = lrg_json_parse(buf, buflen, &v, NULL);
	ok(r == 0, "round-trip document parses");
	if (r == 0) {
		ok(!strcmp(lrg_json_get_str(v, "path", ""), "/a\"b\x01\xef\xbf\xbd"),
		   "string survives (invalid byte as U+FFFD)");
		ok(lrg_json_get_u64(v, "big", 0) == UINT64_MAX - 1, "u64 survives");
		ok(lrg_json_get_double(v, "psi", 0) == 1.25, "double survives");
		lrg_json_free(v);
	}
}

int main(void)
{
	test_escape();
	test_nesting();
	test_numbers();
	test_parse();
	free(buf);
	return tap_done();
}
