/*
 * body: the one JSON request body reader (RFC 8259 through jansson). A
 * handler describes the object it accepts with a field table; the reader
 * refuses what is not that object with field errors naming each member
 * (the codes of errcode.h), then hands each member to its setter.
 */
#ifndef ROADSHOWD_BODY_H
#define ROADSHOWD_BODY_H

#include <stddef.h>

#include <jansson.h>

/* JSON type a member must have. */
enum svc_field_type {
	SVC_FIELD_STRING,
	SVC_FIELD_INTEGER,
	SVC_FIELD_BOOLEAN,
	SVC_FIELD_ARRAY,
	SVC_FIELD_ANY,			/* checked by the setter */
};

#define SVC_FIELD_REQUIRED	0x1	/* absent (or null): "required" */
#define SVC_FIELD_NULLABLE	0x2	/* null is allowed and means absent */

/*
 * A setter: store value (borrowed from the body object, valid while the
 * object lives) into dst. Returns 0, or -EINVAL after appending an error
 * naming the member to errors.
 */
typedef int (*svc_field_setter)(void *dst, json_t *value, json_t *errors);

/* One member of the accepted object; a table ends with name NULL. */
struct svc_field {
	const char *name;		/* member name */
	enum svc_field_type type;
	unsigned int flags;		/* SVC_FIELD_* */
	size_t max_len;			/* a string's limit in octets; 0:
					 * none */
	svc_field_setter set;		/* NULL: the handler reads the
					 * member itself */
};

/*
 * Read body (len octets, borrowed, not NUL-terminated; NULL or empty
 * allowed) as one JSON object with no duplicate names and check it
 * against fields. Errors go to errors (a JSON array, borrowed) as
 * {field, code, detail}: an empty, malformed or non-object body gives one
 * "body" error with code bad_json and returns -EBADMSG (*out NULL). Else
 * *out is the object (new reference, the caller frees it with
 * json_decref()) and, per member: a name not in fields gives code
 * unknown_field ("is not a field of <noun>", noun borrowed); a required
 * member absent or null gives required; a value of another JSON type
 * bad_type; a string over max_len too_long (a \u0000 makes the body
 * malformed: jansson refuses it). Members that pass are given to their
 * setters, in table order. Returns 0 when no error was added, -EINVAL
 * when one was. fields NULL: only the object is read (0 or -EBADMSG);
 * its members are the caller's to check (the event field table of
 * event_json.c, with its read-only and echo rules).
 */
int svc_body_read(const char *body, size_t len, const char *noun,
		  const struct svc_field *fields, void *dst, json_t *errors,
		  json_t **out);


#endif
