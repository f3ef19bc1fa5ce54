#!/usr/bin/env python3
"""Generates the Swift message types of the wire protocol and their protobuf-c glue.

Usage: gen_swift_messages.py DESCRIPTOR_SET OUTDIR
       gen_swift_messages.py --tests DESCRIPTOR_SET OUTFILE

DESCRIPTOR_SET is what `protoc --include_source_info --descriptor_set_out` writes for
Protos/fluxion/v1/*.proto; OUTDIR receives one `<name>.pb.swift` per .proto file. The descriptors
are read with Python's protobuf package (google.protobuf.descriptor_pb2); scripts/gen-protos.sh
runs this and formats the result with swift-format, and scripts/check-protos.sh fails when the
committed copy differs.

What the Swift side looks like (docs/PROTOCOL.md, "Swift types"):
- Every message and enum of package `fluxion.v1` is a type in the `Wire` namespace
  (`Wire.Reading`, `Wire.Quantity`), documented with the .proto comments.
- Fields are `var`s in lowerCamelCase (`sensor_id` -> `sensorID`, `pipe_ids` -> `pipeIDs`);
  scalars default to their proto3 zero, repeated fields to `[]`, message fields are optional.
- A oneof with several members is an optional Swift enum with one case per member; a oneof with
  one member (and a proto3 `optional` field) is an optional value.
- An enum keeps values it does not know as `.unrecognized(n)` (proto3 enums are open).
- Every message conforms to `WireMessage` (decoding with protobuf-c into an arena, encoding with
  protobuf-c's packer); the C structs never leave FluxionWire.
"""

import sys
from pathlib import Path

from google.protobuf import descriptor_pb2

FDP = descriptor_pb2.FieldDescriptorProto

SWIFT_KEYWORDS = {
    "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init",
    "inout", "internal", "let", "open", "operator", "private", "protocol", "public", "rethrows",
    "static", "struct", "subscript", "typealias", "var", "break", "case", "continue", "default",
    "defer", "do", "else", "fallthrough", "for", "guard", "if", "in", "repeat", "return", "switch",
    "where", "while", "as", "Any", "catch", "false", "is", "nil", "super", "self", "Self", "throw",
    "throws", "true", "try", "Type",
}

# Words written in capitals inside Swift names (Swift API Design Guidelines: acronyms).
ACRONYMS = {"id": "ID", "ids": "IDs", "json": "JSON", "url": "URL", "abi": "ABI"}

SCALARS = {
    FDP.TYPE_DOUBLE: ("Double", "0"),
    FDP.TYPE_FLOAT: ("Float", "0"),
    FDP.TYPE_INT64: ("Int64", "0"),
    FDP.TYPE_SINT64: ("Int64", "0"),
    FDP.TYPE_SFIXED64: ("Int64", "0"),
    FDP.TYPE_UINT64: ("UInt64", "0"),
    FDP.TYPE_FIXED64: ("UInt64", "0"),
    FDP.TYPE_INT32: ("Int32", "0"),
    FDP.TYPE_SINT32: ("Int32", "0"),
    FDP.TYPE_SFIXED32: ("Int32", "0"),
    FDP.TYPE_UINT32: ("UInt32", "0"),
    FDP.TYPE_FIXED32: ("UInt32", "0"),
}


class GeneratorError(Exception):
    pass


def camel_words(snake):
    return [w for w in snake.split("_") if w]


def lower_camel(snake):
    """`sensor_id` -> `sensorID`; the first word stays lower case unless it is an acronym's tail."""
    words = camel_words(snake.lower())
    out = []
    for i, w in enumerate(words):
        if i == 0:
            out.append(w)
        elif w in ACRONYMS:
            out.append(ACRONYMS[w])
        else:
            out.append(w[0].upper() + w[1:])
    return "".join(out)


def upper_camel(snake):
    name = lower_camel(snake)
    return name[0].upper() + name[1:]


def ident(name):
    return f"`{name}`" if name in SWIFT_KEYWORDS else name


def c_lower(name):
    """protobuf-c's lower-case spelling of a CamelCase name: `ReadingBatch` -> `reading_batch`."""
    out = []
    for i, ch in enumerate(name):
        if ch.isupper():
            if i != 0:
                out.append("_")
            out.append(ch.lower())
        else:
            out.append(ch)
    return "".join(out)


def c_package(package):
    return "__".join(p.capitalize() for p in package.split("."))


class Context:
    """Names of everything in the descriptor set: proto full name -> (kind, Swift name, C name)."""

    def __init__(self, files):
        self.messages = {}
        self.enums = {}
        for f in files:
            for m in f.message_type:
                if m.nested_type or m.enum_type:
                    raise GeneratorError(f"{f.name}: {m.name}: nested types are not supported")
                self.messages[f".{f.package}.{m.name}"] = (f, m)
            for e in f.enum_type:
                self.enums[f".{f.package}.{e.name}"] = (f, e)

    @staticmethod
    def c_type(package, name):
        return f"{c_package(package)}__{name}"

    @staticmethod
    def c_func(package, name):
        return f"{package.replace('.', '__')}__{c_lower(name)}"


class Comments:
    def __init__(self, f):
        self.by_path = {}
        for loc in f.source_code_info.location:
            self.by_path[tuple(loc.path)] = loc

    def doc(self, path, indent, fallback=None):
        loc = self.by_path.get(tuple(path))
        text = (loc.leading_comments or loc.trailing_comments) if loc is not None else ""
        if not text.strip():
            return [f"{indent}/// {fallback}"] if fallback else []
        lines = text.rstrip("\n").split("\n")
        out = []
        for line in lines:
            line = line[1:] if line.startswith(" ") else line
            out.append(f"{indent}/// {line}".rstrip())
        return out


def enum_value_case(enum_name, value_name):
    prefix = c_lower(enum_name).upper() + "_"
    if not value_name.startswith(prefix):
        raise GeneratorError(f"enum {enum_name}: value {value_name} does not start with {prefix}")
    return value_name[len(prefix):]


def gen_enum(f, e, index, comments):
    swift = e.name
    c_name = Context.c_type(f.package, e.name)
    if e.options.allow_alias:
        raise GeneratorError(f"enum {e.name}: aliases are not supported")
    values = []
    for j, v in enumerate(e.value):
        short = enum_value_case(e.name, v.name)
        values.append((ident(lower_camel(short)), short, v.number, j))
    out = []
    out.append("extension Wire {")
    out += comments.doc([5, index], "    ", f"`{f.package}.{e.name}` ({f.name}).")
    out.append(f"    public enum {swift}: RawRepresentable, CaseIterable, Hashable, Sendable, CustomStringConvertible {{")
    for case, short, number, j in values:
        out += comments.doc([5, index, 2, j], "        ", f"`{e.value[j].name}` = {number}.")
        out.append(f"        case {case}")
    out.append("        /// A value this build does not know (sent by a newer peer); proto3 enums are open.")
    out.append("        case unrecognized(Int32)")
    out.append("")
    out.append("        /// The values this build knows, in .proto order.")
    out.append(f"        public static let allCases: [Self] = [{', '.join('.' + c for c, _, _, _ in values)}]")
    out.append("")
    out.append("        /// The value for a wire number; numbers this build does not know become `.unrecognized`.")
    out.append("        public init(rawValue: Int32) {")
    out.append("            switch rawValue {")
    for case, short, number, j in values:
        out.append(f"            case {number}: self = .{case}")
    out.append("            default: self = .unrecognized(rawValue)")
    out.append("            }")
    out.append("        }")
    out.append("")
    out.append("        /// The wire number.")
    out.append("        public var rawValue: Int32 {")
    out.append("            switch self {")
    for case, short, number, j in values:
        out.append(f"            case .{case}: {number}")
    out.append("            case .unrecognized(let n): n")
    out.append("            }")
    out.append("        }")
    out.append("")
    out.append(f"        /// The value's .proto name without the `{c_lower(e.name).upper()}_` prefix, in lower case")
    out.append("        /// (`differential_pressure`): the spelling of the CLI, CSV and JSON.")
    out.append("        public var name: String {")
    out.append("            switch self {")
    for case, short, number, j in values:
        out.append(f'            case .{case}: "{short.lower()}"')
    out.append('            case .unrecognized(let n): "\\(n)"')
    out.append("            }")
    out.append("        }")
    out.append("")
    out.append("        /// The value whose `name` is `name`; nil for any other text.")
    out.append("        public init?(name: String) {")
    out.append("            guard let value = Self.allCases.first(where: { $0.name == name }) else { return nil }")
    out.append("            self = value")
    out.append("        }")
    out.append("")
    out.append(f"        /// The value's .proto name without the prefix, in capitals (`INVALID_ARGUMENT`).")
    out.append("        public var description: String {")
    out.append("            switch self {")
    for case, short, number, j in values:
        out.append(f'            case .{case}: "{short}"')
    out.append('            case .unrecognized(let n): "\\(n)"')
    out.append("            }")
    out.append("        }")
    out.append("    }")
    out.append("}")
    out.append("")
    out.append(f"extension Wire.{swift} {{")
    out.append(f"    init(c: {c_name}) {{ self.init(rawValue: Int32(bitPattern: c.rawValue)) }}")
    out.append(f"    var c: {c_name} {{ {c_name}(rawValue: UInt32(bitPattern: rawValue)) }}")
    out.append("}")
    return out


class Field:
    def __init__(self, ctx, f, m, fd):
        self.fd = fd
        self.name = fd.name
        self.swift = lower_camel(fd.name)
        self.number = fd.number
        self.repeated = fd.label == FDP.LABEL_REPEATED
        t = fd.type
        self.kind = None
        if t in SCALARS:
            self.kind = "scalar"
            self.swift_type, self.zero = SCALARS[t]
        elif t == FDP.TYPE_BOOL:
            self.kind, self.swift_type, self.zero = "bool", "Bool", "false"
        elif t == FDP.TYPE_STRING:
            self.kind, self.swift_type, self.zero = "string", "String", '""'
        elif t == FDP.TYPE_BYTES:
            self.kind, self.swift_type, self.zero = "bytes", "[UInt8]", "[]"
        elif t == FDP.TYPE_ENUM:
            ef, e = ctx.enums[fd.type_name]
            self.kind = "enum"
            self.swift_type = f"Wire.{e.name}"
            self.c_type = Context.c_type(ef.package, e.name)
            self.zero = f"Wire.{e.name}(rawValue: 0)"
        elif t == FDP.TYPE_MESSAGE:
            mf, msg = ctx.messages.get(fd.type_name, (None, None))
            if msg is None:
                raise GeneratorError(f"{m.name}.{fd.name}: unknown message {fd.type_name} (maps are not supported)")
            self.kind = "message"
            self.swift_type = f"Wire.{msg.name}"
            self.c_type = Context.c_type(mf.package, msg.name)
            self.c_init = Context.c_func(mf.package, msg.name) + "__init"
            self.zero = "nil"
        else:
            raise GeneratorError(f"{m.name}.{fd.name}: field type {t} is not supported")

    def decl_type(self):
        if self.repeated:
            return f"[{self.swift_type}]"
        if self.kind == "message":
            return f"{self.swift_type}?"
        return self.swift_type

    def default(self):
        if self.repeated:
            return "[]"
        if self.kind == "enum":
            return f"{self.swift_type}(rawValue: 0)"
        return self.zero

    def decode_single(self, expr):
        """Swift value of one C value (for a message: the struct, not the pointer)."""
        if self.kind == "scalar":
            return expr
        if self.kind == "bool":
            return f"{expr} != 0"
        if self.kind == "string":
            return f"ProtobufC.string({expr})"
        if self.kind == "bytes":
            return f"ProtobufC.bytes({expr})"
        if self.kind == "enum":
            return f"{self.swift_type}(c: {expr})"
        if self.kind == "message":
            return f"{self.swift_type}(cMessage: {expr})"
        raise AssertionError

    def decode(self):
        c = f"c.{self.name}"
        n = f"c.n_{self.name}"
        if self.repeated:
            if self.kind == "string":
                return f"ProtobufC.strings({n}, {c})"
            if self.kind == "message":
                return f"ProtobufC.list({n}, {c}) {{ {self.swift_type}(cMessage: $0) }}"
            if self.kind == "scalar":
                return f"ProtobufC.values({n}, {c}) {{ $0 }}"
            return f"ProtobufC.values({n}, {c}) {{ {self.decode_single('$0')} }}"
        if self.kind == "message":
            return f"{c}.map {{ {self.swift_type}(cMessage: $0.pointee) }}"
        return self.decode_single(c)

    def encode_single(self, value):
        """C value for one Swift value (not for messages)."""
        if self.kind == "scalar":
            return value
        if self.kind == "bool":
            return f"{value} ? 1 : 0"
        if self.kind == "string":
            return f"s.dup({value})"
        if self.kind == "bytes":
            return f"s.bytes({value})"
        if self.kind == "enum":
            return f"{value}.c"
        raise AssertionError

    def encode(self, value):
        """Statements that store `value` (a Swift expression) in c.pointee."""
        c = f"c.pointee.{self.name}"
        if self.repeated:
            pair = f"(c.pointee.n_{self.name}, {c})"
            if self.kind == "string":
                return [f"{pair} = ({value}.count, s.array({value}))"]
            if self.kind == "message":
                return [f"{pair} = s.messages({value}, initialize: {self.c_init}) {{ $0.fill($1, s) }}"]
            if self.kind == "bytes":
                return [f"{pair} = s.values({value}) {{ s.bytes($0) }}"]
            return [f"{pair} = s.values({value}) {{ {self.encode_single('$0')} }}"]
        if self.kind == "message":
            return [f"{c} = s.message(initialize: {self.c_init}) {{ {value}.fill($0, s) }}"]
        if self.kind in ("string", "bytes"):
            return [f"if !{value}.isEmpty {{ {c} = {self.encode_single(value)} }}"]
        return [f"{c} = {self.encode_single(value)}"]


def gen_message(ctx, f, m, index, comments):
    swift = m.name
    c_type = Context.c_type(f.package, m.name)
    c_func = Context.c_func(f.package, m.name)
    fields = [Field(ctx, f, m, fd) for fd in m.field]
    # Members: ("field", Field, field index) or ("oneof", oneof index, [(Field, field index)]).
    members = []
    seen_oneofs = set()
    for j, fl in enumerate(fields):
        if fl.fd.HasField("oneof_index"):
            k = fl.fd.oneof_index
            if k in seen_oneofs:
                continue
            seen_oneofs.add(k)
            group = [(g, gj) for gj, g in enumerate(fields) if g.fd.HasField("oneof_index") and g.fd.oneof_index == k]
            if any(g.repeated for g, _ in group):
                raise GeneratorError(f"{m.name}: repeated field in a oneof")
            members.append(("oneof", k, group))
        else:
            members.append(("field", fl, j))

    out = ["extension Wire {"]
    out += comments.doc([4, index], "    ", f"`{f.package}.{m.name}` ({f.name}).")
    out.append(f"    public struct {swift}: Equatable, Sendable {{")
    params = []
    assigns = []
    for member in members:
        if member[0] == "field":
            _, fl, j = member
            out += comments.doc([4, index, 2, j], "        ", f"`{fl.name}` = {fl.number}.")
            out.append(f"        public var {ident(fl.swift)}: {fl.decl_type()}")
            params.append(f"{ident(fl.swift)}: {fl.decl_type()} = {fl.default()}")
            assigns.append(f"self.{fl.swift} = {ident(fl.swift)}")
        else:
            _, k, group = member
            oneof = m.oneof_decl[k]
            name = lower_camel(oneof.name)
            out += comments.doc([4, index, 8, k], "        ")
            if len(group) == 1:
                fl, j = group[0]
                out += comments.doc([4, index, 2, j], "        ", f"`{fl.name}` = {fl.number} (nil: not set).")
                out.append(f"        public var {ident(fl.swift)}: {fl.swift_type}?")
                params.append(f"{ident(fl.swift)}: {fl.swift_type}? = nil")
                assigns.append(f"self.{fl.swift} = {ident(fl.swift)}")
            else:
                enum_name = upper_camel(oneof.name)
                out.append(f"        /// Oneof `{oneof.name}` (nil: none of its members is set).")
                out.append(f"        public var {ident(name)}: {enum_name}?")
                params.append(f"{ident(name)}: {enum_name}? = nil")
                assigns.append(f"self.{name} = {ident(name)}")
    for member in members:
        if member[0] == "oneof" and len(member[2]) > 1:
            _, k, group = member
            oneof = m.oneof_decl[k]
            out.append("")
            out.append(f"        /// The members of oneof `{oneof.name}`.")
            out.append(f"        public enum {upper_camel(oneof.name)}: Equatable, Sendable {{")
            for fl, j in group:
                out += comments.doc([4, index, 2, j], "            ", f"`{fl.name}` = {fl.number}.")
                out.append(f"            case {ident(fl.swift)}({fl.swift_type})")
            out.append("        }")
    out.append("")
    out.append("        /// A message with the given fields; every field left out is its proto3 default.")
    if params:
        out.append(f"        public init({', '.join(params)}) {{")
        for a in assigns:
            out.append(f"            {a}")
        out.append("        }")
    else:
        out.append("        public init() {}")
    out.append("    }")
    out.append("}")
    out.append("")

    # Codec.
    out.append(f"extension Wire.{swift}: WireMessage {{")
    out.append(f'    public static let protoName = "{f.package}.{m.name}"')
    out.append("")
    out.append("    public init(decoding bytes: UnsafeRawBufferPointer) throws(DecodeError) {")
    out.append(f"        self = try ProtobufC.unpack(bytes, type: Self.protoName, unpack: {c_func}__unpack) {{")
    out.append("            Self(cMessage: $0)")
    out.append("        }")
    out.append("    }")
    out.append("")
    out.append("    public func encoded() -> [UInt8] {")
    out.append(f"        withCMessage {{ ProtobufC.pack($0, size: {c_func}__get_packed_size, pack: {c_func}__pack) }}")
    out.append("    }")
    out.append("")
    out.append("    /// Runs `body` with this message as a protobuf-c struct, valid only inside `body`.")
    out.append(f"    func withCMessage<R>(_ body: (UnsafePointer<{c_type}>) -> R) -> R {{")
    out.append("        let s = CStrings()")
    out.append(f"        var m = {c_type}()")
    out.append(f"        {c_func}__init(&m)")
    out.append("        fill(&m, s)")
    out.append("        return withExtendedLifetime(s) { body(&m) }")
    out.append("    }")
    out.append("")
    uses_c = bool(fields)
    out.append(f"    init(cMessage {'c' if uses_c else '_'}: {c_type}) {{")
    out.append("        self.init()")
    for member in members:
        if member[0] == "field":
            _, fl, j = member
            out.append(f"        self.{fl.swift} = {fl.decode()}")
        else:
            _, k, group = member
            oneof = m.oneof_decl[k]
            case_field = f"c.{oneof.name}_case.rawValue"
            if len(group) == 1:
                fl, j = group[0]
                single = (f"c.{fl.name}.map {{ {fl.swift_type}(cMessage: $0.pointee) }}" if fl.kind == "message"
                          else fl.decode_single(f"c.{fl.name}"))
                out.append(f"        if {case_field} == {fl.number} {{ self.{fl.swift} = {single} }}")
            else:
                name = lower_camel(oneof.name)
                out.append(f"        switch {case_field} {{")
                for fl, j in group:
                    if fl.kind == "message":
                        out.append(f"        case {fl.number}: self.{name} = c.{fl.name}.map {{ .{ident(fl.swift)}({fl.swift_type}(cMessage: $0.pointee)) }}")
                    else:
                        out.append(f"        case {fl.number}: self.{name} = .{ident(fl.swift)}({fl.decode_single(f'c.{fl.name}')})")
                out.append("        default: break")
                out.append("        }")
    out.append("    }")
    out.append("")
    out.append(f"    func fill(_ {'c' if uses_c else '_'}: UnsafeMutablePointer<{c_type}>, _ {'s' if uses_c else '_'}: CStrings) {{")
    for member in members:
        if member[0] == "field":
            _, fl, j = member
            name = ident(fl.swift)
            if fl.kind == "message" and not fl.repeated:
                out.append(f"        if let value = {name} {{")
                out += ["            " + line for line in fl.encode("value")]
                out.append("        }")
            else:
                out += ["        " + line for line in fl.encode(name)]
        else:
            _, k, group = member
            oneof = m.oneof_decl[k]
            case_field = f"c.pointee.{oneof.name}_case"
            if len(group) == 1:
                fl, j = group[0]
                out.append(f"        if let value = {ident(fl.swift) if fl.swift in SWIFT_KEYWORDS else fl.swift} {{")
                out.append(f"            {case_field} = .init(rawValue: {fl.number})")
                if fl.kind in ("string", "bytes"):
                    out.append(f"            c.pointee.{fl.name} = {fl.encode_single('value')}")
                else:
                    out += ["            " + line for line in fl.encode("value")]
                out.append("        }")
            else:
                name = lower_camel(oneof.name)
                out.append(f"        switch self.{name} {{")
                for fl, j in group:
                    out.append(f"        case .{ident(fl.swift)}(let value)?:")
                    out.append(f"            {case_field} = .init(rawValue: {fl.number})")
                    if fl.kind in ("string", "bytes"):
                        out.append(f"            c.pointee.{fl.name} = {fl.encode_single('value')}")
                    else:
                        out += ["            " + line for line in fl.encode("value")]
                out.append("        case nil: break")
                out.append("        }")
    out.append("    }")
    out.append("}")
    return out


def gen_service(f, svc, index, comments):
    out = ["extension Wire {"]
    out += comments.doc([6, index], "    ", f"The methods of `{f.package}.{svc.name}`.")
    out.append(f"    public enum {svc.name} {{")
    out.append(f'        /// The service\'s full name; a method\'s wire name is `{f.package}.{svc.name}/<Method>`.')
    out.append(f'        public static let name = "{f.package}.{svc.name}"')
    names = []
    for j, rpc in enumerate(svc.method):
        if rpc.client_streaming:
            raise GeneratorError(f"{svc.name}.{rpc.name}: client streaming is not supported")
        kind = ".serverStreaming" if rpc.server_streaming else ".unary"
        var = rpc.name[0].lower() + rpc.name[1:]
        names.append(var)
        out.append("")
        out.append(f"        /// `{rpc.name}`.")
        out.append(f"        /// Request `{rpc.input_type.lstrip('.')}`, response "
                   f"{'a stream of ' if rpc.server_streaming else ''}`{rpc.output_type.lstrip('.')}`.")
        out.append(f'        public static let {var} = MethodDescriptor(service: name, name: "{rpc.name}", kind: {kind})')
    out.append("")
    out.append("        /// Every method, in .proto order.")
    out.append(f"        public static let methods: [MethodDescriptor] = [{', '.join(names)}]")
    out.append("")
    out.append("        /// The request message type of each method, by method name.")
    out.append("        public static let requestTypes: [String: any WireMessage.Type] = [")
    for rpc in svc.method:
        out.append(f'            "{rpc.name}": Wire.{rpc.input_type.split(".")[-1]}.self,')
    out.append("        ]")
    out.append("")
    out.append("        /// The response (or stream message) type of each method, by method name.")
    out.append("        public static let responseTypes: [String: any WireMessage.Type] = [")
    for rpc in svc.method:
        out.append(f'            "{rpc.name}": Wire.{rpc.output_type.split(".")[-1]}.self,')
    out.append("        ]")
    out.append("    }")
    out.append("}")
    return out


def generate(files, outdir):
    ctx = Context(files)
    outdir.mkdir(parents=True, exist_ok=True)
    for f in files:
        if f.package != "fluxion.v1":
            continue
        comments = Comments(f)
        base = Path(f.name).stem
        lines = [
            f"// Generated by scripts/gen-protos.sh from Protos/{f.name}; do not edit.",
            "",
            "import CFluxionProto",
            "",
        ]
        chunks = []
        for i, e in enumerate(f.enum_type):
            chunks.append(gen_enum(f, e, i, comments))
        for i, m in enumerate(f.message_type):
            chunks.append(gen_message(ctx, f, m, i, comments))
        for i, svc in enumerate(f.service):
            chunks.append(gen_service(f, svc, i, comments))
        for n, chunk in enumerate(chunks):
            if n:
                lines.append("")
            lines += chunk
        (outdir / f"{base}.pb.swift").write_text("\n".join(lines) + "\n")
    everything = [f"Wire.{m.name}.self" for f in files if f.package == "fluxion.v1" for m in f.message_type]
    (outdir / "Wire+Messages.pb.swift").write_text("\n".join([
        "// Generated by scripts/gen-protos.sh from Protos/fluxion/v1; do not edit.",
        "",
        "extension Wire {",
        "    /// Every message type of the protocol, in .proto file and declaration order.",
        f"    public static let messageTypes: [any WireMessage.Type] = [{', '.join(everything)}]",
        "}",
    ]) + "\n")


class Sample:
    """A message with every field set to a value unlike its default, built twice: as Swift source
    and as a message of Google's Python protobuf runtime, whose encoding the Swift test compares
    against (an encoder nobody here wrote). `variant` picks which member of each oneof is set."""

    def __init__(self, ctx):
        self.ctx = ctx

    def scalar(self, fl, k):
        n = fl.number + 10 * k
        t = fl.fd.type
        if t in (FDP.TYPE_DOUBLE, FDP.TYPE_FLOAT):
            return f"{n}.5", n + 0.5
        if t in (FDP.TYPE_INT64, FDP.TYPE_SINT64, FDP.TYPE_SFIXED64):
            v = -(n * 1_000_003_001)
            return str(v), v
        if t in (FDP.TYPE_UINT64, FDP.TYPE_FIXED64):
            v = n * (1 << 40) + 7
            return str(v), v
        if t in (FDP.TYPE_INT32, FDP.TYPE_SINT32, FDP.TYPE_SFIXED32):
            v = -(n * 1001)
            return str(v), v
        v = n * 1001
        return str(v), v

    def value(self, fl, k, depth):
        """(Swift literal, Python value or a callable that fills a Python submessage)."""
        if fl.kind == "scalar":
            return self.scalar(fl, k)
        if fl.kind == "bool":
            return "true", True
        if fl.kind == "string":
            text = f"{fl.name}-{k}-é✓"
            return '"' + text + '"', text
        if fl.kind == "bytes":
            b = bytes([0, 255, fl.number, k])
            return "[" + ", ".join(str(x) for x in b) + "]", b
        if fl.kind == "enum":
            ef, e = self.ctx.enums[fl.fd.type_name]
            v = e.value[len(e.value) - 1 - (k % max(1, len(e.value) - 1))]
            case = ident(lower_camel(enum_value_case(e.name, v.name)))
            return f"Wire.{e.name}.{case}", v.number
        if fl.kind == "message":
            mf, m = self.ctx.messages[fl.fd.type_name]
            return self.message(mf, m, 0, depth + 1)
        raise AssertionError

    def message(self, f, m, variant, depth):
        """(Swift expression, function that fills a Python message of type m)."""
        fields = [Field(self.ctx, f, m, fd) for fd in m.field]
        args = []
        fills = []
        done_oneofs = set()
        for fl in fields:
            if fl.fd.HasField("oneof_index"):
                k = fl.fd.oneof_index
                if k in done_oneofs:
                    continue
                done_oneofs.add(k)
                group = [g for g in fields if g.fd.HasField("oneof_index") and g.fd.oneof_index == k]
                chosen = group[variant % len(group)]
                swift, py = self.value(chosen, 0, depth)
                if len(group) == 1:
                    args.append(f"{chosen.swift}: {swift}")
                else:
                    args.append(f"{lower_camel(m.oneof_decl[k].name)}: .{ident(chosen.swift)}({swift})")
                fills.append((chosen, py, False))
                continue
            if fl.kind == "message" and depth >= 3:
                continue
            if fl.repeated:
                items = [self.value(fl, k, depth) for k in range(2)]
                args.append(f"{fl.swift}: [{', '.join(sw for sw, _ in items)}]")
                fills.append((fl, [py for _, py in items], True))
            else:
                swift, py = self.value(fl, 0, depth)
                args.append(f"{fl.swift}: {swift}")
                fills.append((fl, py, False))

        def fill(pm):
            for fl, py, repeated in fills:
                if fl.kind == "message":
                    if repeated:
                        for item in py:
                            item(getattr(pm, fl.name).add())
                    else:
                        sub = getattr(pm, fl.name)
                        sub.SetInParent()  # present even when the submessage is empty
                        py(sub)
                elif repeated:
                    getattr(pm, fl.name).extend(py)
                else:
                    setattr(pm, fl.name, py)

        return f"Wire.{m.name}({', '.join(args)})", fill


def generate_tests(files, outfile):
    from google.protobuf import descriptor_pool, message_factory

    pool = descriptor_pool.DescriptorPool()
    for f in files:
        pool.Add(f)
    ctx = Context(files)
    sample = Sample(ctx)
    lines = [
        "// Generated by scripts/gen-protos.sh from Protos/fluxion/v1; do not edit.",
        "//",
        "// For every message: a value with every field set (each member of each oneof in turn) encodes",
        "// to exactly the bytes Google's Python protobuf runtime makes of the same message, decodes",
        "// back to itself from both, and the empty message encodes to nothing.",
        "",
        "import FluxionWire",
        "import Testing",
        "",
        "@Suite struct MessageRoundTripTests {",
    ]
    first = True
    for f in files:
        if f.package != "fluxion.v1":
            continue
        for m in f.message_type:
            desc = pool.FindMessageTypeByName(f"{f.package}.{m.name}")
            cls = message_factory.MessageFactory(pool).GetPrototype(desc)
            oneof_sizes = [sum(1 for fd in m.field if fd.HasField("oneof_index") and fd.oneof_index == k)
                           for k in range(len(m.oneof_decl))]
            variants = max([1] + oneof_sizes)
            if not first:
                lines.append("")
            first = False
            lines.append(f"    @Test func {m.name[0].lower() + m.name[1:]}() throws {{")
            lines.append(f"        #expect(Wire.{m.name}().encoded().isEmpty)")
            for v in range(variants):
                swift, fill = sample.message(f, m, v, 0)
                pm = cls()
                fill(pm)
                ref = pm.SerializeToString(deterministic=True)
                lines.append(f"        do {{")
                lines.append(f"            let value = {swift}")
                lines.append(f"            let reference: [UInt8] = [{', '.join(str(b) for b in ref)}]")
                lines.append(f"            #expect(value.encoded() == reference)")
                lines.append(f"            #expect(try Wire.{m.name}(decoding: reference) == value)")
                lines.append(f"            #expect(try Wire.{m.name}(decoding: value.encoded()) == value)")
                lines.append(f"        }}")
            lines.append("    }")
    lines.append("}")
    Path(outfile).write_text("\n".join(lines) + "\n")


def main(argv):
    if len(argv) == 4 and argv[1] == "--tests":
        fds = descriptor_pb2.FileDescriptorSet()
        fds.ParseFromString(Path(argv[2]).read_bytes())
        generate_tests(list(fds.file), argv[3])
        return 0
    if len(argv) != 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    fds = descriptor_pb2.FileDescriptorSet()
    fds.ParseFromString(Path(argv[1]).read_bytes())
    try:
        generate(list(fds.file), Path(argv[2]))
    except GeneratorError as e:
        print(f"gen_swift_messages: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
