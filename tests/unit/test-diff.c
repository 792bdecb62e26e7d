/* Unit tests: the manifest of `husk sandbox --diff` (spec/diff.h), read
 * back with yajl: its lists, its fields, and the names that are not UTF-8. */
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "spec/diff.h"
#include "tap.h"
#include "util/cleanup.h"
#include "util/xalloc.h"

static yajl_val at(yajl_val v, const char *a, const char *b)
{
	const char *path[] = { a, b, NULL };

	return yajl_tree_get(v, b != NULL ? path : (const char *[]){ a, NULL }, yajl_t_any);
}

static const char *str(yajl_val entry, const char *key)
{
	yajl_val s = at(entry, key, NULL);

	return YAJL_IS_STRING(s) ? YAJL_GET_STRING(s) : NULL;
}

static void entry(husk_diff_overlay_t *o, int change, const char *path, const char *type,
		  unsigned mode)
{
	husk_diff_entry_t e = {
		.change = change, .path = xstrdup(path), .type = type, .mode = mode, .size = 3
	};

	husk_diff_add(o, &e);
}

int main(void)
{
	husk_diff_overlay_t o = { .source = "/src", .destination = "/work", .tree = "overlay-0" };
	_cleanup_free_ char *json = NULL;
	char errbuf[256];
	yajl_val doc, ov, added, e;

	plan(16);
	entry(&o, HUSK_DIFF_ADDED, "new", "file", 0644);
	entry(&o, HUSK_DIFF_ADDED, "bad\xff\xc3(", "file", 04755);
	o.v[1].link = xstrdup("new");
	entry(&o, HUSK_DIFF_CHANGED, "lnk", "symlink", 0777);
	o.v[2].target = xstrdup("nl\nto \xe2\x82\xac");
	entry(&o, HUSK_DIFF_DELETED, "gone", "directory", 0);
	entry(&o, HUSK_DIFF_SKIPPED, "fifo", "fifo", 0600);
	o.v[4].reason = "not a file, directory or symlink: not copied";
	json = husk_diff_manifest_json(&o, 1);
	husk_diff_clear(&o);
	ok(json[strlen(json) - 1] == '\n', "the manifest ends with a newline");
	doc = yajl_tree_parse(json, errbuf, sizeof(errbuf));
	if (!ok(doc != NULL, "the manifest is JSON")) {
		diag("%s: %s", errbuf, json);
		return done();
	}
	ok(YAJL_GET_INTEGER(at(doc, "version", NULL)) == 1, "version 1");
	ov = YAJL_GET_ARRAY(at(doc, "overlays", NULL))->values[0];
	is_str(str(ov, "destination"), "/work", "the overlay's destination");
	is_str(str(ov, "tree"), "overlay-0", "and its tree");
	added = at(ov, "added", NULL);
	ok(YAJL_GET_ARRAY(added)->len == 2, "two added");
	e = YAJL_GET_ARRAY(added)->values[0];
	is_str(str(e, "mode"), "0644", "the mode in octal");
	ok(YAJL_GET_INTEGER(at(e, "size", NULL)) == 3, "a file's size");
	e = YAJL_GET_ARRAY(added)->values[1];
	is_str(str(e, "path"), "bad\xef\xbf\xbd\xef\xbf\xbd(",
	       "a name that is not UTF-8: U+FFFD per byte");
	is_str(str(e, "path_hex"), "626164ffc328", "and its bytes in hex");
	is_str(str(e, "mode"), "4755", "set-id bits are named");
	is_str(str(e, "link"), "new", "a hard link names the entry copied first");
	e = YAJL_GET_ARRAY(at(ov, "changed", NULL))->values[0];
	is_str(str(e, "target"), "nl\nto \xe2\x82\xac",
	       "a symlink's target, newline and UTF-8 kept");
	ok(str(e, "target_hex") == NULL, "no hex for valid UTF-8");
	e = YAJL_GET_ARRAY(at(ov, "deleted", NULL))->values[0];
	ok(str(e, "mode") == NULL && at(e, "size", NULL) == NULL, "a deletion has no mode or size");
	e = YAJL_GET_ARRAY(at(ov, "skipped", NULL))->values[0];
	is_str(str(e, "reason"), "not a file, directory or symlink: not copied",
	       "a skipped entry says why");
	yajl_tree_free(doc);
	return done();
}
