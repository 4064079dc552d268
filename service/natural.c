/*
 * natural.c: full-width punctuation (natural.h).
 */
#include <stdlib.h>
#include <string.h>

#include "natural.h"

static const struct {
	const char *utf8;
	char ascii;
} punct[] = {
	{ "\xef\xbc\x8c", ',' },	/* U+FF0C FULLWIDTH COMMA */
	{ "\xe3\x80\x81", ',' },	/* U+3001 IDEOGRAPHIC COMMA */
	{ "\xef\xbc\x9b", ';' },	/* U+FF1B FULLWIDTH SEMICOLON */
	{ "\xef\xbc\x9d", '=' },	/* U+FF1D FULLWIDTH EQUALS SIGN */
	{ "\xef\xbc\x9a", ':' },	/* U+FF1A FULLWIDTH COLON */
	{ "\xe3\x80\x80", ' ' },	/* U+3000 IDEOGRAPHIC SPACE */
};

char *
svc_ascii_punct(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;
	size_t i;

	if (!out)
		return NULL;
	while (*s) {
		for (i = 0; i < sizeof(punct) / sizeof(punct[0]); i++)
			if (strncmp(s, punct[i].utf8, 3) == 0)
				break;
		if (i < sizeof(punct) / sizeof(punct[0])) {
			*o++ = punct[i].ascii;
			s += 3;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}

json_t *
svc_split_list(const char *s)
{
	char *t = svc_ascii_punct(s), *p, *save = NULL;
	json_t *list = t ? json_array() : NULL;

	if (!list) {
		free(t);
		return NULL;
	}
	for (p = strtok_r(t, ",; \t\r\n", &save); p;
	     p = strtok_r(NULL, ",; \t\r\n", &save))
		if (json_array_append_new(list, json_string(p)) != 0) {
			json_decref(list);
			list = NULL;
			break;
		}
	free(t);
	return list;
}
