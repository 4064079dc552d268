/*
 * errcode: stable machine codes for field errors, and the Chinese texts of
 * problems (issue 8 item 3). One table says which English detail means
 * which code, so every svc_problem_add() in every handler gets one without
 * each call naming it; a second gives each code its zh-CN text.
 */
#ifndef ROADSHOWD_ERRCODE_H
#define ROADSHOWD_ERRCODE_H

#include <jansson.h>

/*
 * The stable snake_case code of a field error from its field name and
 * English detail (both borrowed; either may be NULL): e.g. ("end", "must
 * be after start") gives "end_before_start". "invalid" when no rule
 * matches. The result is static.
 */
const char *svc_error_code(const char *field, const char *detail);

/* The zh-CN text of a code (static), or NULL for an unknown code. */
const char *svc_error_zh(const char *code);

/* The zh-CN label of a field ("start" → "开始时间"), or field itself. */
const char *svc_field_zh(const char *field);

/*
 * Rewrite a problem document (borrowed, modified in place) in zh-CN:
 * each errors[] element's detail becomes the Chinese text of its code,
 * the title that of its type (a slug such as "validation-error"), and
 * the top-level detail "<label>：<text>" of the first field error, or a
 * Chinese sentence for the type. English is kept where no Chinese text
 * exists.
 */
void svc_problem_to_zh(json_t *problem, const char *type);

#endif
