/// FluxionLOF: Local Outlier Factor with scikit-learn's `LocalOutlierFactor(novelty=True)`
/// semantics, an exact k-nearest-neighbour KD-tree, and a versioned model file.
///
/// ```
///  FeatureMatrix ──fit──▶ LocalOutlierFactor ──scores(of:)──▶ LOFScores
///        │                      │                     (score_samples, decision_function, predict)
///  NumericCSV (CLI input)       └── LOFModel (+ FeatureScaling) ⇄ LOFModelFile (bytes, versioned)
/// ```
///
/// The algorithm itself (`KDTree`, `LocalOutlierFactor`, `NumpyReductions`) does no I/O;
/// `NumericCSV` and `LOFModel+File` are the only places that touch the file system.
public enum FluxionLOF {
    /// The scikit-learn release whose semantics this module reproduces (checked by the tests
    /// against `shared/reference/lof`).
    public static let sklearnReferenceVersion = "1.9.1"
}
