/*
 * problem.c: the problem type table and the errno mapping (problem.h).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "problem.h"

static const struct svc_problem_type table[SVC_PROB_COUNT] = {
	[SVC_PROB_VALIDATION] = { 400, "validation-error", "Invalid input",
		"输入有误", NULL },
	[SVC_PROB_INVALID_REQUEST] = { 400, "invalid-request", "Bad Request",
		"请求有误", NULL },
	[SVC_PROB_INVALID_JSON] = { 400, "invalid-json", "Bad Request",
		"请求格式错误", "请求内容不是有效的 JSON 对象" },
	[SVC_PROB_INVALID_QUERY] = { 400, "invalid-query", "Bad Request",
		"查询参数有误", NULL },
	[SVC_PROB_INVALID_ICALENDAR] = { 400, "invalid-icalendar",
		"Invalid iCalendar file", "iCalendar 文件无效", NULL },
	[SVC_PROB_ICALENDAR_TIMEOUT] = { 422, "invalid-icalendar",
		"Invalid iCalendar file", "iCalendar 文件无效", NULL },
	[SVC_PROB_BAD_PATH] = { 400, "bad-path", "Bad Request", "请求有误",
		NULL },
	[SVC_PROB_BAD_HEADER] = { 400, "bad-header", "Bad Request",
		"请求有误", NULL },
	[SVC_PROB_AMBIGUOUS_FRAMING] = { 400, "ambiguous-framing",
		"Bad Request", "请求有误", NULL },
	[SVC_PROB_UNAUTHORIZED] = { 401, "unauthorized", "Unauthorized",
		"需要登录", "请先登录，或提供有效的令牌" },
	[SVC_PROB_FORBIDDEN] = { 403, "forbidden", "Forbidden", "无权操作",
		"当前账号无权进行此操作" },
	[SVC_PROB_ADMIN_ONLY] = { 403, "admin-only", "Forbidden", "无权操作",
		"此操作仅限管理员" },
	[SVC_PROB_WRONG_CARRIER] = { 403, "wrong-carrier", "Forbidden",
		"无权操作", "只能管理本人所属载体的活动" },
	[SVC_PROB_CSRF] = { 403, "csrf", "Forbidden", "请求被拒绝",
		"请求缺少有效的 CSRF 令牌，或来源不是本站；未做任何更改" },
	[SVC_PROB_NOT_FOUND] = { 404, "not-found", "Not Found", "未找到",
		"请求的内容不存在" },
	[SVC_PROB_METHOD_NOT_ALLOWED] = { 405, "method-not-allowed",
		"Method Not Allowed", "不支持此方法", NULL },
	[SVC_PROB_CONFLICT] = { 409, "conflict", "Conflict", "冲突", NULL },
	[SVC_PROB_ALREADY_REVOKED] = { 409, "already-revoked", "Conflict",
		"冲突", NULL },
	[SVC_PROB_CARRIER_RETIRED] = { 409, "carrier-retired", "Conflict",
		"冲突", NULL },
	[SVC_PROB_PRECONDITION_FAILED] = { 412, "precondition-failed",
		"Precondition Failed", "内容已被他人修改",
		"该活动在您打开后已被修改，请重新加载后再编辑" },
	[SVC_PROB_TOO_LARGE] = { 413, "too-large", "Content Too Large",
		"请求内容过大", NULL },
	[SVC_PROB_URI_TOO_LONG] = { 414, "uri-too-long", "URI Too Long",
		"请求地址过长", NULL },
	[SVC_PROB_UNSUPPORTED_MEDIA_TYPE] = { 415, "unsupported-media-type",
		"Unsupported Media Type", "内容类型不受支持", NULL },
	[SVC_PROB_TOO_MANY_REQUESTS] = { 429, "too-many-requests",
		"Too Many Requests", "尝试次数过多",
		"登录失败次数过多，请稍后再试" },
	[SVC_PROB_INTERNAL] = { 500, "internal", "Internal Server Error",
		"服务器内部错误", "服务器出错，未做任何更改" },
	[SVC_PROB_NOT_IMPLEMENTED] = { 501, "not-implemented",
		"Not Implemented", "未实现", NULL },
	[SVC_PROB_UNHEALTHY] = { 503, "unhealthy", "Service Unavailable",
		"服务暂不可用", NULL },
	[SVC_PROB_DATABASE_LOCKED] = { 503, "database-locked",
		"Service Unavailable", "服务暂不可用", NULL },
	[SVC_PROB_DATABASE_READ_ONLY] = { 503, "database-read-only",
		"Service Unavailable", "服务暂不可用", NULL },
	[SVC_PROB_INSUFFICIENT_STORAGE] = { 507, "insufficient-storage",
		"Insufficient Storage", "存储空间不足", NULL },
	/* the strict-HTTP gate's refusals of a request head */
	[SVC_PROB_BAD_FRAMING] = { 400, "bad-framing", "Bad Request",
		"请求格式错误", NULL },
	[SVC_PROB_BAD_REQUEST_LINE] = { 400, "bad-request-line",
		"Bad Request", "请求行格式错误", NULL },
	[SVC_PROB_HEADER_TOO_LARGE] = { 431, "header-too-large",
		"Request Header Fields Too Large", "请求头过大", NULL },
	[SVC_PROB_HTTP_VERSION] = { 505, "http-version-not-supported",
		"HTTP Version Not Supported", "不支持此 HTTP 版本", NULL },
};

const struct svc_problem_type *
svc_problem_type(enum svc_problem_id id)
{
	if ((unsigned int)id >= SVC_PROB_COUNT)
		id = SVC_PROB_INTERNAL;
	return &table[id];
}

const struct svc_problem_type *
svc_problem_by_slug(const char *type)
{
	size_t i;

	for (i = 0; type && i < SVC_PROB_COUNT; i++)
		if (strcmp(table[i].type, type) == 0)
			return &table[i];
	return NULL;
}

enum svc_problem_id
svc_problem_of_errno(int err)
{
	switch (err) {
	case -ENOENT:
		return SVC_PROB_NOT_FOUND;
	case -EEXIST:
		return SVC_PROB_CONFLICT;
	case -ESTALE:
		return SVC_PROB_PRECONDITION_FAILED;
	case -EINVAL:
		return SVC_PROB_INVALID_REQUEST;
	case -EACCES:
		return SVC_PROB_UNAUTHORIZED;
	case -EPERM:
		return SVC_PROB_FORBIDDEN;
	case -ENOSPC:
		return SVC_PROB_INSUFFICIENT_STORAGE;
	case -EBUSY:
		return SVC_PROB_DATABASE_LOCKED;
	case -EROFS:
		return SVC_PROB_DATABASE_READ_ONLY;
	default:
		return SVC_PROB_INTERNAL;
	}
}
