import CFluxionProto

extension DetectorInfo {
    init(_ m: Fluxion__V1__DetectorInfo) {
        self.init(
            name: ProtobufC.string(m.name), plugin: ProtobufC.string(m.plugin), version: ProtobufC.string(m.version),
            description: ProtobufC.string(m.description),
            state: State(rawValue: UInt32(m.state.rawValue)) ?? .unspecified,
            abiVersion: m.abi_version, lastError: ProtobufC.string(m.last_error),
            leakProbability: m.leak_probability, samplesSeen: m.samples_seen,
            learningRemainingS: m.learning_remaining_s)
    }

    /// Fills `m` with C copies owned by `strings`.
    func fill(_ m: UnsafeMutablePointer<Fluxion__V1__DetectorInfo>, _ strings: CStrings) {
        fluxion__v1__detector_info__init(m)
        m.pointee.name = strings.dup(name)
        m.pointee.plugin = strings.dup(plugin)
        m.pointee.version = strings.dup(version)
        m.pointee.description = strings.dup(description)
        m.pointee.state = Fluxion__V1__DetectorState(rawValue: state.rawValue)
        m.pointee.abi_version = abiVersion
        m.pointee.last_error = strings.dup(lastError)
        m.pointee.leak_probability = leakProbability
        m.pointee.samples_seen = samplesSeen
        m.pointee.learning_remaining_s = learningRemainingS
    }

    static func decodeAll(
        _ n: Int, _ p: UnsafeMutablePointer<UnsafeMutablePointer<Fluxion__V1__DetectorInfo>?>?
    ) -> [DetectorInfo] {
        guard let p, n > 0 else { return [] }
        return (0..<n).compactMap { p[$0].map { DetectorInfo($0.pointee) } }
    }

    /// A `DetectorInfo **` array for a repeated field, owned by `strings`.
    static func encodeAll(
        _ items: [DetectorInfo], _ strings: CStrings
    )
        -> UnsafeMutablePointer<UnsafeMutablePointer<Fluxion__V1__DetectorInfo>?>?
    {
        guard !items.isEmpty else { return nil }
        let structs = strings.allocate(Fluxion__V1__DetectorInfo.self, count: items.count)
        let pointers = strings.allocate(UnsafeMutablePointer<Fluxion__V1__DetectorInfo>?.self, count: items.count)
        for (i, d) in items.enumerated() {
            d.fill(structs + i, strings)
            pointers[i] = structs + i
        }
        return pointers
    }
}

extension ListDetectorsRequest: WireMessage {
    public static let protoName = "fluxion.v1.ListDetectorsRequest"
    public init(decoding bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        self = try ProtobufC.unpack(
            bytes, type: Self.protoName, unpack: fluxion__v1__list_detectors_request__unpack,
            free: fluxion__v1__list_detectors_request__free_unpacked
        ) { _ in ListDetectorsRequest() }
    }
    public func encoded() -> [UInt8] { [] }
}

extension ListDetectorsResponse: WireMessage {
    public static let protoName = "fluxion.v1.ListDetectorsResponse"
    public init(decoding bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        self = try ProtobufC.unpack(
            bytes, type: Self.protoName, unpack: fluxion__v1__list_detectors_response__unpack,
            free: fluxion__v1__list_detectors_response__free_unpacked
        ) { m in
            ListDetectorsResponse(detectors: DetectorInfo.decodeAll(m.n_detectors, m.detectors))
        }
    }
    public func encoded() -> [UInt8] {
        var m = Fluxion__V1__ListDetectorsResponse()
        fluxion__v1__list_detectors_response__init(&m)
        let strings = CStrings()
        m.n_detectors = detectors.count
        m.detectors = DetectorInfo.encodeAll(detectors, strings)
        return withExtendedLifetime(strings) {
            ProtobufC.pack(
                &m, size: fluxion__v1__list_detectors_response__get_packed_size,
                pack: fluxion__v1__list_detectors_response__pack)
        }
    }
}

extension LoadDetectorRequest: WireMessage {
    public static let protoName = "fluxion.v1.LoadDetectorRequest"
    public init(decoding bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        self = try ProtobufC.unpack(
            bytes, type: Self.protoName, unpack: fluxion__v1__load_detector_request__unpack,
            free: fluxion__v1__load_detector_request__free_unpacked
        ) { m in
            LoadDetectorRequest(
                plugin: ProtobufC.string(m.plugin), name: ProtobufC.string(m.name),
                configJSON: ProtobufC.string(m.config_json))
        }
    }
    public func encoded() -> [UInt8] {
        var m = Fluxion__V1__LoadDetectorRequest()
        fluxion__v1__load_detector_request__init(&m)
        let strings = CStrings()
        m.plugin = strings.dup(plugin)
        m.name = strings.dup(name)
        m.config_json = strings.dup(configJSON)
        return withExtendedLifetime(strings) {
            ProtobufC.pack(
                &m, size: fluxion__v1__load_detector_request__get_packed_size,
                pack: fluxion__v1__load_detector_request__pack)
        }
    }
}

extension ActivateDetectorRequest: WireMessage {
    public static let protoName = "fluxion.v1.ActivateDetectorRequest"
    public init(decoding bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        self = try ProtobufC.unpack(
            bytes, type: Self.protoName, unpack: fluxion__v1__activate_detector_request__unpack,
            free: fluxion__v1__activate_detector_request__free_unpacked
        ) { m in
            ActivateDetectorRequest(name: ProtobufC.string(m.name))
        }
    }
    public func encoded() -> [UInt8] {
        var m = Fluxion__V1__ActivateDetectorRequest()
        fluxion__v1__activate_detector_request__init(&m)
        let strings = CStrings()
        m.name = strings.dup(name)
        return withExtendedLifetime(strings) {
            ProtobufC.pack(
                &m, size: fluxion__v1__activate_detector_request__get_packed_size,
                pack: fluxion__v1__activate_detector_request__pack)
        }
    }
}

extension DeactivateDetectorRequest: WireMessage {
    public static let protoName = "fluxion.v1.DeactivateDetectorRequest"
    public init(decoding bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        self = try ProtobufC.unpack(
            bytes, type: Self.protoName, unpack: fluxion__v1__deactivate_detector_request__unpack,
            free: fluxion__v1__deactivate_detector_request__free_unpacked
        ) { m in
            DeactivateDetectorRequest(name: ProtobufC.string(m.name))
        }
    }
    public func encoded() -> [UInt8] {
        var m = Fluxion__V1__DeactivateDetectorRequest()
        fluxion__v1__deactivate_detector_request__init(&m)
        let strings = CStrings()
        m.name = strings.dup(name)
        return withExtendedLifetime(strings) {
            ProtobufC.pack(
                &m, size: fluxion__v1__deactivate_detector_request__get_packed_size,
                pack: fluxion__v1__deactivate_detector_request__pack)
        }
    }
}

extension SwapDetectorRequest: WireMessage {
    public static let protoName = "fluxion.v1.SwapDetectorRequest"
    public init(decoding bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        self = try ProtobufC.unpack(
            bytes, type: Self.protoName, unpack: fluxion__v1__swap_detector_request__unpack,
            free: fluxion__v1__swap_detector_request__free_unpacked
        ) { m in
            SwapDetectorRequest(deactivate: ProtobufC.string(m.deactivate), activate: ProtobufC.string(m.activate))
        }
    }
    public func encoded() -> [UInt8] {
        var m = Fluxion__V1__SwapDetectorRequest()
        fluxion__v1__swap_detector_request__init(&m)
        let strings = CStrings()
        m.deactivate = strings.dup(deactivate)
        m.activate = strings.dup(activate)
        return withExtendedLifetime(strings) {
            ProtobufC.pack(
                &m, size: fluxion__v1__swap_detector_request__get_packed_size,
                pack: fluxion__v1__swap_detector_request__pack)
        }
    }
}

extension DetectorResponse: WireMessage {
    public static let protoName = "fluxion.v1.DetectorResponse"
    public init(decoding bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        self = try ProtobufC.unpack(
            bytes, type: Self.protoName, unpack: fluxion__v1__detector_response__unpack,
            free: fluxion__v1__detector_response__free_unpacked
        ) { m in
            DetectorResponse(detectors: DetectorInfo.decodeAll(m.n_detectors, m.detectors))
        }
    }
    public func encoded() -> [UInt8] {
        var m = Fluxion__V1__DetectorResponse()
        fluxion__v1__detector_response__init(&m)
        let strings = CStrings()
        m.n_detectors = detectors.count
        m.detectors = DetectorInfo.encodeAll(detectors, strings)
        return withExtendedLifetime(strings) {
            ProtobufC.pack(
                &m, size: fluxion__v1__detector_response__get_packed_size,
                pack: fluxion__v1__detector_response__pack)
        }
    }
}
