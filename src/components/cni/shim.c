/*
 * podnet-cni-shim: the thin CNI plugin client. A Node.js process costs 80-100 ms to start, several
 * times a whole reference bridge ADD; this program costs about 1 ms. It forwards one CNI call
 * (the CNI_* environment and stdin) to the podnet agent serving the node's namespace on a unix
 * socket, and prints the agent's answer with its exit code, exactly as the plugin would.
 *
 * When no agent answers, it runs the stand-alone plugin instead: argv[1..] is that command
 * (e.g. "node /path/dist/components/cni/main.js"), exec'd with stdin untouched.
 *
 * Socket: $PODNET_CNI_SOCKET if set; else /run/podnet/<netns name>/cni.sock, where <netns name>
 * is the entry of /run/netns that is this process's network namespace (the node agent runs in the
 * node's namespace, and so does the runtime that calls the plugin); else /run/podnet/cni.sock.
 *
 * Protocol (see server.ts): "PODNET-CNI/1\n", then NUL-terminated KEY=VALUE entries and an empty
 * one; the server answers "OK\n" (or "NO <reason>\n": use the fallback); then stdin, half-close;
 * the answer is "<exit code>\n" followed by the plugin's stdout.
 *
 * Build: cc -O2 -o podnet-cni-shim shim.c   (serveCni builds it; see shim-build.ts)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

extern char **environ;

static void fallback(char **argv) {
  if (argv[1] == NULL) {
    fputs("podnet-cni-shim: no podnet agent is serving this namespace and no fallback command was given\n", stderr);
    fputs("{\n    \"code\": 11,\n    \"msg\": \"podnet agent not reachable; try again later\"\n}", stdout);
    exit(1);
  }
  execvp(argv[1], argv + 1);
  fprintf(stderr, "podnet-cni-shim: cannot run %s: %s\n", argv[1], strerror(errno));
  exit(1);
}

static int write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) { if (errno == EINTR) continue; return -1; }
    p += w; n -= (size_t)w;
  }
  return 0;
}

/* The socket path for this namespace; returns 0 and fills buf. */
static void socket_path(char *buf, size_t len) {
  const char *env = getenv("PODNET_CNI_SOCKET");
  if (env && *env) { snprintf(buf, len, "%s", env); return; }
  snprintf(buf, len, "/run/podnet/cni.sock");
  struct stat self;
  if (stat("/proc/self/ns/net", &self) != 0) return;
  DIR *d = opendir("/run/netns");
  if (!d) return;
  struct dirent *e;
  char p[512];
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    struct stat st;
    snprintf(p, sizeof p, "/run/netns/%s", e->d_name);
    if (stat(p, &st) == 0 && st.st_ino == self.st_ino && st.st_dev == self.st_dev) {
      snprintf(buf, len, "/run/podnet/%s/cni.sock", e->d_name);
      break;
    }
  }
  closedir(d);
}

int main(int argc, char **argv) {
  (void)argc;
  char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
  socket_path(path, sizeof path);

  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path);
  if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) fallback(argv);

  /* Header: magic, the CNI_* variables and the plugin name, our namespace's inode. */
  char hdr[65536];
  size_t n = (size_t)snprintf(hdr, sizeof hdr, "PODNET-CNI/1\n");
  for (char **e = environ; *e; e++) {
    if (strncmp(*e, "CNI_", 4) != 0 && strncmp(*e, "PODNET_CNI_PLUGIN=", 18) != 0) continue;
    size_t l = strlen(*e) + 1;
    if (n + l + 64 > sizeof hdr) break;
    memcpy(hdr + n, *e, l);
    n += l;
  }
  struct stat self;
  if (stat("/proc/self/ns/net", &self) == 0) n += (size_t)snprintf(hdr + n, 64, "PODNET_NETNS_INO=%lu", (unsigned long)self.st_ino) + 1;
  hdr[n++] = '\0';
  if (write_all(fd, hdr, n) != 0) fallback(argv);

  /* Handshake: the agent refuses calls from another namespace; then the stand-alone plugin runs. */
  char line[256];
  size_t ln = 0;
  while (ln < sizeof line - 1) {
    ssize_t r = read(fd, line + ln, 1);
    if (r <= 0) fallback(argv);
    if (line[ln++] == '\n') break;
  }
  line[ln] = '\0';
  if (strcmp(line, "OK\n") != 0) { close(fd); fallback(argv); }

  /* stdin, then half-close so the agent knows the configuration is complete. */
  char buf[65536];
  for (;;) {
    ssize_t r = read(0, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    if (write_all(fd, buf, (size_t)r) != 0) break;
  }
  shutdown(fd, SHUT_WR);

  /* Answer: exit code line, then stdout. A broken connection after the handshake is code 11. */
  int code = -1;
  ln = 0;
  for (;;) {
    ssize_t r = read(fd, line + ln, 1);
    if (r <= 0) break;
    if (line[ln] == '\n') { line[ln] = '\0'; code = atoi(line); break; }
    if (++ln >= sizeof line - 1) break;
  }
  if (code < 0) {
    fputs("{\n    \"code\": 11,\n    \"msg\": \"the podnet agent closed the connection before answering; try again later\"\n}", stdout);
    return 1;
  }
  for (;;) {
    ssize_t r = read(fd, buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    if (write_all(1, buf, (size_t)r) != 0) break;
  }
  return code;
}
