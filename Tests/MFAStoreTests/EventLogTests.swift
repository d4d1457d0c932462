import Foundation
import Logging
import SQLiteDB
import TestSupport
import Testing

@testable import MFAStore

@Suite("audit events")
struct EventLogTests {
    let folder: TemporaryDirectory
    let store: Store

    init() throws {
        folder = try TemporaryDirectory("events")
        (store, _) = try Store.initialise(
            path: folder.path("mfa.sqlite"), keyFilePath: folder.path("mfa.key"), logger: Logger(label: "t"), clock: { 1_800_000_000 })
    }

    @Test("each event's hash covers its content and the previous hash")
    func chain() throws {
        try store.database.inTransaction {
            try store.record(Event(kind: "a", actor: "admin", organisation: "RX1", environment: .live, detail: ["count": 3]))
            try store.record(Event(kind: "b", actor: "admin", outcome: .refused, app: "Portal", detail: ["reason": "wrong code"]))
        }
        let rows = try store.database.rows("SELECT id, at, kind, actor, outcome, organisation, environment, username, login_id, enrolment_id, app, detail, previous_hash, hash FROM events ORDER BY id") {
            (EventRow(id: $0.int64(0), at: $0.int64(1), kind: $0.text(2), actor: $0.text(3), outcome: $0.text(4),
                      organisation: $0.optionalText(5), environment: $0.optionalText(6), username: $0.optionalText(7),
                      loginID: $0.optionalInt64(8), enrolmentID: $0.optionalInt64(9), app: $0.optionalText(10), detail: $0.text(11)),
             $0.blob(12), $0.blob(13))
        }
        #expect(rows.count == 2)
        #expect(rows[0].1 == Store.genesisHash)
        #expect(rows[1].1 == rows[0].2)
        #expect(rows[0].0.detail == #"{"count":3}"#)
        for (row, previous, hash) in rows {
            #expect(row.chainHash(previous: previous, keyedMAC: store.vault.auditChainMAC) == hash)
        }
        var edited = rows[1].0
        edited.outcome = "ok"
        #expect(edited.chainHash(previous: rows[1].1, keyedMAC: store.vault.auditChainMAC) != rows[1].2)
    }

    @Test("the events table refuses updates and deletes")
    func appendOnly() throws {
        try store.database.inTransaction { try store.record(Event(kind: "a", actor: "admin")) }
        for sql in ["UPDATE events SET actor = 'mallory'", "DELETE FROM events"] {
            let error = #expect(throws: DatabaseError.self) { try store.database.execute(sql) }
            #expect(error?.message.contains("append-only") == true)
        }
    }

    @Test("details are JSON with sorted keys and escaped text")
    func detailJSON() {
        let detail: EventDetail = ["z": 1, "a": "line\nbreak \"quoted\"", "m": true]
        #expect(detail.json == #"{"a":"line\nbreak \"quoted\"","m":true,"z":1}"#)
    }
}
