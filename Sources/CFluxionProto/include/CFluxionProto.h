// Umbrella header for the protobuf-c code generated from Protos/ (scripts/gen-protos.sh).
#ifndef CFLUXIONPROTO_H
#define CFLUXIONPROTO_H
#include "fluxion/v1/wire.pb-c.h"
#include "fluxion/v1/twin.pb-c.h"
#include "fluxion/v1/detectors.pb-c.h"
#include "fluxion/v1/alerts.pb-c.h"
#include "fluxion/v1/service.pb-c.h"
#endif
