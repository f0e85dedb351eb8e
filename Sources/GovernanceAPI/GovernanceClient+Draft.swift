import Foundation
import Governance

extension GovernanceClient {
    /// Fetches what a draft names — the new member's key, the contract's code — and proposes it.
    public func propose(_ draft: ProposalDraft, as name: String) async throws -> ProposalSummary {
        switch draft {
        case let .operation(operation):
            return try await propose(operation, as: name)
        case let .addMember(member, role, weight):
            let (key, generated) = try await memberKey(for: member)
            return try await propose(.addMember(name: member, role: role, weight: weight, publicKey: key), as: name, newMemberKey: generated)
        case let .deployContract(contract, version, file):
            guard let source = FileManager.default.contents(atPath: file) else { throw ProposalTextError.unreadableFile(file) }
            return try await propose(.deployContract(name: contract, version: version, code: try compile(Array(source))), as: name)
        }
    }

    private func compile(_ source: [UInt8]) throws -> [UInt8] {
        guard let compiler else { throw ProposalTextError.noCompiler }
        return try compiler.compile(source)
    }
}
