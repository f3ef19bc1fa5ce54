/// FluxionLOF: Local Outlier Factor with scikit-learn's novelty semantics.
public enum FluxionLOF {}
