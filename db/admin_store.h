/*
 * admin_store: what admins keep current — carriers, regions and targets
 * (place_store.h), token expiry (token_store.h) — and the read side of the
 * trails (audit_store.h, history_store.h). Those per-store headers hold
 * the declarations now; db.h includes them all. This header remains so
 * that existing includes keep compiling.
 */
#ifndef ROADSHOWD_ADMIN_STORE_H
#define ROADSHOWD_ADMIN_STORE_H

#include "db.h"

#endif
