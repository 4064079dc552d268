/*
 * errcode.c: field error codes and zh-CN problem texts (errcode.h).
 */
#include <stdio.h>
#include <string.h>

#include "errcode.h"
#include "problem.h"

/* First matching rule wins: field NULL matches any field, phrase NULL any
 * detail. Type and size rules come first, so "rrule: is 600 octets" is
 * too_long, not bad_rrule. */
static const struct {
	const char *field;
	const char *phrase;
	const char *code;
} rules[] = {
	{ NULL, "must be a string", "bad_type" },
	{ NULL, "octets; at most", "too_long" },
	{ NULL, "at most 200 octets", "too_long" },
	{ NULL, "must not contain", "bad_characters" },
	{ NULL, "is read-only", "read_only" },
	{ NULL, "is not a field of", "unknown_field" },
	{ NULL, "may write only", "not_your_carrier" },
	/* the admin API (issue 9): carriers, regions, tokens, rules */
	{ "slug", "exists", "slug_taken" },
	{ "slug", "is fixed", "read_only" },
	{ "slug", "must", "bad_slug" },
	{ "id", "exists", "id_taken" },
	{ "retired_from", "last event", "retire_before_last_event" },
	{ "recognised_on", "level none", "recognised_without_level" },
	{ "level", NULL, "bad_level" },
	{ "kind", "must be one of", "bad_choice" },
	{ "kind", "cannot move a region", "partner_fixed" },
	{ "region", "partner region; carriers", "partner_not_allowed" },
	{ "expires", "in the future", "expires_past" },
	{ "carrier", "needs its carrier", "required" },
	{ "carrier", "has no carrier", "carriers_not_allowed" },
	{ "carrier", "must be a known carrier", "unknown_carrier" },
	{ "website", NULL, "bad_url" },
	{ "targets", "partner regions have no", "targets_not_allowed" },
	{ "targets", "needs", "targets_incomplete" },
	{ "target_year", "a year from", "bad_year" },
	{ "effective_from", "on or after", "before_current_period" },
	{ "effective_to", "on or after", "before_current_period" },
	{ "effective_to", "after the live", "before_current_period" },
	{ "period", "must be month", "bad_period" },
	{ "scope", "must be district", "bad_scope" },
	{ "kinds", "not an event kind", "unknown_kind" },
	{ "carrier", "not one you hold", "not_your_carrier" },
	{ "rrule", NULL, "bad_rrule" },	/* "FREQ is required" */
	{ NULL, "is required for an all-day", "required" },
	{ NULL, "is required", "required" },
	{ NULL, "must not be empty", "required" },
	{ "kind", NULL, "unknown_kind" },
	{ "url", NULL, "bad_url" },
	{ "capacity", NULL, "bad_capacity" },
	{ "timezone", NULL, "bad_timezone" },
	{ "geo", NULL, "bad_geo" },
	{ "uid", "exists", "uid_taken" },
	{ "uid", NULL, "bad_uid" },
	{ "status", NULL, "bad_status" },
	{ "carrier", "not a known carrier", "unknown_carrier" },
	{ "carriers", "not a known carrier", "unknown_carrier" },
	{ NULL, "listed twice", "duplicate" },
	{ "partner_regions", "must be an array", "bad_type" },
	{ NULL, "not a known region", "unknown_region" },
	{ NULL, "is a district region", "unknown_region" },
	{ NULL, "partner region", "unknown_region" },
	{ NULL, "cannot be placed in timezone", "bad_timezone" },
	{ NULL, "between 1970 and 2200", "out_of_range" },
	{ NULL, "all-day events take", "all_day_mismatch" },
	{ NULL, "all-day series take", "all_day_mismatch" },
	{ NULL, "only all-day events take", "all_day_mismatch" },
	{ NULL, "timed series take", "all_day_mismatch" },
	{ NULL, "must be after", "end_before_start" },
	{ NULL, "RFC 3339", "bad_datetime" },
	{ NULL, "must be a date", "bad_date" },
	{ NULL, "must be true or false", "bad_boolean" },
	{ "body", NULL, "bad_json" },
	{ "password", "at least", "password_too_short" },
	{ "token", NULL, "invite_invalid" },
	{ "username", "taken", "username_taken" },
	{ "username", NULL, "bad_username" },
	{ "role", NULL, "bad_role" },
	{ "carriers", "needs at least one", "carriers_required" },
	{ "carriers", "only organisers", "carriers_not_allowed" },
	{ NULL, "must be text of", "bad_text" },
	{ NULL, "must be a number from", "bad_number" },
	{ NULL, "must be an integer from", "bad_number" },
};

const char *
svc_error_code(const char *field, const char *detail)
{
	size_t i;

	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		if (rules[i].field && (!field ||
				       strcmp(rules[i].field, field) != 0))
			continue;
		if (rules[i].phrase && (!detail ||
					!strstr(detail, rules[i].phrase)))
			continue;
		return rules[i].code;
	}
	return "invalid";
}

static const struct {
	const char *code;
	const char *zh;
} zh_codes[] = {
	{ "required", "必填" },
	{ "unknown_kind", "活动类型无效，请选择：路演、沙龙、论坛、培训、研讨、"
	  "展览、大赛" },
	{ "bad_datetime", "日期时间格式不正确，应为如 2026-12-20T14:30:00+08:00"
	  " 的格式" },
	{ "bad_date", "日期格式不正确，应为 YYYY-MM-DD" },
	{ "end_before_start", "结束时间必须晚于开始时间" },
	{ "unknown_carrier", "载体不存在" },
	{ "unknown_region", "不是已登记的合作地区" },
	{ "duplicate", "重复填写" },
	{ "bad_status", "状态无效，应为待定（TENTATIVE）、确认（CONFIRMED）"
	  "或取消（CANCELLED）" },
	{ "bad_rrule", "重复规则无效" },
	{ "too_long", "内容过长" },
	{ "bad_url", "网址须以 http:// 或 https:// 开头" },
	{ "bad_capacity", "人数上限应为 1 至 1000000 的整数" },
	{ "bad_timezone", "时区无效" },
	{ "not_your_carrier", "只能管理本人所属载体的活动" },
	{ "bad_type", "类型不正确" },
	{ "bad_characters", "含有不允许的控制字符" },
	{ "read_only", "此项只读，不能修改" },
	{ "unknown_field", "不是可识别的字段" },
	{ "out_of_range", "日期须在 1970 年至 2200 年之间" },
	{ "all_day_mismatch", "全天活动填写开始和结束日期，其他活动填写开始和"
	  "结束时间" },
	{ "bad_boolean", "应为是或否（true 或 false）" },
	{ "bad_json", "请求内容不是有效的 JSON 对象" },
	{ "body_too_large", "请求内容超过了允许的大小" },
	{ "uid_taken", "该 UID 的活动已存在" },
	{ "bad_uid", "UID 不能为空，也不能含空格" },
	{ "bad_geo", "坐标无效" },
	{ "password_too_short", "密码至少 10 个字符，且不含控制字符" },
	{ "invite_invalid", "邀请链接无效、已使用或已过期" },
	{ "bad_username", "用户名须为 1 至 64 个英文字母、数字或 . _ - @" },
	{ "username_taken", "该用户名已被占用" },
	{ "bad_role", "角色无效" },
	{ "carriers_required", "组织者至少需要关联一个载体" },
	{ "carriers_not_allowed", "只有组织者可以关联载体" },
	{ "csrf", "请求缺少有效的 CSRF 令牌，或来源不是本站" },
	{ "start_not_in_rule", "开始时间不符合重复规则（如 BYDAY=TU 须从星期二开始），"
	  "系列须从第一次发生的时间开始" },
	{ "slug_taken", "该标识已被使用（标识不会重复使用）" },
	{ "bad_slug", "标识须为 1 至 64 个小写英文字母、数字或连字符，且不以连字符"
	  "开头或结尾" },
	{ "id_taken", "该编号已被使用（停用的规则也保留编号）" },
	{ "retire_before_last_event", "停用日期须晚于该载体最后一场活动的日期" },
	{ "recognised_without_level", "认定级别为“未认定”时不填认定日期" },
	{ "bad_level", "认定级别应为国家级、市级、区级或未认定" },
	{ "bad_choice", "请从列表中选择" },
	{ "partner_fixed", "本区区域与合作地区不能互相转换（订阅地址依赖于此）" },
	{ "partner_not_allowed", "载体须属于本区区域，不能属于合作地区" },
	{ "expires_past", "到期时间须晚于现在" },
	{ "targets_not_allowed", "合作地区没有目标" },
	{ "targets_incomplete", "须同时填写载体面积、聚集企业和团队、孵化科技型企业"
	  "三项目标" },
	{ "bad_year", "年份应在 2000 至 2100 之间" },
	{ "before_current_period", "日期不能早于当前周期的开始：已结束的周期保留"
	  "当时的规则" },
	{ "bad_period", "周期应为每月、每季度或每年" },
	{ "bad_scope", "范围应为全区、每个区域、每个载体或每个合作地区" },
	{ "bad_text", "须为长度合适的文字（一个汉字占 3 字节），不含控制字符" },
	{ "bad_number", "数值超出允许范围" },
	{ "invalid", "输入无效" },
	/* the strict-HTTP gate (strict_http.c): a malformed request head */
	{ "request_line_invalid", "请求行须为：方法、一个空格、地址、一个空格、"
	  "HTTP/1.1" },
	{ "nul_in_request_line", "请求行中不得含有 NUL 字符" },
	{ "bare_lf", "行尾须为 CRLF，不得只有 LF" },
	{ "bare_cr", "请求头中不得含有单独的 CR 字符" },
	{ "obs_fold", "请求头不得折行（以空格或制表符开头的续行）" },
	{ "nul_in_header", "请求头中不得含有 NUL 字符" },
	{ "control_in_header", "请求头的值中不得含有控制字符" },
	{ "header_line_invalid", "请求头须为“名称: 值”，名称只含允许的字符" },
	{ "space_before_colon", "请求头名称与冒号之间不得有空白" },
	{ "host_missing", "HTTP/1.1 请求须有 Host 头" },
	{ "host_duplicate", "Host 头只能出现一次" },
	{ "content_length_invalid", "Content-Length 须为一个十进制数" },
	{ "content_length_duplicate", "Content-Length 只能出现一次" },
	{ "content_length_too_large", "Content-Length 超出允许范围" },
	{ "header_too_large", "请求头过大" },
	{ "http_version", "仅支持 HTTP/1.0 和 HTTP/1.1" },
	{ "nul_in_path", "路径和查询参数中不得含有 %00（NUL）" },
	{ "ambiguous_framing", "Content-Length 与 Transfer-Encoding 不能同时出现，"
	  "且各只能出现一次" },
	{ "transfer_coding_unsupported", "只支持 chunked 传输编码" },
};

/* Codes whose English detail names the value that decides (an event's
 * date, the first allowed day, a length and its limit, the roles a route
 * takes): the Chinese text keeps it in brackets. */
static const char *const zh_keeps_english[] = {
	"retire_before_last_event", "before_current_period", "too_long",
	"bad_role",
};

static int
keeps_english(const char *code)
{
	size_t i;

	for (i = 0; code && i < sizeof(zh_keeps_english) /
	     sizeof(zh_keeps_english[0]); i++)
		if (strcmp(zh_keeps_english[i], code) == 0)
			return 1;
	return 0;
}

const char *
svc_error_zh(const char *code)
{
	size_t i;

	for (i = 0; code && i < sizeof(zh_codes) / sizeof(zh_codes[0]); i++)
		if (strcmp(zh_codes[i].code, code) == 0)
			return zh_codes[i].zh;
	return NULL;
}

static const struct {
	const char *field;
	const char *zh;
} zh_fields[] = {
	{ "kind", "活动类型" }, { "title", "标题" }, { "venue", "地点" },
	{ "description", "简介" }, { "start", "开始时间" },
	{ "end", "结束时间" }, { "start_date", "开始日期" },
	{ "end_date", "结束日期" }, { "all_day", "全天" },
	{ "partner_regions", "合作地区" }, { "status", "状态" },
	{ "url", "网址" }, { "capacity", "人数上限" },
	{ "rrule", "重复规则" }, { "carrier", "载体" },
	{ "carriers", "载体" }, { "timezone", "时区" }, { "geo", "坐标" },
	{ "body", "请求内容" }, { "username", "用户名" },
	{ "password", "密码" }, { "role", "角色" }, { "token", "邀请" },
	{ "disabled", "停用" }, { "from", "起始时间" }, { "to", "截止时间" },
	{ "slug", "标识" }, { "name", "名称" }, { "name_en", "英文名称" },
	{ "level", "认定级别" }, { "recognised_on", "认定日期" },
	{ "region", "区域" }, { "address", "地址" }, { "website", "网站" },
	{ "contact", "联系方式" }, { "retired_from", "停用日期" },
	{ "targets", "目标" }, { "target_year", "目标年份" },
	{ "targets.area_10k_m2", "载体面积" },
	{ "targets.enterprises_and_teams", "聚集企业和团队" },
	{ "targets.tech_enterprises", "孵化科技型企业" },
	{ "label", "备注" }, { "expires", "到期时间" }, { "id", "编号" },
	{ "kinds", "活动类型" }, { "period", "周期" }, { "min", "最少场次" },
	{ "scope", "范围" }, { "effective_from", "生效日期" },
	{ "effective_to", "停用日期" }, { "active_from", "生效日期" },
};

const char *
svc_field_zh(const char *field)
{
	size_t i;

	for (i = 0; field && i < sizeof(zh_fields) / sizeof(zh_fields[0]);
	     i++)
		if (strcmp(zh_fields[i].field, field) == 0)
			return zh_fields[i].zh;
	return field;
}

void
svc_problem_to_zh(json_t *problem, const char *type)
{
	json_t *errors = json_object_get(problem, "errors"), *e;
	const char *first_field = NULL, *first_zh = NULL;
	const struct svc_problem_type *t;
	size_t i;

	json_array_foreach(errors, i, e) {
		const char *code = json_string_value(json_object_get(e,
								     "code"));
		const char *zh = svc_error_zh(code);

		const char *en = json_string_value(json_object_get(e,
								   "detail"));

		if (!zh)
			continue;
		if (keeps_english(code) && en) {
			char both[512];

			snprintf(both, sizeof(both), "%s（%s）", zh, en);
			json_object_set_new(e, "detail", json_string(both));
		} else {
			json_object_set_new(e, "detail", json_string(zh));
		}
		if (!first_zh) {
			first_zh = zh;
			first_field = json_string_value(json_object_get(e,
								"field"));
		}
	}
	if ((t = svc_problem_by_slug(type))) {
		json_object_set_new(problem, "title",
				    json_string(t->title_zh));
		if (t->detail_zh)
			json_object_set_new(problem, "detail",
					    json_string(t->detail_zh));
	}
	if (first_zh && first_field) {
		char detail[512];

		snprintf(detail, sizeof(detail), "%s：%s",
			 svc_field_zh(first_field), first_zh);
		json_object_set_new(problem, "detail", json_string(detail));
	}
}
