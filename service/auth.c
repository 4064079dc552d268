/*
 * auth.c: bearer tokens (RFC 6750). Only SHA-256 digests are stored.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "limits.h"
#include "svc.h"

/* The last svc_auth_resolve() in this thread hit the address's budget
 * of failed tokens (for request limited_req): svc_respond_unauthorized()
 * for that request answers 429. */
static _Thread_local int limited;
static _Thread_local const struct svc_request *limited_req;

static void
hex(const unsigned char *in, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", in[i]);
	out[2 * n] = '\0';
}

void
svc_token_hash(const char *token, char hash[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	EVP_Digest(token, strlen(token), md, &n, EVP_sha256(), NULL);
	hex(md, 32, hash);
}

int
svc_token_generate(char token[69], char hash[65])
{
	unsigned char raw[32];

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return -EIO;
	memcpy(token, "rsd_", 4);
	hex(raw, sizeof(raw), token + 4);
	svc_token_hash(token, hash);
	return 0;
}

void
svc_auth_release(struct svc_auth *auth)
{
	free(auth->carrier);
	memset(auth, 0, sizeof(*auth));
}

int
svc_auth_resolve(struct svc_request *req, struct svc_auth *auth)
{
	const char *h = svc_header(req, MHD_HTTP_HEADER_AUTHORIZATION);
	char hash[65], *role = NULL, *carrier = NULL;
	int64_t id = 0;
	int rc;

	memset(auth, 0, sizeof(*auth));
	limited = 0;
	limited_req = req;
	if (!h)
		return 0;
	/* An address that sent too many bad tokens gets no answer about
	 * any token until its window ends (no guessing). */
	if (svc_limits_auth_blocked(req->conn)) {
		limited = 1;
		return -EACCES;
	}
	if (strncasecmp(h, "Bearer ", 7) != 0) {
		limited = svc_limits_auth_failed(req->conn);
		return -EACCES;
	}
	h += 7;
	while (*h == ' ' || *h == '\t')
		h++;
	{
		/* RFC 9110 §5.5: whitespace around a field value is not part
		 * of it. */
		size_t n = strlen(h);
		char token[69];

		while (n && (h[n - 1] == ' ' || h[n - 1] == '\t'))
			n--;
		if (n != 68 || strncmp(h, "rsd_", 4) != 0) {
			limited = svc_limits_auth_failed(req->conn);
			return -EACCES;
		}
		memcpy(token, h, n);
		token[n] = '\0';
		svc_token_hash(token, hash);
	}
	rc = db_token_lookup(req->svc->db, hash, &role, &carrier, &id);
	if (rc == -ENOENT) {
		limited = svc_limits_auth_failed(req->conn);
		return -EACCES;
	}
	if (rc != 0)
		return rc;
	auth->present = 1;
	auth->admin = strcmp(role, "admin") == 0;
	auth->carrier = carrier;
	auth->token_id = id;
	if (auth->admin)
		snprintf(auth->actor, sizeof(auth->actor), "admin:token-%lld",
			 (long long)id);
	else
		snprintf(auth->actor, sizeof(auth->actor),
			 "organiser:%s:token-%lld", carrier ? carrier : "?",
			 (long long)id);
	free(role);
	return 0;
}

enum MHD_Result
svc_respond_unauthorized(struct svc_request *req, const char *detail)
{
	/* queue() adds WWW-Authenticate: Bearer to every 401. */
	if (limited && limited_req == req) {
		limited = 0;
		return svc_respond_problem(req, 429, "too-many-requests",
					   "Too Many Requests", "too many"
					   " requests with a token that is not"
					   " valid came from this address; try"
					   " again later", NULL);
	}
	return svc_respond_problem(req, 401, "unauthorized", "Unauthorized",
				   detail, NULL);
}
