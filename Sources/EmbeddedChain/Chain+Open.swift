import ChainModel
import ChainPrimitives
import ContractRuntime
import DurableStorage
import Foundation
import Rollout
import SystemPackage

/// Creating, opening and repairing a ledger directory.
extension Chain {
    static func ledgerPath(_ directory: String) -> String { "\(directory)/blocks.log" }

    public static func exists(at directory: String) -> Bool {
        FileManager.default.fileExists(atPath: ledgerPath(directory))
    }

    /// Deletes a ledger, even a corrupt one, under its lock so a running process is never pulled out from
    /// under; waits up to `lockWait` milliseconds for one that is finishing.
    public static func remove(at directory: String, lockWait: Int = 3000) async throws(LedgerError) {
        let lock = try await DirectoryLock.acquire(directory: directory, waitingUpTo: .milliseconds(lockWait))
        defer { lock.release() }
        do {
            try FileManager.default.removeItem(atPath: ledgerPath(directory))
        } catch {
            throw .io("cannot delete the ledger in \(directory): \(error.localizedDescription)")
        }
    }

    /// Writes block 0 for `genesis` into an empty ledger directory, on the calling thread; throws
    /// `.locked` at once while another process holds the directory. Async code calls `created`.
    public static func create(at directory: String, genesis: Genesis, keystore: Keystore, clock: @escaping ChainClock = WallClock.now) throws(LedgerError) -> Chain {
        try create(at: directory, genesis: genesis, keystore: keystore, clock: clock, format: BlockHeader.version)
    }

    /// `create`, sealing every block in `format`: tests write a ledger as an older govconsole did.
    static func create(at directory: String, genesis: Genesis, keystore: Keystore, clock: @escaping ChainClock,
                       format: UInt8) throws(LedgerError) -> Chain {
        try makeDirectory(directory)
        return try writeGenesis(at: directory, genesis: genesis, keystore: keystore, clock: clock, format: format,
                                lock: try DirectoryLock(directory: directory), thread: LedgerThread())
    }

    /// `create` for async callers: waits up to `lockWait` milliseconds for another process to let go of
    /// the directory, suspended, and writes genesis on the new chain's own thread.
    public static func created(at directory: String, genesis: Genesis, keystore: Keystore, clock: @escaping ChainClock = WallClock.now,
                               lockWait: Int = 3000) async throws(LedgerError) -> Chain {
        try makeDirectory(directory)
        let lock = try await DirectoryLock.acquire(directory: directory, waitingUpTo: .milliseconds(lockWait))
        let thread = LedgerThread()
        do {
            return try await thread.perform { () throws(LedgerError) -> Chain in
                try writeGenesis(at: directory, genesis: genesis, keystore: keystore, clock: clock, format: BlockHeader.version,
                                 lock: lock, thread: thread)
            }
        } catch {
            thread.stop()
            lock.release()
            throw error
        }
    }

    private static func makeDirectory(_ directory: String) throws(LedgerError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw .io("cannot create \(directory): \(error.localizedDescription)")
        }
    }

    /// The work of creating, once the lock is held.
    private static func writeGenesis(at directory: String, genesis: Genesis, keystore: Keystore, clock: @escaping ChainClock,
                                     format: UInt8, lock: DirectoryLock, thread: LedgerThread) throws(LedgerError) -> Chain {
        guard !exists(at: directory) || (try? FileManager.default.attributesOfItem(atPath: ledgerPath(directory))[.size] as? Int) == 0 else {
            throw .exists(directory: directory)
        }
        guard let first = genesis.nodes.first else { throw .io("a chain needs at least one node") }
        let header = BlockHeader(height: 0, previous: .zero, time: genesis.time, proposer: first.name,
                                 txRoot: Block.txRoot(genesis: genesis, transactions: []),
                                 resultsRoot: Block.resultsRoot(receipts: [], blockEvents: []), format: format)
        var signingKeys: [String: SigningKey] = [:]
        for node in genesis.nodes { signingKeys[node.name] = try keystore.load(node.name) }
        let key = signingKeys[first.name]!
        let block = Block(header: header, genesis: genesis, transactions: [], receipts: [], blockEvents: [],
                          signature: key.sign(header.hash.bytes))
        // Genesis is written beside the ledger and renamed into place, so a crash while creating leaves
        // either no chain (and `init` can simply run again) or a whole one, never a torn block 0.
        let path = ledgerPath(directory)
        let staging = path + ".new"
        try? FileManager.default.removeItem(atPath: staging)
        try? FileManager.default.removeItem(atPath: StateSnapshot.path(directory))
        let frame = try LedgerFile(path: staging).append(block.encoded)
        guard rename(staging, path) == 0 else { throw .io("cannot move \(staging) to \(path): \(String(cString: strerror(errno)))") }
        FileDescriptor.syncDirectory(of: path)
        let file = try LedgerFile(path: path)
        let state = ChainState(genesisBlock: block, genesis: genesis)
        return Chain(directory: directory, lock: lock, file: file, frames: [frame], genesisHash: block.hash, state: state,
                     snapshotAt: (0, 0), signingKeys: signingKeys, clock: clock, warnings: [],
                     runtime: ContractRuntime(), thread: thread, sealFormat: format, headFormat: format, due: nil)
    }

    /// Opens a ledger on the calling thread. Every frame is checked against its checksum and the state is
    /// rebuilt: from the state snapshot when one agrees with the ledger, replaying the blocks after it
    /// (each checked as a validating node would: hash link, proposer signature, re-execution reproducing
    /// its receipts and any state root), or else from genesis. `LedgerAudit` checks every block regardless.
    ///
    /// A writer takes the directory's lock, refuses loose key files and directories before it writes
    /// anything, cuts back a torn tail and removes a stale snapshot staging file. A reader (`readOnly`)
    /// takes no lock and writes nothing: it reads to the last whole frame and leaves a torn tail alone,
    /// since a writer may be appending it at this moment.
    ///
    /// This call cannot suspend, so it does not wait for the lock: it throws `.locked` while another
    /// process holds it. Async code calls `opened`, which waits.
    ///
    /// `signingAs` names the one node whose key this data directory holds, for an engine that keeps the
    /// ledger with other organisations' engines (see `Chain+Order`); nil loads every node's key.
    public static func open(at directory: String, keystore: Keystore, clock: @escaping ChainClock = WallClock.now,
                            readOnly: Bool = false, signingAs node: String? = nil) throws(LedgerError) -> Chain {
        guard exists(at: directory) else { throw .missing(directory: directory) }
        let lock = readOnly ? nil : try DirectoryLock(directory: directory)
        let thread = LedgerThread()
        do {
            return try load(at: directory, lock: lock, keystore: keystore, clock: clock, thread: thread, signingAs: node)
        } catch {
            thread.stop()
            // Let go now, not when the last reference to the lock goes: the thread or a half-built chain may
            // hold one a while, and an open that retries at once (a test under load did) found it locked.
            lock?.release()
            throw error
        }
    }

    /// `open` for async callers: waits up to `lockWait` milliseconds for another process to let go of
    /// the lock, suspended, then reads and replays the ledger on the chain's own thread, so neither the
    /// wait nor the disk holds a cooperative thread.
    public static func opened(at directory: String, keystore: Keystore, clock: @escaping ChainClock = WallClock.now,
                              lockWait: Int = 3000, readOnly: Bool = false, signingAs node: String? = nil) async throws(LedgerError) -> Chain {
        guard exists(at: directory) else { throw .missing(directory: directory) }
        let lock = readOnly ? nil : try await DirectoryLock.acquire(directory: directory, waitingUpTo: .milliseconds(lockWait))
        let thread = LedgerThread()
        do {
            return try await thread.perform { () throws(LedgerError) -> Chain in
                try load(at: directory, lock: lock, keystore: keystore, clock: clock, thread: thread, signingAs: node)
            }
        } catch {
            thread.stop()
            lock?.release()
            throw error
        }
    }

    /// The work of `open` once the lock, if any, is held: `lock` nil opens to read only.
    private static func load(at directory: String, lock: DirectoryLock?, keystore: Keystore, clock: @escaping ChainClock,
                             thread: LedgerThread, signingAs only: String?) throws(LedgerError) -> Chain {
        thread.noteIO()
        let readOnly = lock == nil
        if !readOnly {
            try Keystore.checkNotWritableByOthers(directory)
            try keystore.checkPermissions()
        }
        // The snapshot is read before the ledger's end is taken: a writer renames a snapshot into place
        // only after its blocks are durable, so a reader's ledger always reaches the snapshot's height.
        let snapshot = StateSnapshot.read(from: directory)
        let file = try LedgerFile(path: ledgerPath(directory), readOnly: readOnly)
        let index = try file.index()
        guard !index.frames.isEmpty else { throw .corrupt(height: 0, reason: "the ledger has no whole genesis block") }
        var warnings: [String] = []
        func block(_ h: Int) throws(LedgerError) -> Block { try file.block(index.frames[h], height: h) }
        let genesisBlock = try block(0)
        var state = try BlockVerifier.genesis(genesisBlock)
        var due: CheckpointRoot?
        switch snapshot {
        case nil:
            break
        case let .failure(problem)?:
            warnings.append("the state snapshot could not be read (\(problem)); rebuilt the state from genesis")
        case let .success((snapshot, carried))?:
            let h = Int(snapshot.height)
            if snapshot.genesisHash == genesisBlock.hash, h < index.frames.count, (try? block(h).hash) == snapshot.head {
                state = snapshot
                due = carried
            } else {
                warnings.append("the state snapshot (height \(h)) does not match the ledger; rebuilt the state from genesis")
            }
        }
        // Blocks the snapshot covers are not replayed, but every one of their bytes is still checked
        // against its frame's checksum: damage anywhere stops the open with its height.
        try file.check(index.frames[1..<min(Int(state.height) + 1, index.frames.count)])
        let runtime = ContractRuntime()
        var resumedAt = (state.height, state.transactionCount)
        var format = genesisBlock.header.format
        func replayRest(onto state: inout ChainState) throws(LedgerError) {
            format = try block(Int(state.height)).header.format
            for h in Int(state.height) + 1..<max(Int(state.height) + 1, index.frames.count) {
                let next = try block(h)
                try BlockVerifier.replay(next, after: format, onto: &state, due: &due, runtime: runtime)
                format = next.header.format
            }
        }
        do {
            try replayRest(onto: &state)
        } catch where resumedAt.0 > 0 {
            // The ledger is blamed only if a replay from genesis fails too: the snapshot may be what is wrong.
            warnings.append("replaying after the state snapshot (height \(resumedAt.0)) failed (\(error)); rebuilt the state from genesis")
            state = try BlockVerifier.genesis(genesisBlock)
            due = nil
            resumedAt = (0, 0)
            try replayRest(onto: &state)
        }
        var signingKeys: [String: SigningKey] = [:]
        if !readOnly {
            if let only, !state.nodes.contains(where: { $0.name == only }) {
                throw .keystore("\(only) is not a node of this consortium; its nodes are \(state.nodes.map(\.name).joined(separator: ", "))")
            }
            for node in state.nodes where only == nil || node.name == only {
                guard keystore.contains(node.name) else {
                    throw .keystore("no block-signing key for \(node.name) in \(keystore.directory); restore \(node.name).key from a backup, since this data directory signs \(node.name)'s blocks")
                }
                signingKeys[node.name] = try keystore.load(node.name)
            }
            // Repairs come last, once nothing can refuse the open any more.
            if let tail = index.tail {
                let aside = "\(directory)/torn-tail-\(index.frames.count).bin"
                try file.moveTail(from: index.goodLength, to: aside)
                warnings.insert("the ledger ended in \(tail), left by an interrupted write; cut back to the last whole block (height \(index.frames.count - 1)) and kept the cut bytes in \(aside)", at: 0)
            }
            StateSnapshot.removeStale(in: directory)
        }
        return Chain(directory: directory, lock: lock, file: file, frames: index.frames, genesisHash: genesisBlock.hash,
                     state: state, snapshotAt: resumedAt, signingKeys: signingKeys, clock: clock,
                     warnings: warnings, runtime: runtime, thread: thread,
                     headFormat: format, due: due.flatMap { $0.checkpoint > state.height ? $0 : nil })
    }
}
