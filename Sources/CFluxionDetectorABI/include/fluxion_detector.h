/*
 * fluxion_detector.h — the Fluxion detector plugin boundary (ABI version 1).
 *
 * A detector plugin is a shared library (lib<Name>.so) exporting one C function:
 *
 *     const fluxion_detector_api *fluxion_detector_entry(void);
 *
 * which returns a table of entry points that stays valid for the life of the process. Only C
 * types and bytes cross this boundary: no Swift (or C++) type ever does, because the host and
 * each plugin carry their own copies of any shared Swift module.
 *
 * Handshake: the host reads `abi_version` and `struct_size` first and refuses the plugin when
 * `abi_version` differs from FLUXION_DETECTOR_ABI_VERSION or `struct_size` is smaller than the
 * size of the version-1 table. Fields are only ever added at the END of a struct (as SQLite's
 * sqlite3_api_routines); a newer plugin with a larger struct_size still loads in an older host.
 *
 * Ownership: the plugin frees what it allocates (states, error texts, its table); it never
 * frees or keeps pointers to its inputs beyond the call that received them. The host frees
 * what it allocates (configuration, samples, the estimate it passes for filling).
 *
 * Threading: the host calls a given state from one thread at a time (it may be a different
 * thread from call to call). `create` with a NULL-state `last_error` pair is serialized by the
 * host per plugin.
 *
 * Writing a plugin in Swift needs no C: see docs/PLUGINS.md (FluxionDetectorKit's
 * `DetectorExport.table(for:)` builds this table from a Swift `Detector` type).
 */
#ifndef FLUXION_DETECTOR_H
#define FLUXION_DETECTOR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The ABI version this header describes. */
#define FLUXION_DETECTOR_ABI_VERSION 1u

/** Name of the entry point every plugin exports. */
#define FLUXION_DETECTOR_ENTRY_SYMBOL "fluxion_detector_entry"

/** One sample of one sensor (24 bytes). */
typedef struct fluxion_sample {
    /** Index of the sensor in the network description's `sensors` array. */
    uint32_t sensor_index;
    /** 1: valid; 0: the sensor has dropped out (value is NaN). */
    uint32_t valid;
    /** Value in the sensor's unit (see the network description). */
    double value;
    /** Reserved, zero. */
    uint64_t reserved;
} fluxion_sample;

/** What the detector says after a tick. The host fills it with "no leak, unknown" first. */
typedef struct fluxion_estimate {
    /** Leak probability, 0…1. NaN, infinities or values outside 0…1 make the host mark the
     *  detector failed. */
    double probability;
    /** Index into the network description's `pipes` of the estimated leak pipe; -1: unknown. */
    int32_t pipe_index;
    uint32_t reserved;
    /** Position along that pipe from its start, m; NaN: unknown. */
    double position_m;
    /** Leak outflow as a fraction of the pipe's nominal flow; NaN: unknown. */
    double size_fraction;
} fluxion_estimate;

/** What `create` receives. Every pointer is owned by the host and valid only during the call. */
typedef struct fluxion_detector_config {
    /** sizeof(fluxion_detector_config) as the host knows it. */
    uint32_t struct_size;
    uint32_t reserved;
    /** The network as UTF-8 JSON, not NUL-terminated: FluxionDetectorKit's NetworkDescription, in
     *  the schema of docs/PLUGINS.md ("The network description"; key `schemaVersion`, now 1). */
    const uint8_t *network_json;
    size_t network_json_len;
    /** The detector's configuration as UTF-8 JSON; length 0: the detector's defaults. */
    const uint8_t *config_json;
    size_t config_json_len;
} fluxion_detector_config;

/** Opaque detector state, owned by the plugin. */
typedef struct fluxion_detector_state fluxion_detector_state;

/** The table of entry points (version 1). Add fields at the end only. */
typedef struct fluxion_detector_api {
    /** REQUIRED. FLUXION_DETECTOR_ABI_VERSION of the header the plugin was built with. */
    uint32_t abi_version;
    /** REQUIRED. sizeof(fluxion_detector_api) of the header the plugin was built with. */
    uint32_t struct_size;

    /** REQUIRED. Short detector name ("threshold"); static, NUL-terminated, owned by the plugin. */
    const char *name;
    /** REQUIRED. Version of the detector ("1.0.0"); static, owned by the plugin. */
    const char *version;
    /** OPTIONAL (may be NULL). One-line description; static, owned by the plugin. */
    const char *description;

    /** REQUIRED. Creates a detector for a network and a configuration. `api` is this table (so
     *  one implementation can serve several tables). Returns NULL on failure; the reason is then
     *  `last_error(api, NULL)`. The returned state belongs to the plugin: free it in `destroy`. */
    fluxion_detector_state *(*create)(const struct fluxion_detector_api *api,
                                      const fluxion_detector_config *config);

    /** REQUIRED. Frees a state from `create` (and everything it owns). NULL is a no-op. */
    void (*destroy)(fluxion_detector_state *state);

    /** REQUIRED. Observes the samples of one simulated instant and writes the current estimate.
     *  `samples` (host-owned, `count` entries) and `out` are valid only during the call.
     *  Returns 0 on success; non-zero: failure, reason in `last_error(api, state)`. */
    int32_t (*observe)(fluxion_detector_state *state, double sim_time_s,
                       const fluxion_sample *samples, size_t count, fluxion_estimate *out);

    /** REQUIRED. The last error text for `state`, or for the last failed `create` when `state`
     *  is NULL. NUL-terminated UTF-8 owned by the plugin, valid until the next call on that
     *  state (or the next `create`); NULL or "" when there is none. */
    const char *(*last_error)(const struct fluxion_detector_api *api, fluxion_detector_state *state);

    /** OPTIONAL (may be NULL). Forgets what was learned, as if freshly created. */
    void (*reset)(fluxion_detector_state *state);

    /* ---- Added after the first release of version 1: present when struct_size covers them. */

    /** OPTIONAL (may be NULL, or beyond struct_size). Simulated seconds of normal operation the
     *  detector still needs before it can detect (what it sees meanwhile it learns as normal):
     *  0 when ready, negative when it cannot tell. The host asks between ticks; fluxiond warms
     *  detectors up with it at start and shows it in ListDetectors. */
    double (*learning_remaining_s)(fluxion_detector_state *state);
} fluxion_detector_api;

/** Size of the table as first released: the host accepts any struct_size from here on, and
 *  reads a later field only when struct_size covers it. */
#define FLUXION_DETECTOR_API_BASE_SIZE offsetof(fluxion_detector_api, learning_remaining_s)

/** The one exported entry point: returns the plugin's table (never NULL), valid forever. */
typedef const fluxion_detector_api *(*fluxion_detector_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif /* FLUXION_DETECTOR_H */
