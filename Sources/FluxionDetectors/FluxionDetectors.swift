/// FluxionDetectors: the plugin host (dlopen, ABI check, run, swap).
public enum FluxionDetectors {}
