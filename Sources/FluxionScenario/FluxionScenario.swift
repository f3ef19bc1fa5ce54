/// FluxionScenario: scenario files (YAML) turned into twin networks.
public enum FluxionScenario {}
