/*
 * qe_fdh: one non-blocking fd + one uv_poll_t, driving JS callbacks on the JS thread.
 *
 * Call order from JS (enforced by the Tun/Udp classes, which own a qe_fdh each):
 *   setReadable(cb)   start level-triggered read interest; cb() runs once per loop turn while the
 *                     fd has data. The callback must drain (read until a batch comes back short),
 *                     otherwise it is simply called again on the next turn; no data is lost.
 *   setReadable(null) stop read interest (back-pressure: the caller stops reading).
 *   armWritable(cb)   one-shot: cb() runs once when the fd becomes writable, then interest is
 *                     dropped. Used after a batched send stopped early on EAGAIN.
 *   close()           idempotent; stops the poll, closes the fd; pending callbacks are dropped.
 * A callback that throws is reported like an uncaught exception from an event emitter; a
 * throwing read callback is also unset (read interest stops) so it cannot throw every turn.
 *
 * Memory: the uv_poll_t is heap-allocated and freed in its uv_close callback. The owner struct
 * (which embeds this qe_fdh) is freed by qe_fdh_release() only once both the JS wrapper has been
 * finalized and the uv handle is closed, so no callback ever sees freed memory.
 */
#include "qe.h"

#include <stdlib.h>
#include <unistd.h>

/* Returns 1 when the callback threw (the exception is then reported as uncaught). */
static int call_js(qe_fdh *h, napi_value cb) {
  napi_env env = h->env;
  napi_value recv, result;
  napi_get_global(env, &recv); /* napi_make_callback needs an object receiver */
  napi_status st = napi_make_callback(env, h->actx, recv, cb, 0, NULL, &result);
  if (st == napi_pending_exception) {
    /* An exception escaped the JS callback: report it like an uncaught exception from an event
     * emitter instead of leaving it pending inside a libuv callback. */
    napi_value err;
    if (napi_get_and_clear_last_exception(env, &err) == napi_ok) napi_fatal_exception(env, err);
    return 1;
  }
  return 0;
}

static void on_poll(uv_poll_t *p, int status, int events);

static int restart_poll(qe_fdh *h) {
  if (h->fd < 0) return 0;
  if (!h->poll) {
    if (h->events == 0) return 0;
    uv_loop_t *loop = NULL;
    if (napi_get_uv_event_loop(h->env, &loop) != napi_ok || !loop) return -1;
    h->poll = calloc(1, sizeof(uv_poll_t));
    if (!h->poll) return -1;
    int r = uv_poll_init(loop, h->poll, h->fd);
    if (r != 0) {
      free(h->poll);
      h->poll = NULL;
      return r;
    }
    h->poll->data = h;
  }
  if (h->events == 0) return uv_poll_stop(h->poll);
  return uv_poll_start(h->poll, h->events, on_poll);
}

static void on_poll(uv_poll_t *p, int status, int events) {
  qe_fdh *h = p->data;
  if (!h || h->fd < 0) return;
  napi_env env = h->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  /* On a poll error let the JS side call read/write, which then throws the real errno. */
  if (status < 0) events = h->events;
  if ((events & UV_WRITABLE) && h->on_writable) {
    napi_value cb = NULL;
    napi_get_reference_value(env, h->on_writable, &cb);
    napi_delete_reference(env, h->on_writable);
    h->on_writable = NULL;
    h->events &= ~UV_WRITABLE;
    restart_poll(h);
    if (cb) call_js(h, cb);
  }
  /* The writable callback may have closed the handle; re-check before reading. */
  if ((events & UV_READABLE) && h->fd >= 0 && h->on_readable) {
    napi_value cb = NULL;
    napi_get_reference_value(env, h->on_readable, &cb);
    /* A throwing read callback would throw again every loop turn (level-triggered): drop read
     * interest after the first throw, so the owner sees one uncaught exception, not a storm. */
    if (cb && call_js(h, cb) && h->fd >= 0) {
      napi_delete_reference(env, h->on_readable);
      h->on_readable = NULL;
      h->events &= ~UV_READABLE;
      restart_poll(h);
    }
  }
  napi_close_handle_scope(env, scope);
}

int qe_fdh_init(napi_env env, qe_fdh *h, int fd, const char *resource_name) {
  h->env = env;
  h->fd = fd;
  h->poll = NULL;
  h->events = 0;
  h->on_readable = h->on_writable = NULL;
  h->closing = 0;
  h->finalized = 0;
  napi_value res, name;
  if (napi_create_object(env, &res) != napi_ok) return 0;
  if (napi_create_string_utf8(env, resource_name, NAPI_AUTO_LENGTH, &name) != napi_ok) return 0;
  if (napi_create_reference(env, res, 1, &h->resource) != napi_ok) return 0;
  return napi_async_init(env, res, name, &h->actx) == napi_ok;
}

static void set_ref(napi_env env, napi_ref *slot, napi_value cb) {
  if (*slot) {
    napi_delete_reference(env, *slot);
    *slot = NULL;
  }
  if (cb) napi_create_reference(env, cb, 1, slot);
}

/* Returns the callback if `v` is a function, NULL for null/undefined; throws otherwise. */
static int as_callback(napi_env env, napi_value v, napi_value *cb) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (t == napi_null || t == napi_undefined) {
    *cb = NULL;
    return 1;
  }
  if (t != napi_function) {
    napi_throw_type_error(env, "ERR_INVALID_ARG", "callback: expected a function or null");
    return 0;
  }
  *cb = v;
  return 1;
}

napi_value qe_fdh_set_readable(napi_env env, qe_fdh *h, napi_value v) {
  napi_value cb;
  if (!as_callback(env, v, &cb)) return NULL;
  if (h->fd < 0) {
    if (cb) qe_throw_errno(env, 9 /* EBADF */, "poll (handle is closed)");
    return NULL;
  }
  set_ref(env, &h->on_readable, cb);
  if (cb) h->events |= UV_READABLE;
  else h->events &= ~UV_READABLE;
  int r = restart_poll(h);
  if (r != 0) qe_throw_code(env, "EPOLL", uv_strerror(r));
  return NULL;
}

napi_value qe_fdh_arm_writable(napi_env env, qe_fdh *h, napi_value v) {
  napi_value cb;
  if (!as_callback(env, v, &cb)) return NULL;
  if (h->fd < 0) {
    if (cb) qe_throw_errno(env, 9 /* EBADF */, "poll (handle is closed)");
    return NULL;
  }
  set_ref(env, &h->on_writable, cb);
  if (cb) h->events |= UV_WRITABLE;
  else h->events &= ~UV_WRITABLE;
  int r = restart_poll(h);
  if (r != 0) qe_throw_code(env, "EPOLL", uv_strerror(r));
  return NULL;
}

static void on_poll_closed(uv_handle_t *handle) {
  qe_fdh *h = handle->data;
  free(handle);
  h->closing = 0;
  if (h->finalized && h->release) h->release(h);
}

void qe_fdh_close(napi_env env, qe_fdh *h) {
  if (h->fd < 0) return;
  set_ref(env, &h->on_readable, NULL);
  set_ref(env, &h->on_writable, NULL);
  h->events = 0;
  if (h->poll) {
    uv_poll_stop(h->poll);
    h->closing = 1;
    uv_close((uv_handle_t *)h->poll, on_poll_closed);
    h->poll = NULL;
  }
  close(h->fd);
  h->fd = -1;
  if (h->actx) {
    napi_async_destroy(env, h->actx);
    h->actx = NULL;
  }
  if (h->resource) {
    napi_delete_reference(env, h->resource);
    h->resource = NULL;
  }
}

/* Called from the wrapper's finalizer. */
void qe_fdh_finalize(napi_env env, qe_fdh *h) {
  qe_fdh_close(env, h);
  h->finalized = 1;
  if (!h->closing && h->release) h->release(h);
}
