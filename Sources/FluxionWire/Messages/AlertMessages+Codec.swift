import CFluxionProto

// Codecs of alerts.proto. The C structs stay in this file; `fill` copies a Swift value into a
// C struct whose strings the arena owns.

extension Alert {
    init(_ c: Fluxion__V1__Alert) {
        self.init()
        alertID = ProtobufC.string(c.alert_id)
        detector = ProtobufC.string(c.detector)
        state = AlertState(rawValue: c.state.rawValue) ?? .unspecified
        raisedSimTimeS = c.raised_sim_time_s
        raisedWallUnixNs = c.raised_wall_unix_ns
        clearedSimTimeS = c.cleared_sim_time_s
        clearedWallUnixNs = c.cleared_wall_unix_ns
        probability = c.probability
        severity = Severity(rawValue: c.severity.rawValue) ?? .unspecified
        pipeID = ProtobufC.string(c.pipe_id)
        positionM = c.position_m
        stationID = ProtobufC.string(c.station_id)
        segmentID = ProtobufC.string(c.segment_id)
        estimatedSizeFraction = c.estimated_size_fraction
        matchedLeakID = ProtobufC.string(c.matched_leak_id)
    }

    func fill(_ c: UnsafeMutablePointer<Fluxion__V1__Alert>, _ s: CStrings) {
        c.pointee.alert_id = s.dup(alertID)
        c.pointee.detector = s.dup(detector)
        c.pointee.state = Fluxion__V1__AlertState(rawValue: state.rawValue)
        c.pointee.raised_sim_time_s = raisedSimTimeS
        c.pointee.raised_wall_unix_ns = raisedWallUnixNs
        c.pointee.cleared_sim_time_s = clearedSimTimeS
        c.pointee.cleared_wall_unix_ns = clearedWallUnixNs
        c.pointee.probability = probability
        c.pointee.severity = Fluxion__V1__Severity(rawValue: severity.rawValue)
        c.pointee.pipe_id = s.dup(pipeID)
        c.pointee.position_m = positionM
        c.pointee.station_id = s.dup(stationID)
        c.pointee.segment_id = s.dup(segmentID)
        c.pointee.estimated_size_fraction = estimatedSizeFraction
        c.pointee.matched_leak_id = s.dup(matchedLeakID)
    }
}

extension AlertFilter {
    init(_ p: UnsafeMutablePointer<Fluxion__V1__AlertFilter>?) {
        self.init()
        guard let c = p?.pointee else { return }
        if let t = c.sim_time?.pointee { simTime = SimTimeRange(startS: t.start_s, endS: t.end_s) }
        if let t = c.wall_time?.pointee {
            wallTime = WallTimeRange(startUnixNs: t.start_unix_ns, endUnixNs: t.end_unix_ns)
        }
        detectors = ProtobufC.strings(c.n_detectors, c.detectors)
        stationIDs = ProtobufC.strings(c.n_station_ids, c.station_ids)
        pipeIDs = ProtobufC.strings(c.n_pipe_ids, c.pipe_ids)
        state = AlertState(rawValue: c.state.rawValue) ?? .unspecified
        minProbability = c.min_probability
        minSeverity = Severity(rawValue: c.min_severity.rawValue) ?? .unspecified
    }

    func cMessage(_ s: CStrings) -> UnsafeMutablePointer<Fluxion__V1__AlertFilter> {
        s.message(initialize: fluxion__v1__alert_filter__init) { c in
            if let t = simTime {
                c.pointee.sim_time = s.message(initialize: fluxion__v1__sim_time_range__init) {
                    $0.pointee.start_s = t.startS
                    $0.pointee.end_s = t.endS
                }
            }
            if let t = wallTime {
                c.pointee.wall_time = s.message(initialize: fluxion__v1__wall_time_range__init) {
                    $0.pointee.start_unix_ns = t.startUnixNs
                    $0.pointee.end_unix_ns = t.endUnixNs
                }
            }
            (c.pointee.n_detectors, c.pointee.detectors) = (detectors.count, s.array(detectors))
            (c.pointee.n_station_ids, c.pointee.station_ids) = (stationIDs.count, s.array(stationIDs))
            (c.pointee.n_pipe_ids, c.pointee.pipe_ids) = (pipeIDs.count, s.array(pipeIDs))
            c.pointee.state = Fluxion__V1__AlertState(rawValue: state.rawValue)
            c.pointee.min_probability = minProbability
            c.pointee.min_severity = Fluxion__V1__Severity(rawValue: minSeverity.rawValue)
        }
    }
}

extension QueryAlertsRequest: WireMessage {
    public static let protoName = "fluxion.v1.QueryAlertsRequest"

    public init(decoding bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        self = try ProtobufC.unpack(
            bytes, type: Self.protoName, unpack: fluxion__v1__query_alerts_request__unpack,
            free: fluxion__v1__query_alerts_request__free_unpacked
        ) { m in
            QueryAlertsRequest(
                filter: AlertFilter(m.filter), pageSize: m.page_size, pageToken: ProtobufC.string(m.page_token))
        }
    }

    public func encoded() -> [UInt8] {
        var m = Fluxion__V1__QueryAlertsRequest()
        fluxion__v1__query_alerts_request__init(&m)
        let s = CStrings()
        m.filter = filter.cMessage(s)
        m.page_size = pageSize
        m.page_token = s.dup(pageToken)
        return withExtendedLifetime(s) {
            ProtobufC.pack(
                &m, size: fluxion__v1__query_alerts_request__get_packed_size,
                pack: fluxion__v1__query_alerts_request__pack)
        }
    }
}

extension QueryAlertsResponse: WireMessage {
    public static let protoName = "fluxion.v1.QueryAlertsResponse"

    public init(decoding bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        self = try ProtobufC.unpack(
            bytes, type: Self.protoName, unpack: fluxion__v1__query_alerts_response__unpack,
            free: fluxion__v1__query_alerts_response__free_unpacked
        ) { m in
            QueryAlertsResponse(
                alerts: ProtobufC.list(m.n_alerts, m.alerts, Alert.init),
                nextPageToken: ProtobufC.string(m.next_page_token), totalCount: m.total_count)
        }
    }

    public func encoded() -> [UInt8] {
        var m = Fluxion__V1__QueryAlertsResponse()
        fluxion__v1__query_alerts_response__init(&m)
        let s = CStrings()
        (m.n_alerts, m.alerts) = s.messages(alerts, initialize: fluxion__v1__alert__init) { $0.fill($1, s) }
        m.next_page_token = s.dup(nextPageToken)
        m.total_count = totalCount
        return withExtendedLifetime(s) {
            ProtobufC.pack(
                &m, size: fluxion__v1__query_alerts_response__get_packed_size,
                pack: fluxion__v1__query_alerts_response__pack)
        }
    }
}

extension AggregateAlertsRequest: WireMessage {
    public static let protoName = "fluxion.v1.AggregateAlertsRequest"

    public init(decoding bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        self = try ProtobufC.unpack(
            bytes, type: Self.protoName, unpack: fluxion__v1__aggregate_alerts_request__unpack,
            free: fluxion__v1__aggregate_alerts_request__free_unpacked
        ) { m in
            AggregateAlertsRequest(
                filter: AlertFilter(m.filter), groupBy: AlertGrouping(rawValue: m.group_by.rawValue) ?? .unspecified)
        }
    }

    public func encoded() -> [UInt8] {
        var m = Fluxion__V1__AggregateAlertsRequest()
        fluxion__v1__aggregate_alerts_request__init(&m)
        let s = CStrings()
        m.filter = filter.cMessage(s)
        m.group_by = Fluxion__V1__AlertGrouping(rawValue: groupBy.rawValue)
        return withExtendedLifetime(s) {
            ProtobufC.pack(
                &m, size: fluxion__v1__aggregate_alerts_request__get_packed_size,
                pack: fluxion__v1__aggregate_alerts_request__pack)
        }
    }
}

extension AggregateAlertsResponse: WireMessage {
    public static let protoName = "fluxion.v1.AggregateAlertsResponse"

    public init(decoding bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        self = try ProtobufC.unpack(
            bytes, type: Self.protoName, unpack: fluxion__v1__aggregate_alerts_response__unpack,
            free: fluxion__v1__aggregate_alerts_response__free_unpacked
        ) { m in
            AggregateAlertsResponse(
                buckets: ProtobufC.list(m.n_buckets, m.buckets) { b in
                    AlertBucket(
                        key: ProtobufC.string(b.key), count: b.count, meanProbability: b.mean_probability,
                        maxProbability: b.max_probability)
                })
        }
    }

    public func encoded() -> [UInt8] {
        var m = Fluxion__V1__AggregateAlertsResponse()
        fluxion__v1__aggregate_alerts_response__init(&m)
        let s = CStrings()
        (m.n_buckets, m.buckets) = s.messages(buckets, initialize: fluxion__v1__alert_bucket__init) { b, c in
            c.pointee.key = s.dup(b.key)
            c.pointee.count = b.count
            c.pointee.mean_probability = b.meanProbability
            c.pointee.max_probability = b.maxProbability
        }
        return withExtendedLifetime(s) {
            ProtobufC.pack(
                &m, size: fluxion__v1__aggregate_alerts_response__get_packed_size,
                pack: fluxion__v1__aggregate_alerts_response__pack)
        }
    }
}

extension StreamAlertsRequest: WireMessage {
    public static let protoName = "fluxion.v1.StreamAlertsRequest"

    public init(decoding bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        self = try ProtobufC.unpack(
            bytes, type: Self.protoName, unpack: fluxion__v1__stream_alerts_request__unpack,
            free: fluxion__v1__stream_alerts_request__free_unpacked
        ) { m in
            StreamAlertsRequest(filter: AlertFilter(m.filter))
        }
    }

    public func encoded() -> [UInt8] {
        var m = Fluxion__V1__StreamAlertsRequest()
        fluxion__v1__stream_alerts_request__init(&m)
        let s = CStrings()
        m.filter = filter.cMessage(s)
        return withExtendedLifetime(s) {
            ProtobufC.pack(
                &m, size: fluxion__v1__stream_alerts_request__get_packed_size,
                pack: fluxion__v1__stream_alerts_request__pack)
        }
    }
}

extension AlertEvent: WireMessage {
    public static let protoName = "fluxion.v1.AlertEvent"

    public init(decoding bytes: UnsafeRawBufferPointer) throws(DecodeError) {
        self = try ProtobufC.unpack(
            bytes, type: Self.protoName, unpack: fluxion__v1__alert_event__unpack,
            free: fluxion__v1__alert_event__free_unpacked
        ) { m in
            AlertEvent(alert: m.alert.map { Alert($0.pointee) } ?? Alert())
        }
    }

    public func encoded() -> [UInt8] {
        var m = Fluxion__V1__AlertEvent()
        fluxion__v1__alert_event__init(&m)
        let s = CStrings()
        m.alert = s.message(initialize: fluxion__v1__alert__init) { alert.fill($0, s) }
        return withExtendedLifetime(s) {
            ProtobufC.pack(&m, size: fluxion__v1__alert_event__get_packed_size, pack: fluxion__v1__alert_event__pack)
        }
    }
}
