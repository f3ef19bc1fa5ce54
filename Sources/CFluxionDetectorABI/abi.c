/* The ABI is header-only (include/fluxion_detector.h); SwiftPM needs one source file. */
