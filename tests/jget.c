/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * jget.c - `jq -r FILTER` on the last line of a file, for the simple
 * filters the test scripts use most (tests/lib.sh: json_get): a path of
 * .name, ["name"], [N] and [-N] steps whose value is a string, an integer,
 * true, false or null, printed as jq -r prints it.  jq takes 30-40 ms of
 * CPU to start; the suite asks for a field thousands of times a pass.
 *
 *   jget FILTER FILE
 *
 * Exit status 0 with the value printed; 3 with nothing printed for
 * anything else (another filter, another kind of value, an index jq would
 * refuse, no JSON on the last line), and json_get asks jq itself.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#define ASK_JQ 3

/* last_line: the last line of the text in BUF (as tail -n 1 gives it) */
static const char *last_line(const char *buf, size_t len, size_t *out_len)
{
	size_t end = len;

	if (end > 0 && buf[end - 1] == '\n')
		end--;
	size_t start = end;

	while (start > 0 && buf[start - 1] != '\n')
		start--;
	*out_len = end - start;
	return buf + start;
}

static int is_ident(char c, int first)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (!first && c >= '0' && c <= '9');
}

/* step: apply one path step at *P to V; NULL (with *ok 0) when jq must
 * decide, json_null() when the value is null */
static json_t *step(json_t *v, const char **p, int *ok)
{
	const char *s = *p;
	char key[256];
	size_t n = 0;

	*ok = 0;
	if (s[0] == '.' && s[1] == '[')
		s++;	/* .["name"], .[N] */
	if (*s == '.' && is_ident(s[1], 1)) {
		s++;
		while (is_ident(*s, 0) && n < sizeof(key) - 1)
			key[n++] = *s++;
		if (is_ident(*s, 0))
			return NULL;
	} else if (s[0] == '[' && s[1] == '"') {
		s += 2;
		while (*s && *s != '"' && *s != '\\' && n < sizeof(key) - 1)
			key[n++] = *s++;
		if (s[0] != '"' || s[1] != ']')
			return NULL;
		s += 2;
	} else if (*s == '[') {
		char *end;
		long long i;

		errno = 0;
		i = strtoll(s + 1, &end, 10);
		if (end == s + 1 || *end != ']' || errno)
			return NULL;
		*p = end + 1;
		if (json_is_null(v)) {
			*ok = 1;
			return v;
		}
		if (!json_is_array(v))
			return NULL;
		if (i < 0)
			i += (long long)json_array_size(v);
		*ok = 1;
		if (i < 0 || (size_t)i >= json_array_size(v))
			return json_null();
		return json_array_get(v, (size_t)i);
	} else {
		return NULL;
	}
	key[n] = '\0';
	*p = s;
	if (json_is_null(v)) {
		*ok = 1;
		return v;
	}
	if (!json_is_object(v))
		return NULL;
	json_t *r = json_object_get(v, key);

	*ok = 1;
	return r ? r : json_null();
}

int main(int argc, char **argv)
{
	FILE *f;
	char *buf = NULL;
	size_t cap = 0, len = 0, n;

	if (argc != 3 || argv[1][0] != '.')
		return ASK_JQ;
	f = fopen(argv[2], "rb");
	if (!f)
		return ASK_JQ;
	for (;;) {
		if (len == cap) {
			char *nb = realloc(buf, cap ? cap * 2 : 65536);

			if (!nb) {
				fclose(f);
				free(buf);
				return ASK_JQ;
			}
			buf = nb;
			cap = cap ? cap * 2 : 65536;
		}
		n = fread(buf + len, 1, cap - len, f);
		if (n == 0)
			break;
		len += n;
	}
	fclose(f);

	size_t ll;
	const char *line = last_line(buf, len, &ll);
	json_error_t jerr;
	json_t *root = json_loadb(line, ll, JSON_DECODE_ANY, &jerr);
	int rc = ASK_JQ;

	if (!root)
		goto out;
	json_t *v = root;
	const char *p = argv[1];

	if (strcmp(p, ".") != 0) {
		while (*p) {
			int ok;

			v = step(v, &p, &ok);
			if (!ok)
				goto out;
		}
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		size_t sl = json_string_length(v);

		if (memchr(s, '\0', sl))
			goto out;
		fwrite(s, 1, sl, stdout);
		putchar('\n');
		rc = 0;
	} else if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);

		/* jq holds numbers as doubles: exact up to 2^53 */
		if (i > (json_int_t)1 << 53 || i < -((json_int_t)1 << 53))
			goto out;
		printf("%" JSON_INTEGER_FORMAT "\n", i);
		rc = 0;
	} else if (json_is_true(v) || json_is_false(v) || json_is_null(v)) {
		puts(json_is_true(v) ? "true" : json_is_false(v) ? "false" : "null");
		rc = 0;
	}
out:
	if (rc == 0 && (fflush(stdout) != 0 || ferror(stdout)))
		rc = 1;
	json_decref(root);
	free(buf);
	return rc;
}
