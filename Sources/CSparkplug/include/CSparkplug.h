// Umbrella header for the protobuf-c code generated from Protos/sparkplug (scripts/gen-protos.sh).
#ifndef CSPARKPLUG_H
#define CSPARKPLUG_H
#include "sparkplug/b/sparkplug_b.pb-c.h"
#endif
