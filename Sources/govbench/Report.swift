import Foundation

/// The figures of one run, as a table or as JSON (whose keys `.ci/run` and `GovbenchTests` read).
struct Report: Encodable {
    var mode: String
    var cores: Int
    var verifyCeilingPerS = 0.0
    var verifyCeilingBeforePerS = 0.0
    var verifyCeilingAfterPerS = 0.0
    var sloVotesPerS = 0.0
    var sloP99Ms = 0.0
    var sloRatio = 0.0
    var sloClients = 0
    var sloCurve: [CurvePoint] = []
    var serviceVotesPerS = 0.0
    var serviceP99Ms = 0.0
    var serviceRatio = 0.0
    var serviceConnections = 0
    var serviceCurve: [CurvePoint] = []
    var committedVotesPerS = 0.0
    var committedVotes = 0
    var ratio = 0.0
    var wasmCallsPerS = 0.0
    var frameMedianUs = 0.0
    var frameP99Us = 0.0
    var frameVoters = 0
    var peakRssMb = 0.0
    var coldStartS = 0.0
    var crashReopenS = 0.0, crashTailTransactions = 0, crashTailBlocks = 0
    /// With --cluster: through three engines ordering through a local etcd.
    var clusterVotesPerS: Double?
    var clusterP99Ms: Double?
    var clusterRatio: Double?
    var clusterEngines: Int?
    var clusterCurve: [CurvePoint]?
    var etcdPutsPerS: Double?

    enum CodingKeys: String, CodingKey {
        case mode, cores
        case verifyCeilingPerS = "verify_ceiling_per_s"
        case verifyCeilingBeforePerS = "verify_ceiling_before_per_s"
        case verifyCeilingAfterPerS = "verify_ceiling_after_per_s"
        case sloVotesPerS = "slo_votes_per_s", sloP99Ms = "slo_p99_ms", sloRatio = "slo_ratio", sloClients = "slo_clients"
        case sloCurve = "slo_curve"
        case serviceVotesPerS = "service_votes_per_s", serviceP99Ms = "service_p99_ms", serviceRatio = "service_ratio"
        case serviceConnections = "service_connections", serviceCurve = "service_curve"
        case committedVotesPerS = "committed_votes_per_s"
        case committedVotes = "committed_votes"
        case ratio
        case wasmCallsPerS = "wasm_calls_per_s"
        case frameMedianUs = "frame_median_us"
        case frameP99Us = "frame_p99_us"
        case frameVoters = "frame_voters"
        case peakRssMb = "peak_rss_mb"
        case coldStartS = "cold_start_s"
        case crashReopenS = "crash_reopen_s", crashTailTransactions = "crash_tail_transactions", crashTailBlocks = "crash_tail_blocks"
        case clusterVotesPerS = "cluster_votes_per_s", clusterP99Ms = "cluster_p99_ms", clusterRatio = "cluster_ratio"
        case clusterEngines = "cluster_engines", clusterCurve = "cluster_curve", etcdPutsPerS = "etcd_puts_per_s"
    }

    /// The SLO figures from the engine's search, against the larger of the two ceilings.
    mutating func record(slo: SLOSearch.Outcome) {
        sloVotesPerS = slo.best?.achievedPerS ?? 0
        sloP99Ms = slo.best?.p99Ms ?? 0
        sloCurve = slo.curve
    }

    mutating func record(service: SLOSearch.Outcome) {
        serviceVotesPerS = service.best?.achievedPerS ?? 0
        serviceP99Ms = service.best?.p99Ms ?? 0
        serviceCurve = service.curve
    }

    /// The cluster's figures; its ratio is to the single engine's rate at the same objective, in this run.
    mutating func record(cluster: VoteBench.ClusterOutcome) {
        clusterVotesPerS = cluster.search.best?.achievedPerS ?? 0
        clusterP99Ms = cluster.search.best?.p99Ms ?? 0
        clusterCurve = cluster.search.curve
        clusterEngines = cluster.engines
        etcdPutsPerS = cluster.etcdPutsPerS
        clusterRatio = sloVotesPerS > 0 ? clusterVotesPerS! / sloVotesPerS : 0
    }

    func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    mutating func settleRatios() {
        verifyCeilingPerS = max(verifyCeilingBeforePerS, verifyCeilingAfterPerS)
        sloRatio = verifyCeilingPerS > 0 ? sloVotesPerS / verifyCeilingPerS : 0
        serviceRatio = sloVotesPerS > 0 ? serviceVotesPerS / sloVotesPerS : 0
        ratio = verifyCeilingPerS > 0 ? committedVotesPerS / verifyCeilingPerS : 0
    }
}
