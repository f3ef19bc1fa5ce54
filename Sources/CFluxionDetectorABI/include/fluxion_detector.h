/* Placeholder: the plugin ABI is defined by the detector-plugin work (issue 6). */
#ifndef FLUXION_DETECTOR_H
#define FLUXION_DETECTOR_H
#endif
