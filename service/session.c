/*
 * session.c: decisions of console log-in (session.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "session.h"

int
svc_crypto_init(void)
{
	return sodium_init() < 0 ? -EIO : 0;
}

int
svc_password_acceptable(const char *pw)
{
	const unsigned char *p = (const unsigned char *)pw;
	size_t chars = 0;

	if (!pw || strlen(pw) > SVC_PASSWORD_MAX)
		return -EINVAL;
	while (*p) {
		size_t n, i;

		if (*p < 0x20 || *p == 0x7f)
			return -EINVAL;
		if (*p < 0x80)
			n = 1;
		else if ((*p & 0xe0) == 0xc0 && *p >= 0xc2)
			n = 2;
		else if ((*p & 0xf0) == 0xe0)
			n = 3;
		else if ((*p & 0xf8) == 0xf0 && *p <= 0xf4)
			n = 4;
		else
			return -EINVAL;
		for (i = 1; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return -EINVAL;
		p += n;
		chars++;
	}
	return chars >= SVC_PASSWORD_MIN ? 0 : -EINVAL;
}

int
svc_password_hash(const char *pw, char out[128])
{
	_Static_assert(crypto_pwhash_STRBYTES <= 128, "pwhash string size");
	if (crypto_pwhash_str(out, pw, strlen(pw),
			      crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return -ENOMEM;
	return 0;
}

int
svc_password_verify(const char *pw, const char *stored)
{
	if (!pw || !stored)
		return 0;
	return crypto_pwhash_str_verify(stored, pw, strlen(pw)) == 0;
}

int
svc_secret_new(char out[65])
{
	unsigned char raw[32];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(out, 65, raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
	return 0;
}

int
svc_cookie_value(const char *header, const char *name, char *out,
		 size_t size)
{
	const char *p = header;
	size_t nlen = strlen(name);

	while (p && *p) {
		const char *end;

		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		end = strchr(p, ';');
		if (!end)
			end = p + strlen(p);
		if ((size_t)(end - p) > nlen && strncmp(p, name, nlen) == 0 &&
		    p[nlen] == '=') {
			const char *v = p + nlen + 1;
			size_t len = (size_t)(end - v);

			while (len && (v[len - 1] == ' ' || v[len - 1] == '\t'))
				len--;
			if (len >= 2 && v[0] == '"' && v[len - 1] == '"') {
				v++;
				len -= 2;
			}
			if (len + 1 > size)
				return -ENOENT;
			memcpy(out, v, len);
			out[len] = '\0';
			return 0;
		}
		p = end;
	}
	return -ENOENT;
}

int
svc_cookie_format(int https, const char *value, char *out, size_t size)
{
	int n = snprintf(out, size, "%s=%s; Path=/;%s%s HttpOnly;"
			 " SameSite=Strict", https ? SVC_COOKIE_HOST :
			 SVC_COOKIE, value ? value : "",
			 value ? "" : " Max-Age=0;", https ? " Secure;" : "");

	return n < 0 || (size_t)n >= size ? -ENOSPC : 0;
}

/*
 * Serialise "scheme://host[:port][/...]" as an origin into out: lower case,
 * path dropped, default port (80 http, 443 https) dropped. 0 or -EINVAL.
 */
static int
origin_of(const char *url, char *out, size_t size)
{
	const char *host, *end;
	char scheme[8];
	size_t n, i;
	int https;

	if (!url)
		return -EINVAL;
	if (strncasecmp(url, "http://", 7) == 0) {
		https = 0;
		host = url + 7;
	} else if (strncasecmp(url, "https://", 8) == 0) {
		https = 1;
		host = url + 8;
	} else {
		return -EINVAL;
	}
	snprintf(scheme, sizeof(scheme), "%s", https ? "https" : "http");
	end = host + strcspn(host, "/?#");
	if (end == host || memchr(host, '@', (size_t)(end - host)))
		return -EINVAL;
	n = (size_t)(end - host);
	/* a port equal to the scheme's default is dropped */
	if (n > 3 && !https && strncmp(end - 3, ":80", 3) == 0)
		n -= 3;
	else if (n > 4 && https && strncmp(end - 4, ":443", 4) == 0)
		n -= 4;
	if (strlen(scheme) + 3 + n + 1 > size)
		return -EINVAL;
	i = (size_t)snprintf(out, size, "%s://", scheme);
	memcpy(out + i, host, n);
	out[i + n] = '\0';
	for (; out[i]; i++)
		out[i] = (char)tolower((unsigned char)out[i]);
	return 0;
}

int
svc_origin_own(const char *public_base, const char *host, char *out,
	       size_t size)
{
	char url[320];

	if (public_base && *public_base)
		return origin_of(public_base, out, size);
	if (!host || !*host || strlen(host) > 255 || strpbrk(host, "/?#@ "))
		return -EINVAL;
	snprintf(url, sizeof(url), "http://%s", host);
	return origin_of(url, out, size);
}

int
svc_origin_matches(const char *origin, const char *own)
{
	const char *sep = origin ? strstr(origin, "://") : NULL;
	char o[320];

	/* "scheme://host[:port]" and nothing after it (RFC 6454 §7.1);
	 * "null", an opaque origin, never matches */
	if (!sep || !own || strlen(origin) > 300 || strpbrk(sep + 3, "/?#"))
		return 0;
	if (origin_of(origin, o, sizeof(o)) != 0)
		return 0;
	return strcmp(o, own) == 0;
}

int
svc_method_unsafe(const char *method)
{
	return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
	       strcmp(method, "OPTIONS") != 0 && strcmp(method, "TRACE") != 0;
}

int
svc_csrf_decide(const char *method, const char *csrf_header,
		const char *session_csrf, int origin_ok)
{
	size_t n;

	if (!svc_method_unsafe(method))
		return 0;
	if (!origin_ok || !csrf_header || !session_csrf)
		return -EPERM;
	n = strlen(session_csrf);
	if (n == 0 || strlen(csrf_header) != n ||
	    sodium_memcmp(csrf_header, session_csrf, n) != 0)
		return -EPERM;
	return 0;
}

/* The slot of key; with create, a new one (reusing first a slot whose
 * failures have all left the window at now_utc, else the least recently
 * used). NULL when absent and not create. */
static struct svc_rl_slot *
rl_find(struct svc_ratelimit *rl, const char *key, int create,
	int64_t now_utc)
{
	struct svc_rl_slot *lru = NULL, *stale = NULL;
	size_t i;

	for (i = 0; i < SVC_RL_SLOTS; i++) {
		struct svc_rl_slot *s = &rl->slot[i];
		int64_t last;

		if ((s->n || s->pending) &&
		    strncmp(s->key, key, sizeof(s->key) - 1) == 0)
			return s;
		if (s->pending)
			continue;	/* being checked: kept */
		last = s->n ? s->fails[(s->n - 1) % SVC_LOGIN_MAX_FAILS] : 0;
		if (!stale && (!s->n || last + SVC_LOGIN_WINDOW_S <= now_utc))
			stale = s;
		if (!lru || s->used < lru->used)
			lru = s;
	}
	if (!create)
		return NULL;
	if (stale)
		lru = stale;
	if (!lru)
		lru = &rl->slot[0];	/* every slot pending: cannot be */
	memset(lru, 0, sizeof(*lru));
	snprintf(lru->key, sizeof(lru->key), "%s", key);
	return lru;
}

int64_t
svc_ratelimit_wait(struct svc_ratelimit *rl, const char *key,
		   int64_t now_utc)
{
	struct svc_rl_slot *s = rl_find(rl, key, 0, now_utc);
	unsigned int i, kept, in_window = 0;
	int64_t oldest = 0;

	if (!s)
		return 0;
	/* the ring holds the last SVC_LOGIN_MAX_FAILS failures */
	kept = s->n < SVC_LOGIN_MAX_FAILS ? s->n : SVC_LOGIN_MAX_FAILS;
	for (i = 0; i < kept; i++) {
		int64_t t = s->fails[(s->n - 1 - i) % SVC_LOGIN_MAX_FAILS];

		if (t + SVC_LOGIN_WINDOW_S <= now_utc)
			break;
		in_window++;
		oldest = t;
	}
	if (in_window >= SVC_LOGIN_MAX_FAILS)
		return oldest + SVC_LOGIN_WINDOW_S - now_utc;
	/* attempts still being checked would make the failures too many */
	if (in_window + s->pending >= SVC_LOGIN_MAX_FAILS)
		return 1;
	return 0;
}

void
svc_ratelimit_begin(struct svc_ratelimit *rl, const char *key,
		    int64_t now_utc)
{
	struct svc_rl_slot *s = rl_find(rl, key, 1, now_utc);

	s->pending++;
	s->used = ++rl->clock;
}

void
svc_ratelimit_end(struct svc_ratelimit *rl, const char *key,
		  int64_t now_utc, int failed)
{
	struct svc_rl_slot *s = rl_find(rl, key, 0, now_utc);

	if (s && s->pending)
		s->pending--;
	if (failed)
		svc_ratelimit_fail(rl, key, now_utc);
}

void
svc_ratelimit_fail(struct svc_ratelimit *rl, const char *key,
		   int64_t now_utc)
{
	struct svc_rl_slot *s = rl_find(rl, key, 1, now_utc);

	s->fails[s->n % SVC_LOGIN_MAX_FAILS] = now_utc;
	s->n++;
	if (s->n >= 2 * SVC_LOGIN_MAX_FAILS)	/* keep n from overflowing */
		s->n -= SVC_LOGIN_MAX_FAILS;
	s->used = ++rl->clock;
}

/* The q-value of one Accept-Language element's parameters (";q=0.5"),
 * 1000ths; 1000 when absent, -1 when malformed. */
static int
qvalue(const char *params, size_t len)
{
	char buf[32];
	const char *q;
	int v = 0, scale = 100;

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, params, len);
	buf[len] = '\0';
	q = strstr(buf, "q=");
	if (!q)
		q = strstr(buf, "Q=");
	if (!q)
		return 1000;
	q += 2;
	if (*q == '1')
		return 1000;
	if (*q != '0')
		return -1;
	q++;
	if (*q == '.')
		for (q++; isdigit((unsigned char)*q) && scale; q++) {
			v += (*q - '0') * scale;
			scale /= 10;
		}
	return v;
}

int
svc_lang_zh(const char *accept_language)
{
	const char *p = accept_language;
	int zh_q = 0, other_q = 0, i = 0, zh_i = 0, other_i = 0;

	while (p && *p) {
		const char *end = strchr(p, ','), *semi;
		size_t len, tlen;
		int q;

		if (!end)
			end = p + strlen(p);
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		len = (size_t)(end - p);
		semi = memchr(p, ';', len);
		tlen = semi ? (size_t)(semi - p) : len;
		while (tlen && (p[tlen - 1] == ' ' || p[tlen - 1] == '\t'))
			tlen--;
		q = semi ? qvalue(semi, (size_t)(end - semi)) : 1000;
		i++;
		if (tlen && q > 0 && !(tlen == 1 && *p == '*')) {
			int zh = (tlen == 2 || p[2] == '-') &&
				 strncasecmp(p, "zh", 2) == 0;

			/* the first listed at the highest q wins a tie */
			if (zh && q > zh_q) {
				zh_q = q;
				zh_i = i;
			} else if (!zh && q > other_q) {
				other_q = q;
				other_i = i;
			}
		}
		p = *end ? end + 1 : end;
	}
	return zh_q > other_q || (zh_q && zh_q == other_q && zh_i < other_i);
}
