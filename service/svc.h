/*
 * svc: the HTTP service — server state, requests, responses, handlers.
 * libmicrohttpd and jansson types stay inside service/.
 */
#ifndef ROADSHOWD_SVC_H
#define ROADSHOWD_SVC_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <microhttpd.h>

#include "../db/db.h"
#include "problem.h"
#include "session.h"

/* Largest request body accepted, octets; larger gets 413. */
#define SVC_MAX_BODY (1024 * 1024)

/* Server-wide state. One per process. */
struct svc {
	struct db *db;			/* the writer connection; under lock */
	pthread_mutex_t lock;		/* the writer lock: held around every
					 * handler but the lock-free readers
					 * (server.c), and around any use
					 * of db */
	char db_path[4096];		/* for the per-thread readers */
	int64_t (*clock)(void);		/* now, seconds since epoch UTC */
	int64_t cancelled_window_s;	/* CANCELLED events stay in public
					 * feeds this long after the change */
	int64_t feed_back_s;		/* feeds without ?from= start this
					 * long before today (feed_window.c) */
	char public_base[256];		/* "http://127.0.0.1:8080" for links */
	int64_t tracking_since_utc;	/* cadence recording began (seconds
					 * UTC): --tracking-since, else the
					 * database's creation */
	/* counters for /metrics */
	atomic_uint_least64_t requests;
	atomic_uint_least64_t responses_4xx;
	atomic_uint_least64_t responses_5xx;
	int64_t started_utc;
	char self_exe[4096];		/* this binary, for parse-ics */
	struct svc_feed_cache *feeds;	/* rendered feeds, generation,
					 * Last-Modified (feed_cache.h) */
	struct svc_render_pool *render_pool; /* renders off the MHD
					 * threads (render_pool.h); NULL:
					 * inline */
	pthread_key_t reader_key;	/* this thread's read connection */
	pthread_mutex_t readers_lock;	/* guards readers, n_readers */
	struct db **readers;		/* every read connection opened */
	size_t n_readers;
	int public_url_given;		/* 1: --public-url names our origin */
	struct svc_ratelimit login_limit; /* failed log-ins (under lock) */
};

/*
 * At start, before serving (svc->db open, svc->clock and
 * cancelled_window_s set): create the feed cache with the feeds'
 * Last-Modified and the moments cancelled events leave them, and the
 * readers' registry. 0 or -ENOMEM/-EIO.
 */
int svc_feed_init(struct svc *svc);

/* After a write (called with svc->lock held, by the router after every
 * request that is not GET or HEAD): every feed is invalid from now on. */
void svc_feed_changed(struct svc *svc);

/* Drop every cached feed now (called with svc->lock held by handlers
 * whose change shows in feeds; the router also does it after any write,
 * see svc_feed_changed()). */
void svc_feed_cache_release(struct svc *svc);

/* Append the feed cache's counters to sb (Prometheus text format). 0 or
 * -ENOMEM. */
struct sbuf;
int svc_feed_metrics(struct svc *svc, struct sbuf *sb);

/* At shutdown, before the daemon stops: finish the renders in progress
 * (their connections resume) and stop rendering off the MHD threads. */
void svc_feed_quiesce(struct svc *svc);

/* At shutdown, after the daemon stopped: free the feed cache and close the
 * read connections. */
void svc_feed_release(struct svc *svc);

/*
 * This thread's read connection (opened on first use, closed by
 * svc_feed_release()). Borrowed; NULL when it cannot be opened.
 */
struct db *svc_reader(struct svc *svc);

/*
 * Who made a request: a bearer token, or a console session (cookie).
 * Decide what it may do with svc_auth_may_write() and
 * svc_auth_sees_tentative(), not by reading the fields.
 */
struct svc_auth {
	int present;			/* 1 when a valid token or session */
	int admin;			/* 1 for role admin */
	int viewer;			/* 1 for role viewer (reads only) */
	char *carrier;			/* an organiser's only (or first)
					 * carrier slug, or NULL */
	char **carriers;		/* all its carrier slugs */
	size_t n_carriers;
	int64_t token_id;		/* 0 for a session */
	int64_t account_id;		/* 0 for a token */
	int session;			/* 1 when from the session cookie */
	char username[65];		/* session's account, else "" */
	char csrf[65];			/* session's CSRF token, else "" */
	char actor[96];			/* "admin:token-7",
					 * "organiser:slug:token-9",
					 * "user:alice" */
};

/* Who may call a route (router.h rows; svc_auth_gate()). */
enum svc_auth_need {
	SVC_AUTH_ANON,			/* anyone; credentials not looked at */
	SVC_AUTH_OPTIONAL,		/* anyone, but a valid credential is
					 * resolved into req->auth (it may
					 * see more); a bad token reads as
					 * anonymous */
	SVC_AUTH_CALLER,		/* any valid bearer token or session */
	SVC_AUTH_ADMIN,			/* an admin's token or session */
};

/* Octets of a comma-joined list of every event kind's slug, with NUL. */
#define SVC_KINDS_MAX 128

/* One request, handed to a handler once its body is complete. */
struct svc_request {
	struct svc *svc;
	struct MHD_Connection *conn;
	const char *method;		/* "GET", "HEAD", "POST", ... */
	const char *path;		/* without query string */
	const char *body;		/* NULL when none; not NUL-terminated */
	size_t body_len;		/* octets */
	const char *params[4];		/* {id}/{slug} path parts, borrowed */
	struct db *db;			/* the connection for this request's
					 * reads: the thread's reader on a
					 * lock-free route, else svc->db */
	size_t n_params;
	unsigned int status;		/* status queued, for the access log */
	const char *allow;		/* Allow header of a 405, or NULL */
	int close;			/* 1: close the connection after */
	void *pending;			/* a handler's state while its
					 * connection is suspended; the
					 * handler is called again on resume
					 * (h_feeds.c) */
	int html;			/* 1: a page or a page's asset: send
					 * the security headers (respond.c) */
	/* more response headers (svc_request_add_header()), borrowed until
	 * the response is queued */
#define SVC_MAX_EXTRA_HEADERS 6
	const char *header_names[SVC_MAX_EXTRA_HEADERS];
	const char *header_values[SVC_MAX_EXTRA_HEADERS];
	size_t n_headers;
	struct svc_auth auth;		/* the caller, when the route's row
					 * needs one (router.c): borrowed by
					 * the handler, released by the
					 * router */
	const char *const *fake_headers; /* unit tests (conn NULL): name,
					 * value pairs, NULL-terminated */
	const char *const *fake_query;	/* the same for query arguments */
	char filter_kinds[SVC_KINDS_MAX]; /* the kind filter's slugs
					 * (svc_query_kinds()), for
					 * db_event_filter.kind */
};

typedef enum MHD_Result (*svc_handler)(struct svc_request *req);

/* ---- respond.c: the only ways to answer ---- */

/* Queue body (stolen, may be NULL for out of memory) as application/json
 * with status. Returns MHD_YES/MHD_NO as MHD_queue_response does. */
enum MHD_Result svc_respond_json(struct svc_request *req, unsigned int status,
				 json_t *body);

/* Same, with an ETag header (a quoted strong validator; borrowed). */
enum MHD_Result svc_respond_json_etag(struct svc_request *req,
				      unsigned int status, json_t *body,
				      const char *etag);

/*
 * Queue the RFC 9457 problem id (application/problem+json) with the
 * status, type URI and title of its row in the problem table
 * (problem.h). detail is human text (borrowed, may be NULL), errors a
 * JSON array of {field, code, detail} objects or NULL (stolen; an element
 * without code gets svc_error_code()'s). When Accept-Language prefers
 * Chinese (svc_lang_zh()), title, detail and each error's detail are sent
 * in zh-CN (svc_problem_to_zh()) with Content-Language: zh-CN. Returns
 * MHD_YES/MHD_NO as MHD_queue_response() does.
 */
enum MHD_Result svc_problem(struct svc_request *req, enum svc_problem_id id,
			    const char *detail, json_t *errors);

/* svc_problem() with the English title replaced by title (borrowed; NULL:
 * the table's), e.g. "Invalid token" for a validation-error. */
enum MHD_Result svc_problem_titled(struct svc_request *req,
				   enum svc_problem_id id, const char *title,
				   const char *detail, json_t *errors);

/*
 * svc_problem_titled() for field errors: detail is "<field>: <detail>" of
 * the first element of errors (a non-empty JSON array of {field, detail},
 * stolen).
 */
enum MHD_Result svc_problem_fields(struct svc_request *req,
				   enum svc_problem_id id, const char *title,
				   json_t *errors);

/*
 * The older string-keyed form, kept for the call sites not yet moved to
 * svc_problem() (see docs/ARCHITECTURE.md): type is a slug appended to
 * SVC_PROBLEM_BASE, status chosen by the caller; title and detail
 * borrowed, errors stolen; the zh-CN rewrite as svc_problem().
 */
enum MHD_Result svc_respond_problem(struct svc_request *req,
				    unsigned int status, const char *type,
				    const char *title, const char *detail,
				    json_t *errors);

/*
 * Queue a 400 problem for field errors: detail is "<field>: <detail>" of
 * the first error, errors (a JSON array of {field, detail}) is stolen.
 * type is a 400 slug of the problem table ("validation-error",
 * "invalid-query"), title the English title. Prefer svc_problem_fields().
 */
enum MHD_Result svc_respond_invalid(struct svc_request *req, const char *type,
				    const char *title, json_t *errors);

/* A problem for a negative errno from db_/cal_ functions, through
 * svc_problem_of_errno() (problem.h, the one errno to status table): an
 * -EIO that a full disk, lock or read-only file caused is answered as
 * that (507, 503 with Retry-After); -ENOMEM gets the static 500 body.
 * what (borrowed) names the object in the detail ("the event"). */
enum MHD_Result svc_respond_errno(struct svc_request *req, int err,
				  const char *what);

/*
 * Queue text (stolen; freed with free()) with content type ctype. When etag
 * is given (borrowed, quoted) it is sent, with Last-Modified when
 * last_modified > 0 (seconds since the epoch, UTC). If-None-Match
 * revalidation answers 304 without a body; If-Modified-Since does too, but
 * only when lm_exact is 1, i.e. when no two changes share that second (a
 * date then names exactly one state of the resource; RFC 9110 §13.1.3).
 * HEAD gets the same headers with no body.
 */
enum MHD_Result svc_respond_text(struct svc_request *req, unsigned int status,
				 const char *ctype, char *text, size_t len,
				 const char *etag, int64_t last_modified,
				 int lm_exact);

/* The pages' Content-Security-Policy (issue 8; CONSOLE_CONTRACT.md). */
#define SVC_CSP "default-src 'self'; script-src 'self'; style-src 'self';" \
	" img-src 'self' data:; frame-ancestors 'none'; base-uri 'none';" \
	" form-action 'self'"

/*
 * Add the pages' security headers to resp (borrowed): Content-Security-
 * Policy SVC_CSP (only our own scripts and styles, no framing),
 * X-Content-Type-Options: nosniff, Referrer-Policy: same-origin,
 * X-Frame-Options: DENY. queue() in respond.c calls it for every answer
 * typed text/html, text/css, text/javascript, application/javascript or
 * image/svg+xml, and for every answer of a request with req->html set, so
 * handlers need not call it themselves.
 */
void svc_security_headers(struct MHD_Response *resp);

/*
 * Queue an HTML page (text stolen, freed with free(); len octets) as
 * text/html; charset=utf-8 with the security headers; etag (borrowed,
 * quoted, or NULL) and If-None-Match revalidation as svc_respond_text().
 * To send the headers with another type, set req->html = 1 and use
 * svc_respond_text().
 */
enum MHD_Result svc_respond_html(struct svc_request *req, unsigned int status,
				 char *text, size_t len, const char *etag);

/* Append {field, code, detail} to errors (a JSON array); detail is
 * printf, code the stable one errcode.c finds for field and detail
 * (svc_error_code(); "invalid" when none). */
void svc_problem_add(json_t *errors, const char *field, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The same with an explicit code (static or outliving errors). */
void svc_problem_addc(json_t *errors, const char *field, const char *code,
		      const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Send header name: value (both borrowed until the response is queued)
 * with the request's response; at most SVC_MAX_EXTRA_HEADERS, more are
 * dropped. */
void svc_request_add_header(struct svc_request *req, const char *name,
			    const char *value);

/* A quoted strong ETag from the SHA-256 of data: "\"<32 hex>\"" into out
 * (at least 40 octets). */
void svc_etag_of(const char *data, size_t len, char out[40]);

/* ---- auth.c ---- */

/* New bearer token "rsd_" + 64 hex digits into token (at least 69
 * octets) and its SHA-256 hex digest into hash (65 octets). 0 or -EIO. */
int svc_token_generate(char token[69], char hash[65]);

/* SHA-256 hex digest of a token string. */
void svc_token_hash(const char *token, char hash[65]);

/*
 * Resolve the caller: the Authorization header (RFC 6750 bearer token),
 * else the session cookie. auth is filled (release with
 * svc_auth_release() in every case). Returns 0 (present=0 when there is
 * no credential or the session ended), -EACCES for a malformed, unknown,
 * expired or revoked token or an address over its budget of failed
 * tokens, or a storage error (-EIO, -EBUSY, -EROFS, -ENOMEM) that the
 * caller must answer as an error, never as "anonymous". Call with
 * svc->lock held. Prefer the router's gate (svc_auth_gate()).
 */
int svc_auth_resolve(struct svc_request *req, struct svc_auth *auth);

/*
 * The one auth gate, run by the router before the handler with the
 * row's requirement need. auth is filled as by svc_auth_resolve() and
 * released again unless 0 is returned. Returns 0 when the caller may go
 * on (SVC_AUTH_ANON always, without resolving; SVC_AUTH_OPTIONAL with
 * or without a caller); -ENOKEY when need asks for a credential and none
 * came; -EACCES when the credential is not valid (see
 * svc_auth_resolve()); -EPERM when need is SVC_AUTH_ADMIN and the caller
 * is not an admin; a storage error as svc_auth_resolve(), for every need
 * but SVC_AUTH_ANON (never read as "anonymous").
 */
int svc_auth_gate(struct svc_request *req, enum svc_auth_need need,
		  struct svc_auth *auth);

/*
 * Answer a refusal rc of svc_auth_gate(): -ENOKEY and -EACCES 401 with
 * WWW-Authenticate (429 when the address is over its budget), -EPERM 403
 * admin-only, anything else through svc_respond_errno() (500/503, never
 * "anonymous"). what (borrowed, may be NULL) names the action in the
 * detail ("managing tokens").
 */
enum MHD_Result svc_auth_refuse(struct svc_request *req, int rc,
				const char *what);

/* Release what svc_auth_resolve() filled (auth is zeroed; idempotent). */
void svc_auth_release(struct svc_auth *auth);

/* 1 when auth's organiser holds carrier (a slug; NULL: the district). */
int svc_auth_holds(const struct svc_auth *auth, const char *carrier);

/* 1 when auth may write an event of carrier (NULL: the district's):
 * admins always, organisers for their carriers, viewers and anonymous
 * callers never. */
int svc_auth_may_write(const struct svc_auth *auth, const char *carrier);

/* 1 when auth sees TENTATIVE events of carrier: admins and viewers all,
 * organisers their own carriers', anonymous callers none (issue 9). */
int svc_auth_sees_tentative(const struct svc_auth *auth, const char *carrier);

/* An organiser's carrier when it holds exactly one, else NULL (then a
 * new event must name its carrier). Borrowed from auth. */
const char *svc_auth_default_carrier(const struct svc_auth *auth);

/* 1 when the public URL is https (cookie gets Secure and __Host-). */
int svc_auth_https(const struct svc *svc);

/* The request's session cookie value (65 octets). 0 or -ENOENT. */
int svc_session_cookie(struct svc_request *req, char value[65]);

/* 1 when the request's Origin header is the service's own origin (the
 * public URL's when --public-url was given, else http:// + Host). */
int svc_origin_ok(struct svc_request *req);

/*
 * The CSRF gate, run by the router before every handler (with svc->lock
 * held): an unsafe request carrying a live session cookie and no
 * Authorization header must send X-CSRF-Token equal to the session's and
 * a same-origin Origin. 0 to go on, -EPERM to refuse (answer 403 csrf).
 */
int svc_csrf_gate(struct svc_request *req);

/* Answer 401 (no/invalid token) with WWW-Authenticate: Bearer. */
enum MHD_Result svc_respond_unauthorized(struct svc_request *req,
					 const char *detail);

/* ---- server.c ---- */

/*
 * Start libmicrohttpd on bind:port (an epoll thread pool, connection and
 * per-address limits, timeouts, memory limit) serving svc, behind
 * strict_http.c's gate, which owns the listening socket. Returns the
 * daemon or NULL (error printed on stderr). A second daemon serves the
 * connections whose first request is a GET of /healthz or a feed (see
 * strict_http.h). Stop with svc_strict_stop(), svc_feed_quiesce(),
 * svc_server_stop_read(), then MHD_stop_daemon().
 */
struct MHD_Daemon *svc_server_start(struct svc *svc, const char *bind,
				    unsigned short port);

/* Stop the daemon of lock-free reads (after svc_feed_quiesce(), which
 * resumes its suspended connections). No-op when not started. */
void svc_server_stop_read(void);

/* Query argument of the request, or NULL. Borrowed. */
const char *svc_query(struct svc_request *req, const char *name);

/* Request header, or NULL. Borrowed. */
const char *svc_header(struct svc_request *req, const char *name);

/* ---- query.c ---- */

/*
 * The event kinds a request filters on: every kind= query argument
 * (repeated, and each a comma list "roadshow,salon"), each element an
 * event kind's slug or name (cal_kind_from_name(): "路演" is roadshow).
 * Any of them matches. out (size octets; SVC_KINDS_MAX fits all) gets the
 * distinct slugs comma-joined in cal_kinds[] order, e.g.
 * "roadshow,salon". Returns 1 when kinds were given, 0 when there is no
 * kind= argument (out ""), -EINVAL when an element names no kind (one
 * error naming field "kind" per element is appended to errors).
 */
int svc_query_kinds(struct svc_request *req, char *out, size_t size,
		    json_t *errors);

/* ---- event list filters (h_events.c), shared with the feeds ----
 * The JSON form of an event is event_json.h's, its rules (SEQUENCE,
 * series exceptions) calendar/event_rules.h's. */

/*
 * A feed's default window (feed_window.c): without ?from=, f starts at
 * the district's midnight svc->feed_back_s before now and runs on with
 * no end (unless ?to= bounds it). Call after svc_parse_event_filter().
 */
void svc_feed_default_window(struct svc_request *req,
			     struct db_event_filter *f);

/* Read the filter query arguments (from, to, kind, region, carrier,
 * partner, status, q) into f, which borrows the request's strings. Field
 * errors are appended to errors; returns 0 or -EINVAL. */
int svc_parse_event_filter(struct svc_request *req, struct db_event_filter *f,
			   json_t *errors);

/* {url, webcal} subscription links of a feed path (h_meta.c). New
 * reference. */
json_t *svc_feed_links(struct svc *svc, const char *path);

/*
 * ---- handlers (h_*.c) ----
 * Each is called by the router (router.c) once the request's body is
 * complete and its row's policy (CSRF, auth requirement with the caller
 * in req->auth, media type) passed, with svc->lock held unless the row is
 * lock-free. req is borrowed for the call. Each queues exactly one
 * response through respond.c (or suspends the connection, h_feeds.c) and
 * returns MHD_YES, or MHD_NO when the connection must close.
 */
enum MHD_Result svc_h_healthz(struct svc_request *req);
enum MHD_Result svc_h_metrics(struct svc_request *req);
enum MHD_Result svc_h_regions(struct svc_request *req);
enum MHD_Result svc_h_region(struct svc_request *req);
enum MHD_Result svc_h_carriers(struct svc_request *req);
enum MHD_Result svc_h_carrier(struct svc_request *req);
enum MHD_Result svc_h_kinds(struct svc_request *req);
/*
 * Events (h_events.c) and one occurrence of a series (h_occurrences.c):
 * GET list (filters of svc_parse_event_filter(), limit, cursor,
 * expand=true for occurrences), POST create (201), GET one, PATCH
 * (merge), PUT (replace), POST .../cancel, DELETE (admins; 204), PATCH
 * and POST .../cancel of one occurrence (req->params[1] its
 * RECURRENCE-ID). Writes need credentials and a matching If-Match when
 * given (412 otherwise); bad fields answer 400 naming each, and nothing
 * is stored.
 */
enum MHD_Result svc_h_events_list(struct svc_request *req);
enum MHD_Result svc_h_events_create(struct svc_request *req);
enum MHD_Result svc_h_event_get(struct svc_request *req);
enum MHD_Result svc_h_event_patch(struct svc_request *req);
enum MHD_Result svc_h_event_put(struct svc_request *req);
enum MHD_Result svc_h_event_cancel(struct svc_request *req);
enum MHD_Result svc_h_event_delete(struct svc_request *req);
enum MHD_Result svc_h_occurrence_patch(struct svc_request *req);
enum MHD_Result svc_h_occurrence_cancel(struct svc_request *req);
enum MHD_Result svc_h_cadence(struct svc_request *req);
enum MHD_Result svc_h_cadence_matrix(struct svc_request *req);
enum MHD_Result svc_h_cadence_summary(struct svc_request *req);
enum MHD_Result svc_h_rules_list(struct svc_request *req);
enum MHD_Result svc_h_rules_create(struct svc_request *req);
enum MHD_Result svc_h_rule_get(struct svc_request *req);
enum MHD_Result svc_h_rule_patch(struct svc_request *req);
enum MHD_Result svc_h_rule_delete(struct svc_request *req);
enum MHD_Result svc_h_feed_all(struct svc_request *req);
enum MHD_Result svc_h_feed_scoped(struct svc_request *req);
enum MHD_Result svc_h_dashboard(struct svc_request *req);
enum MHD_Result svc_h_dashboard_css(struct svc_request *req);
enum MHD_Result svc_h_dashboard_js(struct svc_request *req);
enum MHD_Result svc_h_favicon(struct svc_request *req);
enum MHD_Result svc_h_qr(struct svc_request *req);
enum MHD_Result svc_h_cadence_cell(struct svc_request *req);
enum MHD_Result svc_h_import(struct svc_request *req);
enum MHD_Result svc_h_subscriptions_list(struct svc_request *req);
enum MHD_Result svc_h_subscriptions_create(struct svc_request *req);
enum MHD_Result svc_h_subscription_delete(struct svc_request *req);
/* h_accounts.c: log-in, sessions, invites, accounts (issue 8) */
enum MHD_Result svc_h_login(struct svc_request *req);
enum MHD_Result svc_h_logout(struct svc_request *req);
enum MHD_Result svc_h_me(struct svc_request *req);
enum MHD_Result svc_h_invite_accept(struct svc_request *req);
enum MHD_Result svc_h_accounts_list(struct svc_request *req);
enum MHD_Result svc_h_accounts_create(struct svc_request *req);
enum MHD_Result svc_h_account_patch(struct svc_request *req);
enum MHD_Result svc_h_account_invite(struct svc_request *req);
/* 403 problem "csrf": the CSRF gate refused the request. */
enum MHD_Result svc_respond_csrf(struct svc_request *req);

#endif
