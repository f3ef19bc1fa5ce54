/// The messages, enums and service of the wire protocol (package `fluxion.v1`, Protos/fluxion/v1).
///
/// Everything inside is generated from the .proto files by scripts/gen-protos.sh into
/// Sources/FluxionWire/Generated: adding a field is one edit in a .proto, then regenerating.
/// Each message is a Swift value that encodes and decodes through protobuf-c (`WireMessage`);
/// see docs/PROTOCOL.md, "Swift types", for how proto names become Swift names.
public enum Wire {}
