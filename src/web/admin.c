/*
 * admin.c — the admin endpoints (admin_bp, docs/api.md): switching a client's
 * sharing on or off, and running the operator's UPDATE_COMMAND.  All of them
 * require an admin token (the router's ROUTE_ADMIN gate: 401, 403).
 *
 * Answers keep the original's shape: {"result": "OK"} or {"result": "KO",
 * "message": …}; update.json adds the command's "output".
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/log.h"
#include "web/web.h"

#define UPDATE_OUTPUT_MAX ((size_t)1024 * 1024) /* bytes of the command's output kept */

/* One update at a time: a second one while the first runs is refused. */
static pthread_mutex_t update_lock = PTHREAD_MUTEX_INITIALIZER;

static void reply_ko(struct request *req, unsigned status, const char *message)
{
    struct json_writer w;
    reply_json_begin(req, &w);
    jw_object_begin(&w);
    jw_member_string(&w, "result", "KO");
    jw_member_string(&w, "message", message);
    jw_object_end(&w);
    reply_json_end(req, &w, status);
}

static void set_sharing(struct request *req, bool enabled)
{
    char uuid[UUID_STR_LEN];
    if (!uuid_normalize(req->path_params[0], uuid)) {
        reply_ko(req, 400, "The client id in the path must be a UUID.");
        return;
    }
    struct client c = {0};
    enum store_rc rc = store_client_by_uuid(req->store, uuid, &c);
    if (rc == STORE_NOT_FOUND) {
        buf msg = BUF_INIT;
        buf_printf(&msg, "No client with uuid %s.", uuid);
        reply_ko(req, 404, msg.data);
        buf_free(&msg);
        return;
    }
    if (rc != STORE_OK) {
        reply_store_error(req, "admin: client lookup");
        return;
    }
    c.is_sharing_enabled = enabled;
    if (store_client_update(req->store, &c) != STORE_OK) {
        reply_store_error(req, "admin: sharing flag");
    } else {
        log_info("stats.admin", "[req %llu] client %s: sharing %s by admin %s",
                 (unsigned long long)req->id, c.uuid, enabled ? "enabled" : "disabled",
                 req->client.uuid);
        struct json_writer w;
        reply_json_begin(req, &w);
        jw_object_begin(&w);
        jw_member_string(&w, "result", "OK");
        jw_object_end(&w);
        reply_json_end(req, &w, 200);
    }
    client_free(&c);
}

static void sharing_activate(struct request *req)
{
    set_sharing(req, true);
}

static void sharing_deactivate(struct request *req)
{
    set_sharing(req, false);
}

/* Length of the well-formed UTF-8 sequence at s (avail bytes), 0 if none. */
static size_t utf8_len(const unsigned char *s, size_t avail)
{
    size_t n = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3
             : (s[0] & 0xf8) == 0xf0 ? 4 : 0;
    if (n == 0 || n > avail || (n == 2 && s[0] < 0xc2))
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    return n;
}

/* The output as text fit for a JSON string: NULs and broken UTF-8 become '?'. */
static void clean_output(buf *out)
{
    unsigned char *s = (unsigned char *)out->data;
    for (size_t i = 0; i < out->len;) {
        size_t n = s[i] ? utf8_len(s + i, out->len - i) : 0;
        if (n == 0) {
            s[i] = '?';
            n = 1;
        }
        i += n;
    }
}

/* Spawns "/bin/sh -c command" with stdout and stderr on `out_fd`, stdin on
 * /dev/null, and the signals the server blocks or ignores back to normal. */
static pid_t spawn_shell(const char *command, int out_fd)
{
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGTERM);
    sigaddset(&defaults, SIGINT);
    sigaddset(&defaults, SIGHUP);
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out_fd, 1);
    posix_spawn_file_actions_adddup2(&actions, out_fd, 2);
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    char *argv[] = {"sh", "-c", (char *)command, NULL};
    pid_t pid;
    int rc = posix_spawn(&pid, "/bin/sh", &actions, &attr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    return rc == 0 ? pid : -1;
}

/* Runs the command through the shell; returns its wait status (-1 if it could
 * not be started) and its output (the first UPDATE_OUTPUT_MAX bytes). */
static int run_command(const char *command, buf *output)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return -1;
    pid_t pid = spawn_shell(command, fds[1]);
    close(fds[1]);
    char chunk[4096];
    ssize_t n;
    while (pid > 0 && ((n = read(fds[0], chunk, sizeof chunk)) > 0 || (n < 0 && errno == EINTR)))
        if (n > 0 && output->len < UPDATE_OUTPUT_MAX)
            buf_append(output, chunk, (size_t)n);
    close(fds[0]);
    int status = -1;
    while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    buf_append(output, "", 0);
    clean_output(output);
    return status;
}

static void update(struct request *req)
{
    const char *command = req->cfg->update_command;
    if (!command) {
        reply_ko(req, 501, "No UPDATE_COMMAND is configured on this instance.");
        return;
    }
    if (pthread_mutex_trylock(&update_lock) != 0) {
        reply_ko(req, 409, "An update is already running.");
        return;
    }
    log_info("stats.admin", "[req %llu] running UPDATE_COMMAND for admin %s",
             (unsigned long long)req->id, req->client.uuid);
    buf output = BUF_INIT;
    int status = run_command(command, &output);
    pthread_mutex_unlock(&update_lock);
    bool ok = status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!ok)
        log_warning("stats.admin", "[req %llu] UPDATE_COMMAND failed (status %d)",
                    (unsigned long long)req->id, status);
    struct json_writer w;
    reply_json_begin(req, &w);
    jw_object_begin(&w);
    jw_member_string(&w, "result", ok ? "OK" : "KO");
    jw_member_string(&w, "output", output.data);
    jw_object_end(&w);
    reply_json_end(req, &w, 200);
    buf_free(&output);
}

const struct route web_admin_routes[] = {
    {"GET", "/admin/client_sharing_activate.json/<client_uuid>", sharing_activate, ROUTE_ADMIN},
    {"POST", "/admin/client_sharing_activate.json/<client_uuid>", sharing_activate, ROUTE_ADMIN},
    {"GET", "/admin/client_sharing_deactivate.json/<client_uuid>", sharing_deactivate, ROUTE_ADMIN},
    {"POST", "/admin/client_sharing_deactivate.json/<client_uuid>", sharing_deactivate, ROUTE_ADMIN},
    {"GET", "/admin/update.json", update, ROUTE_ADMIN},
};
const size_t web_admin_routes_count = sizeof web_admin_routes / sizeof web_admin_routes[0];
