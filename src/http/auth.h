/*
 * auth.h — who is calling: the X-API-KEY check and the MONARC version gate.
 */
#ifndef HTTP_AUTH_H
#define HTTP_AUTH_H

#include <stdbool.h>

#include "http/request.h"

/*
 * Refuses (426) a User-Agent "MONARC/<version>" below 2.10.2.  Returns false
 * when the answer is set.  A version that does not parse is let through.
 */
bool auth_check_user_agent(struct request *req);

/*
 * Authenticates the request from X-API-KEY: 401 when missing or empty, 403
 * when unknown, 429 (with Retry-After, the key not looked at) while the
 * caller's address has used up its AUTH_FAILURES_PER_MINUTE failed attempts;
 * on success fills req->client and req->api_key, refreshes last_seen (at most
 * once a minute) and returns true.
 */
bool auth_authenticate(struct request *req);

/* Compares "2.14.1" with "2.10.2": <0, 0, >0; returns false if v doesn't parse. */
bool auth_compare_version(const char *v, const char *ref, int *cmp);

#endif
