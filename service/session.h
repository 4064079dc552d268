/*
 * session: the pieces of console log-in that decide without I/O —
 * password policy and hashing (libsodium), session and CSRF secrets,
 * the session cookie, the same-origin and CSRF decision, the log-in rate
 * limit, and the choice of language from Accept-Language.
 *
 * Everything here is pure (no database, no libmicrohttpd) except the
 * secrets, which read the system's randomness, and the password hashing.
 */
#ifndef ROADSHOWD_SESSION_H
#define ROADSHOWD_SESSION_H

#include <stddef.h>
#include <stdint.h>

/* Idle time after which a session ends, seconds (issue 8: 12 h). */
#define SVC_SESSION_IDLE_S (12 * 3600)
/* How long an invite link works, seconds (7 days). */
#define SVC_INVITE_TTL_S (7 * 86400)
/* Shortest password, in characters (Unicode code points). */
#define SVC_PASSWORD_MIN 10
/* Longest password, octets. */
#define SVC_PASSWORD_MAX 1024
/* Failed log-ins allowed per address and per account in a window. */
#define SVC_LOGIN_MAX_FAILS 10
/* The window, seconds. */
#define SVC_LOGIN_WINDOW_S 60
/* Cookie names: plain, and with the __Host- prefix over https
 * (RFC 6265bis §4.1.3.2). */
#define SVC_COOKIE "rsd_session"
#define SVC_COOKIE_HOST "__Host-rsd_session"

/* Call once at start, before any other function here: sodium_init().
 * 0 or -EIO. */
int svc_crypto_init(void);

/*
 * 0 when pw (NUL-terminated, borrowed) is an acceptable password: valid
 * UTF-8, at least SVC_PASSWORD_MIN characters, at most SVC_PASSWORD_MAX
 * octets, no control characters. -EINVAL otherwise.
 */
int svc_password_acceptable(const char *pw);

/*
 * Hash pw with libsodium's crypto_pwhash_str (Argon2id, interactive
 * limits) into out (at least 128 octets, NUL-terminated). 0, -ENOMEM.
 */
int svc_password_hash(const char *pw, char out[128]);

/* 1 when pw matches stored (a crypto_pwhash_str string), else 0 (also
 * for a NULL stored). Both borrowed. Takes about as long either way. */
int svc_password_verify(const char *pw, const char *stored);

/* A new random secret: 64 hex digits (256 bits) and a NUL into out.
 * 0 or -EIO. */
int svc_secret_new(char out[65]);

/*
 * The value of cookie name in a Cookie header (RFC 6265 §5.4 "a=b; c=d"),
 * copied into out (size octets); 0, or -ENOENT when absent or longer than
 * size - 1 octets. header may be NULL.
 */
int svc_cookie_value(const char *header, const char *name, char *out,
		     size_t size);

/*
 * The Set-Cookie value for session id value (NULL: one that deletes the
 * cookie) into out (size octets): "<name>=<value>; Path=/; HttpOnly;
 * SameSite=Strict", with the __Host- name and "; Secure" when https is 1.
 * 0 or -ENOSPC.
 */
int svc_cookie_format(int https, const char *value, char *out, size_t size);

/*
 * The service's own origin (RFC 6454 §6.1 serialisation, lower case, no
 * default port) into out (size octets): from public_base ("https://x.y"
 * or "http://h:p/path") when given, else "http://" + host (the Host
 * header). 0, or -EINVAL when neither gives an origin.
 */
int svc_origin_own(const char *public_base, const char *host, char *out,
		   size_t size);

/* 1 when the Origin header value origin (may be NULL) serialises to own
 * (from svc_origin_own()); scheme and host compare case-insensitively,
 * default ports are dropped. */
int svc_origin_matches(const char *origin, const char *own);

/* Whether a request method changes state (RFC 9110 §9.2.1): 1 for all but
 * GET, HEAD, OPTIONS and TRACE. */
int svc_method_unsafe(const char *method);

/*
 * The CSRF decision for a request authenticated by a session cookie:
 * 0 to let it through, -EPERM to refuse it. Safe methods pass. An unsafe
 * one needs csrf_header equal to session_csrf (compared in constant time)
 * and origin_ok set (svc_origin_matches()).
 */
int svc_csrf_decide(const char *method, const char *csrf_header,
		    const char *session_csrf, int origin_ok);

/* ---- log-in rate limit ---- */

#define SVC_RL_SLOTS 256
struct svc_rl_slot {
	char key[96];			/* "a:<address>" or "u:<username>" */
	int64_t fails[SVC_LOGIN_MAX_FAILS]; /* ring of failure times, s */
	unsigned int n;			/* failures recorded, total */
	unsigned int pending;		/* attempts being checked now */
	uint64_t used;			/* LRU stamp */
};
struct svc_ratelimit {
	struct svc_rl_slot slot[SVC_RL_SLOTS];
	uint64_t clock;
};

/*
 * Seconds the key (borrowed) must wait before another attempt at now_utc:
 * 0 when fewer than SVC_LOGIN_MAX_FAILS failures fall in the last
 * SVC_LOGIN_WINDOW_S seconds, else until the oldest of them leaves the
 * window (at least 1); 1 when the failures and the attempts still being
 * checked (svc_ratelimit_begin()) reach SVC_LOGIN_MAX_FAILS together.
 */
int64_t svc_ratelimit_wait(struct svc_ratelimit *rl, const char *key,
			   int64_t now_utc);

/*
 * An attempt for key starts (the password check may run without the
 * service's lock, concurrently with others): it counts against the limit
 * until svc_ratelimit_end(), which records it as a failure when failed is
 * 1. Slots with attempts in progress are never reused.
 */
void svc_ratelimit_begin(struct svc_ratelimit *rl, const char *key,
			 int64_t now_utc);

/* The attempt for key (borrowed) ended at now_utc (seconds UTC); failed
 * 1 records a failure against key's limit. */
void svc_ratelimit_end(struct svc_ratelimit *rl, const char *key,
		       int64_t now_utc, int failed);

/* Record a failure of key at now_utc. A new key takes a free slot, else
 * one whose failures all left the window, else the least recently used
 * one. */
void svc_ratelimit_fail(struct svc_ratelimit *rl, const char *key,
			int64_t now_utc);

/* ---- language ---- */

/*
 * 1 when Accept-Language (RFC 9110 §12.5.4; may be NULL) prefers Chinese
 * (zh, zh-CN, zh-Hans, ...) over any other listed language, by q-value and
 * then by order; 0 (English) otherwise.
 */
int svc_lang_zh(const char *accept_language);

#endif
