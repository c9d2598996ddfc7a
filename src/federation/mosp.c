/*
 * mosp.c — asks MOSP (MONARC Objects Sharing Platform) whether an object is
 * published: GET <MOSP_URL>/api/v2/object/?uuid=<uuid>, published when the
 * answer's metadata.count is not 0.
 */
#include <stdlib.h>

#include "federation/federation.h"
#include "util/json.h"

/* metadata.count of the answer; false if the answer has none. */
static bool answer_count(struct json_object *answer, int64_t *count)
{
    struct json_object *metadata, *value;
    if (!json_object_is_type(answer, json_type_object) ||
        !json_object_object_get_ex(answer, "metadata", &metadata) ||
        !json_object_object_get_ex(metadata, "count", &value))
        return false;
    if (json_object_is_type(value, json_type_int)) {
        *count = json_object_get_int64(value);
        return true;
    }
    double d;
    if (!json_get_num(value, &d)) /* the count may come as a string */
        return false;
    *count = (int64_t)d;
    return true;
}

bool mosp_is_object_published(struct http_client *http, const char *mosp_url, const char *uuid,
                              bool *published, struct json_object **answer, char **err)
{
    char *base = http_url_join(mosp_url, "/api/v2/object/?uuid=");
    buf url = BUF_INIT;
    buf_printf(&url, "%s%s", base, uuid); /* a checked UUID: nothing to escape */
    free(base);
    struct http_response resp;
    buf msg = BUF_INIT;
    *answer = NULL;
    bool reached = http_client_request(http, "GET", url.data, NULL, NULL, &resp, err);
    if (reached && resp.status != 200) {
        char *message = http_response_message(&resp);
        buf_printf(&msg, "MOSP at %s answered HTTP %ld: %s", mosp_url, resp.status, message);
        free(message);
    } else if (reached) {
        char errtext[160];
        *answer = json_parse_strict(resp.body.data, resp.body.len, errtext, sizeof errtext);
        int64_t count = 0;
        if (!*answer)
            buf_printf(&msg, "MOSP at %s did not answer JSON: %s", mosp_url, errtext);
        else if (!answer_count(*answer, &count))
            buf_printf(&msg, "MOSP at %s answered without metadata.count", mosp_url);
        else
            *published = count != 0;
    }
    if (reached)
        http_response_free(&resp);
    buf_free(&url);
    if (msg.len) {
        json_object_put(*answer);
        *answer = NULL;
        *err = buf_detach(&msg, NULL);
        return false;
    }
    buf_free(&msg);
    return reached;
}
