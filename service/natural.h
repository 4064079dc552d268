/*
 * natural: natural input accepted where it is unambiguous (issue 8 item 3)
 * — full-width punctuation typed with a Chinese input method.
 */
#ifndef ROADSHOWD_NATURAL_H
#define ROADSHOWD_NATURAL_H

#include <jansson.h>

/*
 * A copy of s (borrowed, UTF-8) with full-width punctuation replaced by
 * its ASCII form: ，、 → ','  ；→ ';'  ＝ → '='  ：→ ':' and the
 * ideographic space U+3000 → ' '. Caller frees with free(); NULL when out
 * of memory.
 */
char *svc_ascii_punct(const char *s);

/*
 * The items of a list typed as text ("a，b；c" or "a, b"): split at
 * commas, semicolons (ASCII or full-width, and 、) and white space, empty
 * items dropped. A new JSON array of strings, NULL when out of memory.
 */
json_t *svc_split_list(const char *s);

#endif
