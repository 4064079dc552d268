/*
 * respond.c: every response leaves through here (STYLE.md §6).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "errcode.h"
#include "hex.h"
#include "http_cond.h"
#include "problem.h"
#include "session.h"
#include "svc.h"

static const char oom_body[] =
	"{\"type\":\"" SVC_PROBLEM_BASE "internal\","
	"\"title\":\"Out of memory\",\"status\":500}";

static void
count_status(struct svc_request *req, unsigned int status)
{
	/* atomic counters: lock-free routes answer too */
	if (status >= 500)
		req->svc->responses_5xx++;
	else if (status >= 400)
		req->svc->responses_4xx++;
}

static enum MHD_Result
respond_oom(struct svc_request *req)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(strlen(oom_body),
					       (void *)oom_body,
					       MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				"application/problem+json");
	count_status(req, 500);
	req->status = 500;
	ret = MHD_queue_response(req->conn, 500, resp);
	MHD_destroy_response(resp);
	return ret;
}

void
svc_security_headers(struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "Content-Security-Policy",
				SVC_CSP);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
}

/* 1 for the media types of pages and of the files they load. */
static int
is_page_type(const char *ctype)
{
	static const char *const types[] = {
		"text/html", "text/css", "text/javascript",
		"application/javascript", "image/svg+xml",
	};
	size_t i;

	for (i = 0; ctype && i < sizeof(types) / sizeof(types[0]); i++)
		if (strncmp(ctype, types[i], strlen(types[i])) == 0)
			return 1;
	return 0;
}

static enum MHD_Result
queue(struct svc_request *req, unsigned int status, const char *ctype,
      char *text, size_t len, const char *etag, int64_t last_modified)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(len, text,
					       MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(text);
		return respond_oom(req);
	}
	if (ctype)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
					ctype);
	/* Every HTML answer, whichever handler made it, and every file a
	 * page loads (scripts, styles, SVG) gets the pages' security
	 * headers. */
	if (req->html || is_page_type(ctype))
		svc_security_headers(resp);
	if (etag)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
	if (status == 405 && req->allow)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW,
					req->allow);
	if (req->close)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION,
					"close");
	if (status == 401)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
					"Bearer realm=\"roadshowd\"");
	{
		size_t i;

		for (i = 0; i < req->n_headers; i++)
			MHD_add_response_header(resp, req->header_names[i],
						req->header_values[i]);
	}
	/* RFC 9110 §10.2.3: when to try again (507: room must be made;
	 * 503: a lock or a read-only file; 429: the address's budget),
	 * unless the handler named its own time (the log-in limit does). */
	if ((status == 507 || status == 503 || status == 429) &&
	    !MHD_get_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER))
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER,
					status == 507 ? "60" :
					status == 429 ? "60" : "5");
	if (last_modified > 0) {
		char date[64];
		struct tm tm;
		time_t t = (time_t)last_modified;

		gmtime_r(&t, &tm);
		strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LAST_MODIFIED,
					date);
	}
	count_status(req, status);
	req->status = status;
	ret = MHD_queue_response(req->conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

enum MHD_Result
svc_respond_json_etag(struct svc_request *req, unsigned int status,
		      json_t *body, const char *etag)
{
	char *text = body ? json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(12))
			  : NULL;

	json_decref(body);
	if (!text)
		return respond_oom(req);
	return queue(req, status, "application/json; charset=utf-8", text,
		     strlen(text), etag, 0);
}

enum MHD_Result
svc_respond_json(struct svc_request *req, unsigned int status, json_t *body)
{
	return svc_respond_json_etag(req, status, body, NULL);
}

/* Build and queue the problem document (errors stolen). */
static enum MHD_Result
answer_problem(struct svc_request *req, unsigned int status, const char *type,
	       const char *title, const char *detail, json_t *errors)
{
	char type_uri[128];
	json_t *body;
	char *text;

	snprintf(type_uri, sizeof(type_uri), SVC_PROBLEM_BASE "%s", type);
	body = json_pack("{s:s, s:s, s:i}", "type", type_uri, "title",
			 title, "status", (int)status);
	if (body && req->path) {
		/* json_string() is NULL for a path that is not UTF-8 */
		json_t *inst = json_string(req->path);

		if (inst)
			json_object_set_new(body, "instance", inst);
	}
	if (!body) {
		json_decref(errors);
		return respond_oom(req);
	}
	if (detail) {
		json_t *d = json_string(detail);

		json_object_set_new(body, "detail", d ? d : json_string(
				    "(the detail named text that is not UTF-8)"));
	}
	if (errors) {
		json_t *e;
		size_t i;

		json_array_foreach(errors, i, e)
			if (json_is_object(e) && !json_object_get(e, "code"))
				json_object_set_new(e, "code", json_string(
				    svc_error_code(json_string_value(
				    json_object_get(e, "field")),
				    json_string_value(json_object_get(e,
				    "detail")))));
		json_object_set_new(body, "errors", errors);
	}
	if (svc_lang_zh(svc_header(req, MHD_HTTP_HEADER_ACCEPT_LANGUAGE))) {
		svc_problem_to_zh(body, type);
		svc_request_add_header(req, MHD_HTTP_HEADER_CONTENT_LANGUAGE,
				       "zh-CN");
	}
	svc_request_add_header(req, MHD_HTTP_HEADER_VARY, "Accept-Language");
	text = json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(12));
	json_decref(body);
	if (!text)
		return respond_oom(req);
	return queue(req, status, "application/problem+json; charset=utf-8",
		     text, strlen(text), NULL, 0);
}

enum MHD_Result
svc_respond_problem(struct svc_request *req, unsigned int status,
		    const char *type, const char *title, const char *detail,
		    json_t *errors)
{
	return answer_problem(req, status, type, title, detail, errors);
}

enum MHD_Result
svc_problem_titled(struct svc_request *req, enum svc_problem_id id,
		   const char *title, const char *detail, json_t *errors)
{
	const struct svc_problem_type *t = svc_problem_type(id);

	return answer_problem(req, t->status, t->type, title ? title :
			      t->title, detail, errors);
}

enum MHD_Result
svc_problem(struct svc_request *req, enum svc_problem_id id,
	    const char *detail, json_t *errors)
{
	return svc_problem_titled(req, id, NULL, detail, errors);
}

enum MHD_Result
svc_problem_fields(struct svc_request *req, enum svc_problem_id id,
		   const char *title, json_t *errors)
{
	json_t *first = json_array_get(errors, 0);
	char detail[320];

	snprintf(detail, sizeof(detail), "%s: %s",
		 json_string_value(json_object_get(first, "field")),
		 json_string_value(json_object_get(first, "detail")));
	return svc_problem_titled(req, id, title, detail, errors);
}

enum MHD_Result
svc_respond_invalid(struct svc_request *req, const char *type,
		    const char *title, json_t *errors)
{
	json_t *first = json_array_get(errors, 0);
	char detail[320];

	snprintf(detail, sizeof(detail), "%s: %s",
		 json_string_value(json_object_get(first, "field")),
		 json_string_value(json_object_get(first, "detail")));
	return answer_problem(req, 400, type, title, detail, errors);
}

enum MHD_Result
svc_respond_errno(struct svc_request *req, int err, const char *what)
{
	enum svc_problem_id id;
	char detail[160];

	if (err == -EIO) {
		int c = db_storage_condition();	/* what the -EIO was */

		err = c ? c : err;
	}
	if (err == -ENOMEM)
		return respond_oom(req);
	id = svc_problem_of_errno(err);
	switch (id) {
	case SVC_PROB_INSUFFICIENT_STORAGE:
		snprintf(detail, sizeof(detail), "the disk holding the database"
			 " is full; nothing was changed; reads still work");
		break;
	case SVC_PROB_DATABASE_LOCKED:
		snprintf(detail, sizeof(detail), "the database is locked by"
			 " another process; nothing was changed");
		break;
	case SVC_PROB_DATABASE_READ_ONLY:
		snprintf(detail, sizeof(detail), "the database is read-only;"
			 " nothing was changed");
		break;
	case SVC_PROB_NOT_FOUND:
		snprintf(detail, sizeof(detail), "%s was not found", what);
		break;
	case SVC_PROB_CONFLICT:
		snprintf(detail, sizeof(detail), "%s already exists", what);
		break;
	case SVC_PROB_PRECONDITION_FAILED:
		snprintf(detail, sizeof(detail), "%s has changed since the"
			 " revision named in If-Match; fetch it again", what);
		break;
	case SVC_PROB_INVALID_REQUEST:
		snprintf(detail, sizeof(detail), "%s is not valid", what);
		break;
	case SVC_PROB_UNAUTHORIZED:
		snprintf(detail, sizeof(detail), "%s need valid credentials",
			 what);
		break;
	case SVC_PROB_FORBIDDEN:
		snprintf(detail, sizeof(detail), "%s may not be changed by"
			 " this caller", what);
		break;
	default:
		snprintf(detail, sizeof(detail), "storage failed; nothing was"
			 " changed");
		break;
	}
	return svc_problem(req, id, detail, NULL);
}

enum MHD_Result
svc_respond_text(struct svc_request *req, unsigned int status,
		 const char *ctype, char *text, size_t len, const char *etag,
		 int64_t last_modified, int lm_exact)
{
	if (!text)
		return respond_oom(req);
	if (etag && status == 200 &&
	    svc_not_modified(svc_header(req, MHD_HTTP_HEADER_IF_NONE_MATCH),
			     svc_header(req, MHD_HTTP_HEADER_IF_MODIFIED_SINCE),
			     etag, last_modified, lm_exact)) {
		free(text);
		return queue(req, 304, NULL, strdup(""), 0, etag,
			     last_modified);
	}
	return queue(req, status, ctype, text, len, etag, last_modified);
}

enum MHD_Result
svc_respond_html(struct svc_request *req, unsigned int status, char *text,
		 size_t len, const char *etag)
{
	req->html = 1;
	return svc_respond_text(req, status, "text/html; charset=utf-8", text,
				len, etag, 0, 0);
}

/* Append {field, code, detail} to errors. */
static void
problem_append(json_t *errors, const char *field, const char *code,
	       const char *detail)
{
	json_t *f, *d;

	/* A detail quoting input that is not UTF-8 (or cut inside a
	 * character) cannot be JSON: say so instead of losing the error. */
	f = json_string(field);
	d = json_string(detail);
	json_array_append_new(errors, json_pack("{s:o, s:s, s:o}", "field",
				f ? f : json_string("?"), "code", code,
				"detail", d ? d :
				json_string("the value is not valid UTF-8")));
}

void
svc_problem_add(json_t *errors, const char *field, const char *fmt, ...)
{
	char detail[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	problem_append(errors, field, svc_error_code(field, detail), detail);
}

void
svc_problem_addc(json_t *errors, const char *field, const char *code,
		 const char *fmt, ...)
{
	char detail[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	problem_append(errors, field, code, detail);
}

void
svc_request_add_header(struct svc_request *req, const char *name,
		       const char *value)
{
	if (req->n_headers < SVC_MAX_EXTRA_HEADERS) {
		req->header_names[req->n_headers] = name;
		req->header_values[req->n_headers] = value;
		req->n_headers++;
	}
}

void
svc_etag_of(const char *data, size_t len, char out[40])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
	out[0] = '"';
	svc_hex(md, 16, out + 1);
	out[33] = '"';
	out[34] = '\0';
}
