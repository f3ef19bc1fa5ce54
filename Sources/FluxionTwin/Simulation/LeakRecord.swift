/// A leak known to the simulation: what was asked, how it was resolved, its solver key.
struct LeakRecord: Sendable {
    var info: LeakInfo
    let key: Int
    let pipe: Int
}
