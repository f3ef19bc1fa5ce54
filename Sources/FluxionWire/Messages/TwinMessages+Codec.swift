import CFluxionProto

// Codecs of twin.proto's readings, leaks, clock and sensor-fault messages. The C structs stay in
// this file; `fill` copies a Swift value into a C struct whose strings the arena owns.

extension Reading {
    init(_ c: Fluxion__V1__Reading) {
        self.init(
            sensorID: ProtobufC.string(c.sensor_id), quantity: Quantity(rawValue: c.quantity.rawValue) ?? .unspecified,
            value: c.value, unit: ProtobufC.string(c.unit), simTimeS: c.sim_time_s,
            wallTimeUnixNs: c.wall_time_unix_ns, valid: c.valid != 0)
    }

    func fill(_ c: UnsafeMutablePointer<Fluxion__V1__Reading>, _ s: CStrings) {
        c.pointee.sensor_id = s.dup(sensorID)
        c.pointee.quantity = Fluxion__V1__Quantity(rawValue: quantity.rawValue)
        c.pointee.value = value
        c.pointee.unit = s.dup(unit)
        c.pointee.sim_time_s = simTimeS
        c.pointee.wall_time_unix_ns = wallTimeUnixNs
        c.pointee.valid = valid ? 1 : 0
    }
}

extension ReadingBatch: WireMessage {
    public static let protoName = "fluxion.v1.ReadingBatch"

    public init(decoding bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        self = try ProtobufC.unpack(
            bytes, type: Self.protoName, unpack: fluxion__v1__reading_batch__unpack,
            free: fluxion__v1__reading_batch__free_unpacked
        ) { m in
            ReadingBatch(
                tick: m.tick, simTimeS: m.sim_time_s, wallTimeUnixNs: m.wall_time_unix_ns,
                readings: ProtobufC.list(m.n_readings, m.readings, Reading.init),
                skippedBatches: m.skipped_batches)
        }
    }

    public func encoded() -> [UInt8] {
        var m = Fluxion__V1__ReadingBatch()
        fluxion__v1__reading_batch__init(&m)
        let s = CStrings()
        m.tick = tick
        m.sim_time_s = simTimeS
        m.wall_time_unix_ns = wallTimeUnixNs
        m.skipped_batches = skippedBatches
        (m.n_readings, m.readings) = s.messages(readings, initialize: fluxion__v1__reading__init) { $0.fill($1, s) }
        return withExtendedLifetime(s) {
            ProtobufC.pack(
                &m, size: fluxion__v1__reading_batch__get_packed_size, pack: fluxion__v1__reading_batch__pack)
        }
    }
}

extension StreamReadingsRequest: WireMessage {
    public static let protoName = "fluxion.v1.StreamReadingsRequest"

    public init(decoding bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        self = try ProtobufC.unpack(
            bytes, type: Self.protoName, unpack: fluxion__v1__stream_readings_request__unpack,
            free: fluxion__v1__stream_readings_request__free_unpacked
        ) { m in
            var r = StreamReadingsRequest()
            r.sensorIDs = ProtobufC.strings(m.n_sensor_ids, m.sensor_ids)
            r.pipeIDs = ProtobufC.strings(m.n_pipe_ids, m.pipe_ids)
            r.stationIDs = ProtobufC.strings(m.n_station_ids, m.station_ids)
            r.quantities = ProtobufC.enums(m.n_quantities, m.quantities).map { Quantity(rawValue: $0) ?? .unspecified }
            r.maxRateHz = m.max_rate_hz
            r.decimation = m.decimation
            return r
        }
    }

    public func encoded() -> [UInt8] {
        var m = Fluxion__V1__StreamReadingsRequest()
        fluxion__v1__stream_readings_request__init(&m)
        let s = CStrings()
        m.n_sensor_ids = sensorIDs.count
        m.sensor_ids = s.array(sensorIDs)
        m.n_pipe_ids = pipeIDs.count
        m.pipe_ids = s.array(pipeIDs)
        m.n_station_ids = stationIDs.count
        m.station_ids = s.array(stationIDs)
        let q = s.allocate(Fluxion__V1__Quantity.self, count: quantities.count)
        for (i, quantity) in quantities.enumerated() { q[i] = Fluxion__V1__Quantity(rawValue: quantity.rawValue) }
        m.n_quantities = quantities.count
        m.quantities = quantities.isEmpty ? nil : q
        m.max_rate_hz = maxRateHz
        m.decimation = decimation
        return withExtendedLifetime(s) {
            ProtobufC.pack(
                &m, size: fluxion__v1__stream_readings_request__get_packed_size,
                pack: fluxion__v1__stream_readings_request__pack)
        }
    }
}

extension Leak {
    init(_ c: Fluxion__V1__Leak) {
        self.init()
        leakID = ProtobufC.string(c.leak_id)
        pipeID = ProtobufC.string(c.pipe_id)
        positionM = c.position_m
        lineID = ProtobufC.string(c.line_id)
        chainageM = c.chainage_m
        effectiveAreaM2 = c.effective_area_m2
        dischargeCoefficient = c.discharge_coefficient
        sizeFraction = c.size_fraction
        startSimTimeS = c.start_sim_time_s
        rampS = c.ramp_s
        state = LeakState(rawValue: c.state.rawValue) ?? .unspecified
        clearedSimTimeS = c.cleared_sim_time_s
        createdWallUnixNs = c.created_wall_unix_ns
        clearedWallUnixNs = c.cleared_wall_unix_ns
        currentFlow = c.current_flow
        source = ProtobufC.string(c.source)
    }

    func fill(_ c: UnsafeMutablePointer<Fluxion__V1__Leak>, _ s: CStrings) {
        c.pointee.leak_id = s.dup(leakID)
        c.pointee.pipe_id = s.dup(pipeID)
        c.pointee.position_m = positionM
        c.pointee.line_id = s.dup(lineID)
        c.pointee.chainage_m = chainageM
        c.pointee.effective_area_m2 = effectiveAreaM2
        c.pointee.discharge_coefficient = dischargeCoefficient
        c.pointee.size_fraction = sizeFraction
        c.pointee.start_sim_time_s = startSimTimeS
        c.pointee.ramp_s = rampS
        c.pointee.state = Fluxion__V1__LeakState(rawValue: state.rawValue)
        c.pointee.cleared_sim_time_s = clearedSimTimeS
        c.pointee.created_wall_unix_ns = createdWallUnixNs
        c.pointee.cleared_wall_unix_ns = clearedWallUnixNs
        c.pointee.current_flow = currentFlow
        c.pointee.source = s.dup(source)
    }

    func cMessage(_ s: CStrings) -> UnsafeMutablePointer<Fluxion__V1__Leak> {
        s.message(initialize: fluxion__v1__leak__init) { fill($0, s) }
    }
}

extension InjectLeakRequest: WireMessage {
    public static let protoName = "fluxion.v1.InjectLeakRequest"

    public init(decoding bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        self = try ProtobufC.unpack(
            bytes, type: Self.protoName, unpack: fluxion__v1__inject_leak_request__unpack,
            free: fluxion__v1__inject_leak_request__free_unpacked
        ) { m in
            var r = InjectLeakRequest(rampS: m.ramp_s, dischargeCoefficient: m.discharge_coefficient)
            switch m.where_case {
            case FLUXION__V1__INJECT_LEAK_REQUEST__WHERE_PIPE:
                if let p = m.pipe?.pointee {
                    r.location = .pipe(id: ProtobufC.string(p.pipe_id), positionM: p.position_m)
                }
            case FLUXION__V1__INJECT_LEAK_REQUEST__WHERE_LINE:
                if let l = m.line?.pointee {
                    r.location = .line(id: ProtobufC.string(l.line_id), chainageM: l.chainage_m)
                }
            default: break
            }
            switch m.size_case {
            case FLUXION__V1__INJECT_LEAK_REQUEST__SIZE_SIZE_FRACTION: r.size = .fractionOfFlow(m.size_fraction)
            case FLUXION__V1__INJECT_LEAK_REQUEST__SIZE_EFFECTIVE_AREA_M2:
                r.size = .effectiveAreaM2(m.effective_area_m2)
            default: break
            }
            if m.start_case == FLUXION__V1__INJECT_LEAK_REQUEST__START_START_SIM_TIME_S {
                r.startSimTimeS = m.start_sim_time_s
            }
            return r
        }
    }

    public func encoded() -> [UInt8] {
        var m = Fluxion__V1__InjectLeakRequest()
        fluxion__v1__inject_leak_request__init(&m)
        let s = CStrings()
        m.ramp_s = rampS
        m.discharge_coefficient = dischargeCoefficient
        switch location {
        case .pipe(let id, let position)?:
            m.where_case = FLUXION__V1__INJECT_LEAK_REQUEST__WHERE_PIPE
            m.pipe = s.message(initialize: fluxion__v1__pipe_position__init) {
                $0.pointee.pipe_id = s.dup(id)
                $0.pointee.position_m = position
            }
        case .line(let id, let chainage)?:
            m.where_case = FLUXION__V1__INJECT_LEAK_REQUEST__WHERE_LINE
            m.line = s.message(initialize: fluxion__v1__line_chainage__init) {
                $0.pointee.line_id = s.dup(id)
                $0.pointee.chainage_m = chainage
            }
        case nil: break
        }
        switch size {
        case .fractionOfFlow(let f)?:
            m.size_case = FLUXION__V1__INJECT_LEAK_REQUEST__SIZE_SIZE_FRACTION
            m.size_fraction = f
        case .effectiveAreaM2(let a)?:
            m.size_case = FLUXION__V1__INJECT_LEAK_REQUEST__SIZE_EFFECTIVE_AREA_M2
            m.effective_area_m2 = a
        case nil: break
        }
        if let startSimTimeS {
            m.start_case = FLUXION__V1__INJECT_LEAK_REQUEST__START_START_SIM_TIME_S
            m.start_sim_time_s = startSimTimeS
        }
        return withExtendedLifetime(s) {
            ProtobufC.pack(
                &m, size: fluxion__v1__inject_leak_request__get_packed_size,
                pack: fluxion__v1__inject_leak_request__pack)
        }
    }
}

extension InjectLeakResponse: WireMessage {
    public static let protoName = "fluxion.v1.InjectLeakResponse"

    public init(decoding bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        self = try ProtobufC.unpack(
            bytes, type: Self.protoName, unpack: fluxion__v1__inject_leak_response__unpack,
            free: fluxion__v1__inject_leak_response__free_unpacked
        ) { m in
            InjectLeakResponse(
                leak: m.leak.map { Leak($0.pointee) } ?? Leak(), warnings: ProtobufC.strings(m.n_warnings, m.warnings))
        }
    }

    public func encoded() -> [UInt8] {
        var m = Fluxion__V1__InjectLeakResponse()
        fluxion__v1__inject_leak_response__init(&m)
        let s = CStrings()
        m.leak = leak.cMessage(s)
        m.n_warnings = warnings.count
        m.warnings = s.array(warnings)
        return withExtendedLifetime(s) {
            ProtobufC.pack(
                &m, size: fluxion__v1__inject_leak_response__get_packed_size,
                pack: fluxion__v1__inject_leak_response__pack)
        }
    }
}

extension ClearLeakRequest: WireMessage {
    public static let protoName = "fluxion.v1.ClearLeakRequest"

    public init(decoding bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        self = try ProtobufC.unpack(
            bytes, type: Self.protoName, unpack: fluxion__v1__clear_leak_request__unpack,
            free: fluxion__v1__clear_leak_request__free_unpacked
        ) { m in
            ClearLeakRequest(leakID: ProtobufC.string(m.leak_id))
        }
    }

    public func encoded() -> [UInt8] {
        var m = Fluxion__V1__ClearLeakRequest()
        fluxion__v1__clear_leak_request__init(&m)
        let s = CStrings()
        m.leak_id = s.dup(leakID)
        return withExtendedLifetime(s) {
            ProtobufC.pack(
                &m, size: fluxion__v1__clear_leak_request__get_packed_size, pack: fluxion__v1__clear_leak_request__pack)
        }
    }
}

extension ClearLeakResponse: WireMessage {
    public static let protoName = "fluxion.v1.ClearLeakResponse"

    public init(decoding bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        self = try ProtobufC.unpack(
            bytes, type: Self.protoName, unpack: fluxion__v1__clear_leak_response__unpack,
            free: fluxion__v1__clear_leak_response__free_unpacked
        ) { m in
            ClearLeakResponse(leak: m.leak.map { Leak($0.pointee) } ?? Leak())
        }
    }

    public func encoded() -> [UInt8] {
        var m = Fluxion__V1__ClearLeakResponse()
        fluxion__v1__clear_leak_response__init(&m)
        let s = CStrings()
        m.leak = leak.cMessage(s)
        return withExtendedLifetime(s) {
            ProtobufC.pack(
                &m, size: fluxion__v1__clear_leak_response__get_packed_size,
                pack: fluxion__v1__clear_leak_response__pack)
        }
    }
}

extension ListLeaksRequest: WireMessage {
    public static let protoName = "fluxion.v1.ListLeaksRequest"

    public init(decoding bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        self = try ProtobufC.unpack(
            bytes, type: Self.protoName, unpack: fluxion__v1__list_leaks_request__unpack,
            free: fluxion__v1__list_leaks_request__free_unpacked
        ) { m in
            ListLeaksRequest(includeCleared: m.include_cleared != 0)
        }
    }

    public func encoded() -> [UInt8] {
        var m = Fluxion__V1__ListLeaksRequest()
        fluxion__v1__list_leaks_request__init(&m)
        m.include_cleared = includeCleared ? 1 : 0
        return ProtobufC.pack(
            &m, size: fluxion__v1__list_leaks_request__get_packed_size, pack: fluxion__v1__list_leaks_request__pack)
    }
}

extension ListLeaksResponse: WireMessage {
    public static let protoName = "fluxion.v1.ListLeaksResponse"

    public init(decoding bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        self = try ProtobufC.unpack(
            bytes, type: Self.protoName, unpack: fluxion__v1__list_leaks_response__unpack,
            free: fluxion__v1__list_leaks_response__free_unpacked
        ) { m in
            ListLeaksResponse(leaks: ProtobufC.list(m.n_leaks, m.leaks, Leak.init))
        }
    }

    public func encoded() -> [UInt8] {
        var m = Fluxion__V1__ListLeaksResponse()
        fluxion__v1__list_leaks_response__init(&m)
        let s = CStrings()
        (m.n_leaks, m.leaks) = s.messages(leaks, initialize: fluxion__v1__leak__init) { $0.fill($1, s) }
        return withExtendedLifetime(s) {
            ProtobufC.pack(
                &m, size: fluxion__v1__list_leaks_response__get_packed_size,
                pack: fluxion__v1__list_leaks_response__pack)
        }
    }
}

extension GetClockRequest: WireMessage {
    public static let protoName = "fluxion.v1.GetClockRequest"

    public init(decoding bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        self = try ProtobufC.unpack(
            bytes, type: Self.protoName, unpack: fluxion__v1__get_clock_request__unpack,
            free: fluxion__v1__get_clock_request__free_unpacked
        ) { _ in GetClockRequest() }
    }

    public func encoded() -> [UInt8] { [] }
}

extension SetClockRequest: WireMessage {
    public static let protoName = "fluxion.v1.SetClockRequest"

    public init(decoding bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        self = try ProtobufC.unpack(
            bytes, type: Self.protoName, unpack: fluxion__v1__set_clock_request__unpack,
            free: fluxion__v1__set_clock_request__free_unpacked
        ) { m in
            SetClockRequest(speed: m.speed, paused: m.paused != 0, freeRunning: m.free_running != 0)
        }
    }

    public func encoded() -> [UInt8] {
        var m = Fluxion__V1__SetClockRequest()
        fluxion__v1__set_clock_request__init(&m)
        m.speed = speed
        m.paused = paused ? 1 : 0
        m.free_running = freeRunning ? 1 : 0
        return ProtobufC.pack(
            &m, size: fluxion__v1__set_clock_request__get_packed_size, pack: fluxion__v1__set_clock_request__pack)
    }
}

extension Clock: WireMessage {
    public static let protoName = "fluxion.v1.Clock"

    public init(decoding bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        self = try ProtobufC.unpack(
            bytes, type: Self.protoName, unpack: fluxion__v1__clock__unpack,
            free: fluxion__v1__clock__free_unpacked
        ) { m in
            Clock(
                simTimeS: m.sim_time_s, speed: m.speed, paused: m.paused != 0, freeRunning: m.free_running != 0,
                tick: m.tick, timeStepS: m.time_step_s)
        }
    }

    public func encoded() -> [UInt8] {
        var m = Fluxion__V1__Clock()
        fluxion__v1__clock__init(&m)
        m.sim_time_s = simTimeS
        m.speed = speed
        m.paused = paused ? 1 : 0
        m.free_running = freeRunning ? 1 : 0
        m.tick = tick
        m.time_step_s = timeStepS
        return ProtobufC.pack(&m, size: fluxion__v1__clock__get_packed_size, pack: fluxion__v1__clock__pack)
    }
}

extension SetSensorFaultRequest: WireMessage {
    public static let protoName = "fluxion.v1.SetSensorFaultRequest"

    public init(decoding bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        self = try ProtobufC.unpack(
            bytes, type: Self.protoName, unpack: fluxion__v1__set_sensor_fault_request__unpack,
            free: fluxion__v1__set_sensor_fault_request__free_unpacked
        ) { m in
            SetSensorFaultRequest(
                sensorID: ProtobufC.string(m.sensor_id), fault: SensorFault(rawValue: m.fault.rawValue) ?? .none)
        }
    }

    public func encoded() -> [UInt8] {
        var m = Fluxion__V1__SetSensorFaultRequest()
        fluxion__v1__set_sensor_fault_request__init(&m)
        let s = CStrings()
        m.sensor_id = s.dup(sensorID)
        m.fault = Fluxion__V1__SensorFault(rawValue: fault.rawValue)
        return withExtendedLifetime(s) {
            ProtobufC.pack(
                &m, size: fluxion__v1__set_sensor_fault_request__get_packed_size,
                pack: fluxion__v1__set_sensor_fault_request__pack)
        }
    }
}

extension SetSensorFaultResponse: WireMessage {
    public static let protoName = "fluxion.v1.SetSensorFaultResponse"

    public init(decoding bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        self = try ProtobufC.unpack(
            bytes, type: Self.protoName, unpack: fluxion__v1__set_sensor_fault_response__unpack,
            free: fluxion__v1__set_sensor_fault_response__free_unpacked
        ) { _ in SetSensorFaultResponse() }
    }

    public func encoded() -> [UInt8] { [] }
}
