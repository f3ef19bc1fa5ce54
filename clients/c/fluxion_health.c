/*
 * fluxion_health: a minimal blocking Fluxion client in C (protocol: docs/PROTOCOL.md).
 * Connects, does the handshake, calls Health and GetServerInfo and prints the results.
 *
 *   fluxion_health [HOST:PORT] [METHOD]
 *
 * HOST:PORT defaults to 127.0.0.1:7400. METHOD, if given, is one more unary call (short name,
 * empty request) whose status is printed; it shows how errors come back. Any failure prints one
 * line on stderr and exits 1. One call at a time, so frames for other call ids never arrive.
 */
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "fluxion/v1/service.pb-c.h"
#include "fluxion/v1/wire.pb-c.h"

#define MAX_FRAME (4u * 1024 * 1024) /* our own receive limit (PROTOCOL.md §3) */

static const char *status_names[] = {
    "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
    "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
    "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
    "UNAUTHENTICATED"};

static const char *status_name(int code) {
  /* §5: a number we do not know is UNKNOWN. */
  return (code >= 0 && code <= 16) ? status_names[code] : "UNKNOWN";
}

/* Every failure ends here: one line on stderr, exit status 1. */
__attribute__((format(printf, 1, 2), noreturn)) static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "fluxion_health: ");
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
  exit(1);
}

static void write_all(int fd, const uint8_t *p, size_t n) {
  while (n > 0) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) die("send: %s", strerror(errno));
    p += w;
    n -= (size_t)w;
  }
}

static void read_all(int fd, uint8_t *p, size_t n) {
  while (n > 0) {
    ssize_t r = recv(fd, p, n, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) die("timed out waiting for the server");
    if (r < 0) die("recv: %s", strerror(errno));
    if (r == 0) die("server closed the connection");
    p += r;
    n -= (size_t)r;
  }
}

/* Sends one frame: 4-byte big-endian length, then the packed Envelope. */
static void send_envelope(int fd, const Fluxion__V1__Envelope *env) {
  size_t n = fluxion__v1__envelope__get_packed_size(env);
  uint8_t *buf = malloc(4 + n);
  if (!buf) die("out of memory");
  buf[0] = (uint8_t)(n >> 24); buf[1] = (uint8_t)(n >> 16); buf[2] = (uint8_t)(n >> 8); buf[3] = (uint8_t)n;
  fluxion__v1__envelope__pack(env, buf + 4);
  write_all(fd, buf, 4 + n);
  free(buf);
}

/* Reads one frame; the caller frees it with fluxion__v1__envelope__free_unpacked. */
static Fluxion__V1__Envelope *read_envelope(int fd) {
  uint8_t len[4];
  read_all(fd, len, 4);
  uint32_t n = (uint32_t)len[0] << 24 | (uint32_t)len[1] << 16 | (uint32_t)len[2] << 8 | len[3];
  if (n > MAX_FRAME) die("server frame too large");
  uint8_t *body = malloc(n ? n : 1);
  if (!body) die("out of memory");
  read_all(fd, body, n);
  Fluxion__V1__Envelope *env = fluxion__v1__envelope__unpack(NULL, n, body);
  free(body);
  if (!env) die("server frame does not decode as fluxion.v1.Envelope");
  return env;
}

static void fail_goaway(const Fluxion__V1__Envelope *env) {
  die("server sent GOAWAY %s: %s", status_name(env->status), env->status_message);
}

/* One unary call. Returns the END frame (status and payload); answers PINGs while waiting. */
static Fluxion__V1__Envelope *unary(int fd, uint64_t call_id, const char *method,
                                    const uint8_t *req, size_t req_len) {
  char full[256];
  snprintf(full, sizeof full, "fluxion.v1.Fluxion/%s", method);
  Fluxion__V1__Envelope env = FLUXION__V1__ENVELOPE__INIT;
  env.call_id = call_id;
  env.kind = FLUXION__V1__FRAME_KIND__FRAME_KIND_REQUEST;
  env.method = full;
  env.payload.data = (uint8_t *)req;
  env.payload.len = req_len;
  send_envelope(fd, &env);
  for (;;) {
    Fluxion__V1__Envelope *in = read_envelope(fd);
    if (in->kind == FLUXION__V1__FRAME_KIND__FRAME_KIND_END && in->call_id == call_id) return in;
    if (in->kind == FLUXION__V1__FRAME_KIND__FRAME_KIND_GOAWAY) fail_goaway(in);
    if (in->kind == FLUXION__V1__FRAME_KIND__FRAME_KIND_PING) {
      Fluxion__V1__Envelope pong = FLUXION__V1__ENVELOPE__INIT;
      pong.kind = FLUXION__V1__FRAME_KIND__FRAME_KIND_PONG;
      pong.payload = in->payload;
      send_envelope(fd, &pong);
    }
    fluxion__v1__envelope__free_unpacked(in, NULL); /* anything else is not for us */
  }
}

static void check_ok(const Fluxion__V1__Envelope *end, const char *method) {
  if (end->status != FLUXION__V1__STATUS_CODE__STATUS_CODE_OK)
    die("%s failed: %s: %s", method, status_name(end->status), end->status_message);
}

static int dial(const char *host, const char *port) {
  struct addrinfo hints = {0}, *res, *ai;
  hints.ai_socktype = SOCK_STREAM;
  int rc = getaddrinfo(host, port, &hints, &res);
  if (rc != 0) die("cannot resolve %s: %s", host, gai_strerror(rc));
  int fd = -1, err = 0;
  for (ai = res; ai; ai = ai->ai_next) {
    fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
    if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) break;
    err = errno;
    if (fd >= 0) close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  if (fd < 0) die("cannot connect to %s: %s", host, strerror(err));
  struct timeval tv = {5, 0}; /* a silent server must not hang us */
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

int main(int argc, char **argv) {
  char hostport[256] = "127.0.0.1:7400";
  if (argc > 1) snprintf(hostport, sizeof hostport, "%s", argv[1]);
  char *colon = strrchr(hostport, ':');
  if (!colon) die("expected HOST:PORT, got %s", hostport);
  *colon = '\0';
  char *host = hostport;
  if (host[0] == '[') { host++; host[strlen(host) - 1] = '\0'; } /* [::1]:7400 */
  int fd = dial(host, colon + 1);

  /* Handshake: our preface, then the server's preface and HELLO (or GOAWAY). */
  static const uint8_t preface[8] = {'F', 'L', 'U', 'X', 'I', 'O', 'N', 1};
  write_all(fd, preface, 8);
  uint8_t theirs[8];
  read_all(fd, theirs, 8);
  if (memcmp(theirs, preface, 7) != 0) die("not a Fluxion server");
  Fluxion__V1__Envelope *hello_env = read_envelope(fd);
  if (hello_env->kind == FLUXION__V1__FRAME_KIND__FRAME_KIND_GOAWAY) fail_goaway(hello_env);
  if (hello_env->kind != FLUXION__V1__FRAME_KIND__FRAME_KIND_HELLO) die("expected HELLO");
  Fluxion__V1__ServerHello *hello =
      fluxion__v1__server_hello__unpack(NULL, hello_env->payload.len, hello_env->payload.data);
  if (!hello) die("HELLO payload does not decode");
  printf("server: %s %s protocol=%u max_frame_bytes=%u max_concurrent_calls=%u idle_timeout_ms=%u\n",
         hello->server_name, hello->server_version, hello->protocol_version, hello->max_frame_bytes,
         hello->max_concurrent_calls, hello->idle_timeout_ms);
  fluxion__v1__server_hello__free_unpacked(hello, NULL);
  fluxion__v1__envelope__free_unpacked(hello_env, NULL);

  /* Health: HealthRequest has no fields, so its encoding is empty. */
  Fluxion__V1__Envelope *end = unary(fd, 1, "Health", NULL, 0);
  check_ok(end, "Health");
  Fluxion__V1__HealthResponse *h = fluxion__v1__health_response__unpack(NULL, end->payload.len, end->payload.data);
  if (!h) die("Health response does not decode");
  const ProtobufCEnumValue *sv = protobuf_c_enum_descriptor_get_value(&fluxion__v1__serving_status__descriptor, h->status);
  printf("health: status=%s uptime_s=%.3f connections=%u open_calls=%u\n",
         sv ? sv->name : "?", h->uptime_s, h->connections, h->open_calls);
  fluxion__v1__health_response__free_unpacked(h, NULL);
  fluxion__v1__envelope__free_unpacked(end, NULL);

  end = unary(fd, 2, "GetServerInfo", NULL, 0);
  check_ok(end, "GetServerInfo");
  Fluxion__V1__ServerInfo *info = fluxion__v1__server_info__unpack(NULL, end->payload.len, end->payload.data);
  if (!info) die("GetServerInfo response does not decode");
  size_t implemented = 0;
  for (size_t i = 0; i < info->n_methods; i++) implemented += info->methods[i]->implemented;
  printf("methods: %zu (%zu implemented)\n", info->n_methods, implemented);
  for (size_t i = 0; i < info->n_methods; i++) {
    const Fluxion__V1__MethodInfo *m = info->methods[i];
    printf("  %s %s%s\n", m->name,
           m->kind == FLUXION__V1__METHOD_KIND__METHOD_KIND_SERVER_STREAMING ? "server-streaming" : "unary",
           m->implemented ? " implemented" : "");
  }
  fluxion__v1__server_info__free_unpacked(info, NULL);
  fluxion__v1__envelope__free_unpacked(end, NULL);

  if (argc > 2) { /* one more call, to show a non-OK status */
    end = unary(fd, 3, argv[2], NULL, 0);
    check_ok(end, argv[2]);
    printf("%s: OK (%zu bytes)\n", argv[2], end->payload.len);
    fluxion__v1__envelope__free_unpacked(end, NULL);
  }
  close(fd);
  return 0;
}
