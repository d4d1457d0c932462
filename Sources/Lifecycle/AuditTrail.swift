import Foundation
import MFAStore
import SQLiteDB

/// Checks and exports the hash-chained event trail.
public struct AuditTrail {
    let store: Store

    public init(store: Store) { self.store = store }

    public struct Verification: Sendable, Encodable {
        public var events: Int
        public var intact: Bool
        /// The first event that does not link up, and why.
        public var brokenAt: Int64?
        public var problem: String?
        /// The last event's hash: record it elsewhere to detect a truncated tail later.
        public var headHash: String?
    }

    /// Walks the chain from the first event: each must follow the previous id, carry the
    /// previous event's hash, and hash (under the audit key) to what it says.
    public func verify(expectedHead: String? = nil) throws -> Verification {
        let statement = try store.database.prepare(
            """
            SELECT id, at, kind, actor, outcome, organisation, environment, username, login_id, enrolment_id, app, detail,
                   previous_hash, hash
            FROM events ORDER BY id
            """)
        var previous = Store.genesisHash
        var expectedID: Int64 = 1
        var count = 0
        while try statement.step() {
            let row = Self.row(statement)
            let storedPrevious = statement.blob(12)
            let stored = statement.blob(13)
            func broken(_ problem: String) -> Verification {
                Verification(events: count, intact: false, brokenAt: row.id, problem: problem, headHash: nil)
            }
            if row.id != expectedID {
                statement.reset()
                return broken("event \(expectedID)\(row.id > expectedID + 1 ? "–\(row.id - 1)" : "") is missing (deleted?)")
            }
            if storedPrevious != previous {
                statement.reset()
                return broken("its previous-hash does not match event \(row.id - 1): an event before it was changed or removed")
            }
            if row.chainHash(previous: previous, keyedMAC: store.vault.auditChainMAC) != stored {
                statement.reset()
                return broken("its content does not match its hash: the row was edited")
            }
            previous = stored
            expectedID += 1
            count += 1
        }
        let head = count == 0 ? nil : Self.hex(previous)
        if let expectedHead, expectedHead.lowercased() != head {
            return Verification(events: count, intact: false, brokenAt: expectedID, problem: "the last event's hash is not the expected head: events were removed from the end", headHash: head)
        }
        return Verification(events: count, intact: true, headHash: head)
    }

    /// Writes events from `since` on as JSON Lines, oldest first, for a SIEM; returns the count.
    public func export(since: Int64, until: Int64?, to output: (String) -> Void) throws -> Int {
        let statement = try store.database.prepare(
            """
            SELECT id, at, kind, actor, outcome, organisation, environment, username, login_id, enrolment_id, app, detail,
                   previous_hash, hash
            FROM events WHERE at >= ? AND at < ? ORDER BY id
            """)
        try statement.bind([since, until ?? Int64.max])
        var count = 0
        while try statement.step() {
            let row = Self.row(statement)
            var fields = [
                "\"id\":\(row.id)", "\"at\":\(JSON.quote(Timestamp.isoDateTime(row.at)))", "\"kind\":\(JSON.quote(row.kind))",
                "\"actor\":\(JSON.quote(row.actor))", "\"outcome\":\(JSON.quote(row.outcome))",
            ]
            for (name, value) in [("organisation", row.organisation), ("environment", row.environment), ("username", row.username), ("app", row.app)] {
                if let value { fields.append("\"\(name)\":\(JSON.quote(value))") }
            }
            fields.append("\"detail\":\(row.detail)")
            fields.append("\"hash\":\(JSON.quote(Self.hex(statement.blob(13))))")
            output("{" + fields.joined(separator: ",") + "}")
            count += 1
        }
        return count
    }

    private static func row(_ statement: Statement) -> EventRow {
        EventRow(
            id: statement.int64(0), at: statement.int64(1), kind: statement.text(2), actor: statement.text(3),
            outcome: statement.text(4), organisation: statement.optionalText(5), environment: statement.optionalText(6),
            username: statement.optionalText(7), loginID: statement.optionalInt64(8), enrolmentID: statement.optionalInt64(9),
            app: statement.optionalText(10), detail: statement.text(11))
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
}
