#ifndef CEPOLL_SHIM_H
#define CEPOLL_SHIM_H
/* epoll for the streaming benchmark's many-connection reader (Glibc's Swift module lacks it). */
#include <sys/epoll.h>
#endif
