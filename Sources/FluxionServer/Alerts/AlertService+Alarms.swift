import FluxionAlerts
import FluxionWire

/// An alert across networks: (network, id).
struct AlarmKey: Hashable, Sendable {
    let network: String
    let id: String
}

/// Alarm handling (docs/ALERTS.md "Alarms"): AcknowledgeAlert, ShelveAlert, UnshelveAlert, and
/// the end of shelvings that run out.
///
/// Each action is an UPDATE of the alert's row on the writer thread (in order with the engine's
/// saves, so a stream never shows an older alarm state after a newer one), answered and
/// streamed (an `AlertEvent` of kind acknowledged, shelved or unshelved) on the loop thread once
/// committed. A timed shelving ends by itself: every reader derives the alarm state at read time
/// (`AlertRecord.alarmState(atWallUnixNs:)`), and this server also removes a shelving it knows of
/// from the row within a housekeeping tick (≤ 1 s) of its end, streaming an `unshelved` event
/// with no operator.
extension AlertService {
    /// The longest alert id, operator name, bytes.
    static let maxIDBytes = 128
    /// The longest comment or reason, bytes.
    static let maxTextBytes = 1024

    func registerAlarmMethods(_ router: Router) {
        router.unary(
            Wire.Fluxion.acknowledgeAlert, on: writer,
            { [unowned self] (r: Wire.AcknowledgeAlertRequest, call) throws(RPCError) in
                let key = try key(r.alertID, r.network)
                let action = AlarmAction.acknowledge(
                    by: try Self.actor(r.operatorName, call),
                    comment: try Self.checkedText(r.comment, field: "comment", maxBytes: Self.maxTextBytes))
                return Self.apply(action, key)
            }, failure: { $0.rpcError }
        ) { [unowned self] _, event, reply in
            reply(alarmChanged(event).map { Wire.AcknowledgeAlertResponse(alert: $0) })
        }
        router.unary(
            Wire.Fluxion.shelveAlert, on: writer,
            { [unowned self] (r: Wire.ShelveAlertRequest, call) throws(RPCError) in
                let key = try key(r.alertID, r.network)
                let reason = try Self.checkedText(r.reason, field: "reason", maxBytes: Self.maxTextBytes)
                guard !reason.allSatisfy(\.isWhitespace) else {
                    throw .invalidArgument("reason: required (why the alert is shelved)")
                }
                let kind: Shelving.Kind
                switch r.kind {
                case .unspecified, .timed:
                    kind = .timed
                    guard r.durationS.isFinite, r.durationS >= Shelving.minDurationS,
                        r.durationS <= Shelving.maxDurationS
                    else {
                        throw .invalidArgument(
                            "duration_s: must be \(Int(Shelving.minDurationS)) … \(Int(Shelving.maxDurationS)) s (30 days) for a timed shelving, got \(r.durationS)"
                        )
                    }
                case .oneShot:
                    kind = .oneShot
                    guard r.durationS == 0 else {
                        throw .invalidArgument(
                            "duration_s: must be 0 for a one-shot shelving (it lasts until the alert clears, at most 30 days), got \(r.durationS)"
                        )
                    }
                case .unrecognized(let n):
                    throw .invalidArgument("kind: unknown shelve kind \(n)")
                }
                let action = AlarmAction.shelve(
                    kind: kind, durationS: r.durationS, reason: reason, by: try Self.actor(r.operatorName, call))
                return Self.apply(action, key)
            }, failure: { $0.rpcError }
        ) { [unowned self] _, event, reply in
            reply(alarmChanged(event).map { Wire.ShelveAlertResponse(alert: $0) })
        }
        router.unary(
            Wire.Fluxion.unshelveAlert, on: writer,
            { [unowned self] (r: Wire.UnshelveAlertRequest, call) throws(RPCError) in
                let key = try key(r.alertID, r.network)
                return Self.apply(.unshelve(by: try Self.actor(r.operatorName, call)), key)
            }, failure: { $0.rpcError }
        ) { [unowned self] _, event, reply in
            reply(alarmChanged(event).map { Wire.UnshelveAlertResponse(alert: $0) })
        }
    }

    /// The writer's work for `action` (the wall time is taken there, when it applies).
    private static func apply(
        _ action: AlarmAction, _ key: AlarmKey
    ) -> @Sendable (inout any AlertStore) throws(AlertStoreError) -> FluxionAlerts.AlertEvent? {
        { store throws(AlertStoreError) in
            try store.applyAlarm(action, alertID: key.id, network: key.network, atWallUnixNs: WallTime.nowUnixNs())
        }
    }

    /// After a committed alarm action (loop thread): streams the event, follows the shelving's
    /// end, and returns the alert's wire form for the answer.
    private func alarmChanged(_ event: FluxionAlerts.AlertEvent?) -> Result<Wire.Alert, RPCError> {
        guard let event else { return .failure(.internal("the alarm action changed nothing")) }
        published(event)
        return .success(Wire.Alert(event.alert))
    }

    /// Streams and logs an alarm event; keeps `shelvingEnds` up to date.
    private func published(_ event: FluxionAlerts.AlertEvent) {
        let key = AlarmKey(network: event.alert.network, id: event.alert.id)
        shelvingEnds[key] = event.alert.shelving(atWallUnixNs: WallTime.nowUnixNs())?.untilWallUnixNs
        let by = event.actor.map { $0 == AlarmActor() ? "" : " by \($0.description)" } ?? ""
        logger.info("alert \(event.alert.id) \(event.kind.rawValue)\(by)")
        fanout.publish([event])
    }

    /// Ends the shelvings whose time has come (housekeeping tick, loop thread): an UPDATE of
    /// each row on the writer (only if the row still holds that shelving), then an `unshelved`
    /// event. One at a time per alert; a failure is retried at the next tick.
    func endShelvingsRunOut() {
        guard !shelvingEnds.isEmpty else { return }
        let now = WallTime.nowUnixNs()
        for (key, until) in shelvingEnds where until <= now && !shelvingEndsInFlight.contains(key) {
            shelvingEndsInFlight.insert(key)
            let me = LoopBound(self)
            do throws(WorkerStopped) {
                try writer.perform(Self.apply(.expireShelving(untilWallUnixNs: until), key)) { result in
                    let service = me.value
                    service.shelvingEndsInFlight.remove(key)
                    switch result {
                    case .success(let event?):
                        service.published(event)
                    case .success(nil):
                        // Already ended or replaced (by an operator, or another server).
                        if service.shelvingEnds[key] == until { service.shelvingEnds[key] = nil }
                    case .failure(.alertNotFound):
                        service.shelvingEnds[key] = nil
                    case .failure(let error):
                        service.logger.warning("alert \(key.id): the end of its shelving not stored yet: \(error)")
                    }
                }
            } catch {
                shelvingEndsInFlight.remove(key)
                return
            }
        }
    }

    /// The shelvings in force of the store's network, to end them when they run out.
    static func shelvingsInForce(_ store: any AlertStore) throws(AlertStoreError) -> [AlarmKey: Int64] {
        var ends: [AlarmKey: Int64] = [:]
        var token: String?
        repeat {
            let page = try store.query(
                AlertQuery(networks: [store.network], alarmStates: [.shelved]), pageSize: AlertQuery.maxPageSize,
                pageToken: token)
            for a in page.alerts {
                if let s = a.shelving { ends[AlarmKey(network: a.network, id: a.id)] = s.untilWallUnixNs }
            }
            token = page.nextPageToken
        } while token != nil
        return ends
    }

    /// The alert a request names, or INVALID_ARGUMENT naming the field. Network "": this
    /// server's.
    private func key(_ id: String, _ network: String) throws(RPCError) -> AlarmKey {
        let id = try Self.checkedText(id, field: "alert_id", maxBytes: Self.maxIDBytes)
        guard !id.isEmpty else { throw .invalidArgument("alert_id: required") }
        if let problem = AlertNetwork.problem(network) { throw .invalidArgument("network: \(problem)") }
        return AlarmKey(network: network.isEmpty ? self.network : network, id: id)
    }

    /// Who: the call's token (authoritative) and the operator name the client gave.
    private static func actor(_ name: String, _ call: ServerCall) throws(RPCError) -> AlarmActor {
        AlarmActor(
            operatorName: try checkedText(name, field: "operator_name", maxBytes: maxIDBytes),
            tokenID: call.principal?.id ?? "")
    }

    /// `text` if it has at most `maxBytes` bytes of UTF-8 and no control character (they would
    /// break the one-line audit trail, logs and tables), else INVALID_ARGUMENT naming `field`.
    static func checkedText(_ text: String, field: String, maxBytes: Int) throws(RPCError) -> String {
        let bytes = text.utf8.count
        guard bytes <= maxBytes else { throw .invalidArgument("\(field): at most \(maxBytes) bytes, got \(bytes)") }
        var offset = 0
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7f {
                let code = String(scalar.value, radix: 16, uppercase: true)
                throw .invalidArgument(
                    "\(field): control character U+\(String(repeating: "0", count: 4 - code.count))\(code) at byte \(offset)"
                )
            }
            offset += String(scalar).utf8.count
        }
        return text
    }
}
