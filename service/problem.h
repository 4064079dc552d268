/*
 * problem: the one table of problem types (RFC 9457). Each enum member
 * names one type: its HTTP status, its type URI slug (appended to
 * SVC_PROBLEM_BASE), its English title and its zh-CN title and detail.
 * The errno -> problem mapping lives here too. No libmicrohttpd type: the
 * answer itself is queued by svc_problem() (svc.h).
 */
#ifndef ROADSHOWD_PROBLEM_H
#define ROADSHOWD_PROBLEM_H

#define SVC_PROBLEM_BASE "https://roadshowd.dev/problems/"

enum svc_problem_id {
	SVC_PROB_VALIDATION,		/* 400 validation-error */
	SVC_PROB_INVALID_REQUEST,	/* 400 invalid-request */
	SVC_PROB_INVALID_JSON,		/* 400 invalid-json */
	SVC_PROB_INVALID_QUERY,		/* 400 invalid-query */
	SVC_PROB_INVALID_ICALENDAR,	/* 400 invalid-icalendar */
	SVC_PROB_ICALENDAR_TIMEOUT,	/* 422 invalid-icalendar: the file
					 * took too long to read (the same
					 * type, another status) */
	SVC_PROB_BAD_PATH,		/* 400 bad-path */
	SVC_PROB_BAD_HEADER,		/* 400 bad-header */
	SVC_PROB_AMBIGUOUS_FRAMING,	/* 400 ambiguous-framing */
	SVC_PROB_UNAUTHORIZED,		/* 401 unauthorized */
	SVC_PROB_FORBIDDEN,		/* 403 forbidden */
	SVC_PROB_ADMIN_ONLY,		/* 403 admin-only */
	SVC_PROB_WRONG_CARRIER,		/* 403 wrong-carrier */
	SVC_PROB_CSRF,			/* 403 csrf */
	SVC_PROB_NOT_FOUND,		/* 404 not-found */
	SVC_PROB_METHOD_NOT_ALLOWED,	/* 405 method-not-allowed */
	SVC_PROB_CONFLICT,		/* 409 conflict */
	SVC_PROB_ALREADY_REVOKED,	/* 409 already-revoked */
	SVC_PROB_CARRIER_RETIRED,	/* 409 carrier-retired */
	SVC_PROB_PRECONDITION_FAILED,	/* 412 precondition-failed */
	SVC_PROB_TOO_LARGE,		/* 413 too-large */
	SVC_PROB_URI_TOO_LONG,		/* 414 uri-too-long */
	SVC_PROB_UNSUPPORTED_MEDIA_TYPE, /* 415 unsupported-media-type */
	SVC_PROB_TOO_MANY_REQUESTS,	/* 429 too-many-requests */
	SVC_PROB_INTERNAL,		/* 500 internal */
	SVC_PROB_NOT_IMPLEMENTED,	/* 501 not-implemented */
	SVC_PROB_UNHEALTHY,		/* 503 unhealthy */
	SVC_PROB_DATABASE_LOCKED,	/* 503 database-locked */
	SVC_PROB_DATABASE_READ_ONLY,	/* 503 database-read-only */
	SVC_PROB_INSUFFICIENT_STORAGE,	/* 507 insufficient-storage */
	SVC_PROB_BAD_FRAMING,		/* 400 bad-framing (strict_http.c) */
	SVC_PROB_BAD_REQUEST_LINE,	/* 400 bad-request-line */
	SVC_PROB_HEADER_TOO_LARGE,	/* 431 header-too-large */
	SVC_PROB_HTTP_VERSION,		/* 505 http-version-not-supported */
	SVC_PROB_COUNT
};

/* One row of the table; every string is static. */
struct svc_problem_type {
	unsigned int status;		/* HTTP status code */
	const char *type;		/* slug after SVC_PROBLEM_BASE */
	const char *title;		/* English title */
	const char *title_zh;		/* zh-CN title */
	const char *detail_zh;		/* zh-CN detail, or NULL: keep the
					 * English detail */
};

/*
 * The row of id (static, never NULL): an id out of range gives the row
 * of SVC_PROB_INTERNAL.
 */
const struct svc_problem_type *svc_problem_type(enum svc_problem_id id);

/*
 * The row whose slug is type (borrowed; e.g. "not-found"), or NULL when
 * no row has it. A slug names one row, but for invalid-icalendar, whose
 * 422 row (SVC_PROB_ICALENDAR_TIMEOUT) shares the 400 row's titles: the
 * 400 row is found. For call sites that still name a type by its string
 * (svc_respond_problem()) and for the zh-CN rewrite (errcode.c).
 */
const struct svc_problem_type *svc_problem_by_slug(const char *type);

/*
 * The problem for a negative errno from db_/cal_/svc_ functions: -ENOENT
 * not-found (404), -EEXIST conflict (409), -ESTALE precondition-failed
 * (412), -EINVAL invalid-request (400), -EACCES unauthorized (401),
 * -EPERM forbidden (403), -ENOSPC insufficient-storage (507), -EBUSY
 * database-locked (503), -EROFS database-read-only (503); anything else
 * (-EIO, -ENOMEM, ...) internal (500). The one errno -> status table.
 */
enum svc_problem_id svc_problem_of_errno(int err);

#endif
