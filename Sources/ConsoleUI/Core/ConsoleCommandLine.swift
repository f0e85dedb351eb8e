import Governance
import GovernanceAPI

/// What a `:` command line asks for. Proposing, voting, executing and canceling are typed effects,
/// read as `govconsole` reads them; anything else, and a request with its own global options
/// (`--as`, `--json` …), goes to the CLI as typed.
enum ConsoleCommandLine {
    static let globalOptions = ["--as", "--json", "--data", "--keys", "--service", "--token-file"]

    static func effect(_ words: [String]) -> Result<EngineCommand, ProposalTextError> {
        let words = words.first == "govconsole" ? Array(words.dropFirst()) : words
        let global = words.contains { w in globalOptions.contains { w == $0 || w.hasPrefix($0 + "=") } }
        guard !global, let verb = words.first else { return .success(.run(words)) }
        let id = words.count > 1 ? UInt64(words[1]) : nil
        switch (verb, words.count, id) {
        case ("propose", _, _):
            return Result { () throws(ProposalTextError) in .propose(try ProposalText.parse(Array(words.dropFirst()))) }
        case ("vote", 3, let id?):
            // An unknown choice goes to the CLI, which names the choices.
            guard let choice = Choice(rawValue: words[2].lowercased()) else { return .success(.run(words)) }
            return .success(.vote(proposal: id, choice: choice))
        case ("execute", 2, let id?):
            return .success(.execute(proposal: id))
        case ("cancel", 2, let id?):
            return .success(.cancel(proposal: id))
        default:
            return .success(.run(words))
        }
    }
}
