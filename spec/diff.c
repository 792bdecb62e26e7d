/* husk spec: the manifest of `husk sandbox --diff` (spec/diff.h). */
#include "spec/diff.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/json.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

void husk_diff_add(husk_diff_overlay_t *o, const husk_diff_entry_t *e)
{
	if (o->n == o->cap) {
		o->cap = o->cap ? 2 * o->cap : 64;
		o->v = xreallocarray(o->v, o->cap, sizeof(*o->v));
	}
	o->v[o->n++] = *e;
}

void husk_diff_clear(husk_diff_overlay_t *o)
{
	for (size_t i = 0; i < o->n; i++) {
		free(o->v[i].path);
		free(o->v[i].target);
		free(o->v[i].link);
	}
	free(o->v);
	o->v = NULL;
	o->n = o->cap = 0;
}

/* The length of the valid UTF-8 sequence at S (N bytes left), or 0: no
 * overlong form, no surrogate, nothing past U+10FFFF. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned cp;

	if (s[0] < 0x80) {
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2, cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3, cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4, cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n) {
		return 0;
	}
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			return 0;
		}
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff))) {
		return 0;
	}
	return len;
}

/* KEY: S as a JSON string; when S is not UTF-8, each bad byte as U+FFFD and
 * KEY_hex: S's bytes, so that a script can still name the file. */
static void gen_bytes(yajl_gen g, const char *key, const char *s)
{
	size_t n = strlen(s), at = 0, out = 0;
	_cleanup_free_ char *text = xmalloc(3 * n + 1);
	bool bad = false;

	while (at < n) {
		size_t len = utf8_seq((const unsigned char *) s + at, n - at);

		if (len == 0) {
			memcpy(text + out, "\xef\xbf\xbd", 3);
			out += 3;
			at++;
			bad = true;
			continue;
		}
		memcpy(text + out, s + at, len);
		out += len;
		at += len;
	}
	husk_gen_str(g, key);
	yajl_gen_string(g, (const unsigned char *) text, out);
	if (bad) {
		_cleanup_free_ char *hex = xmalloc(2 * n + 1);
		_cleanup_free_ char *hex_key = xasprintf("%s_hex", key);

		for (size_t i = 0; i < n; i++) {
			snprintf(hex + 2 * i, 3, "%02x", (unsigned char) s[i]);
		}
		husk_gen_kv_str(g, hex_key, hex);
	}
}

static void gen_entry(yajl_gen g, const husk_diff_entry_t *e)
{
	char mode[8];

	yajl_gen_map_open(g);
	gen_bytes(g, "path", e->path);
	husk_gen_kv_str(g, "type", e->type);
	if (e->change != HUSK_DIFF_DELETED) {
		snprintf(mode, sizeof(mode), "%04o", (unsigned) e->mode & 07777);
		husk_gen_kv_str(g, "mode", mode);
	}
	if (e->change != HUSK_DIFF_DELETED && strcmp(e->type, "file") == 0) {
		husk_gen_kv_int(g, "size", (long long) e->size);
	}
	if (e->target != NULL) {
		gen_bytes(g, "target", e->target);
	}
	if (e->link != NULL) {
		gen_bytes(g, "link", e->link);
	}
	if (e->reason != NULL) {
		husk_gen_kv_str(g, "reason", e->reason);
	}
	yajl_gen_map_close(g);
}

static void gen_overlay(yajl_gen g, const husk_diff_overlay_t *o)
{
	static const char *const lists[HUSK_DIFF_COUNT] = {
		[HUSK_DIFF_ADDED] = "added",
		[HUSK_DIFF_CHANGED] = "changed",
		[HUSK_DIFF_DELETED] = "deleted",
		[HUSK_DIFF_SKIPPED] = "skipped",
	};

	yajl_gen_map_open(g);
	husk_gen_kv_str(g, "source", o->source);
	husk_gen_kv_str(g, "destination", o->destination);
	husk_gen_kv_str(g, "tree", o->tree);
	for (int c = 0; c < HUSK_DIFF_COUNT; c++) {
		husk_gen_str(g, lists[c]);
		yajl_gen_array_open(g);
		for (size_t i = 0; i < o->n; i++) {
			if (o->v[i].change == c) {
				gen_entry(g, &o->v[i]);
			}
		}
		yajl_gen_array_close(g);
	}
	yajl_gen_map_close(g);
}

char *husk_diff_manifest_json(const husk_diff_overlay_t *v, size_t n)
{
	yajl_gen g = yajl_gen_alloc(NULL);
	char *out;

	yajl_gen_config(g, yajl_gen_beautify, 1);
	yajl_gen_config(g, yajl_gen_indent_string, "  ");
	yajl_gen_map_open(g);
	husk_gen_kv_int(g, "version", 1);
	husk_gen_str(g, "overlays");
	yajl_gen_array_open(g);
	for (size_t i = 0; i < n; i++) {
		gen_overlay(g, &v[i]);
	}
	yajl_gen_array_close(g);
	yajl_gen_map_close(g);
	out = husk_gen_take(g, NULL);
	yajl_gen_free(g);
	return out;
}
