import Crypto
import Foundation
import SQLiteDB

/// One line of the audit trail. Never holds a secret, a code or a recovery code.
public struct Event: Sendable {
    public enum Outcome: String, Sendable { case ok, refused, failed }

    public var kind: String
    public var actor: String
    public var outcome: Outcome
    public var organisation: String?
    public var environment: Environment?
    public var username: String?
    public var loginID: Int64?
    public var enrolmentID: Int64?
    public var app: String?
    public var detail: EventDetail

    public init(
        kind: String, actor: String, outcome: Outcome = .ok, organisation: String? = nil, environment: Environment? = nil,
        username: String? = nil, loginID: Int64? = nil, enrolmentID: Int64? = nil, app: String? = nil,
        detail: EventDetail = EventDetail()
    ) {
        self.kind = kind
        self.actor = actor
        self.outcome = outcome
        self.organisation = organisation
        self.environment = environment
        self.username = username
        self.loginID = loginID
        self.enrolmentID = enrolmentID
        self.app = app
        self.detail = detail
    }
}

/// A flat JSON object with keys in sorted order, so the same detail always gives the
/// same text (and the same chain hash).
public struct EventDetail: Sendable, ExpressibleByDictionaryLiteral {
    public enum Value: Sendable {
        case text(String)
        case integer(Int64)
        case bool(Bool)
    }

    public private(set) var values: [String: Value]

    public init(dictionaryLiteral elements: (String, Value)...) {
        values = Dictionary(elements, uniquingKeysWith: { $1 })
    }

    public subscript(key: String) -> Value? {
        get { values[key] }
        set { values[key] = newValue }
    }

    public var json: String {
        var text = "{"
        for (index, key) in values.keys.sorted().enumerated() {
            if index > 0 { text += "," }
            text += JSON.quote(key) + ":"
            switch values[key]! {
            case .text(let value): text += JSON.quote(value)
            case .integer(let value): text += String(value)
            case .bool(let value): text += value ? "true" : "false"
            }
        }
        return text + "}"
    }
}

extension EventDetail.Value: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

public enum JSON {
    /// A JSON string literal (RFC 8259 escapes).
    public static func quote(_ text: String) -> String {
        // Most text (codes, usernames, reasons) needs no escape: skip the scalar walk.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            return "\"" + text + "\""
        }
        var output = "\""
        output.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20:
                output += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output + "\""
    }
}

extension Store {
    public static let genesisHash = [UInt8](repeating: 0, count: 32)

    /// Appends `event` to the chain. Call inside a write transaction, so no other
    /// writer can append between reading the previous hash and inserting.
    @discardableResult
    public func record(_ event: Event, at time: Int64? = nil) throws -> Int64 {
        try record([event], at: time)
    }

    /// Appends `events` in order, reading the chain's head once; returns the last id.
    @discardableResult
    public func record(_ events: [Event], at time: Int64? = nil) throws -> Int64 {
        try append(Self.chain(events, after: try chainHead(), at: time ?? now, keyedMAC: vault.auditChainMAC))
    }

    /// The last event's id and hash; id 0 and the genesis hash for an empty log.
    public func chainHead() throws -> ChainHead {
        try database.row("SELECT id, hash FROM events ORDER BY id DESC LIMIT 1") { ChainHead(id: $0.int64(0), hash: $0.blob(1)) }
            ?? ChainHead(id: 0, hash: Self.genesisHash)
    }

    /// `events` with the ids and hashes they get when appended after `head`: worked out
    /// without the database, so a bulk run can do it on another core while it writes.
    public static func chain(_ events: [Event], after head: ChainHead, at time: Int64, keyedMAC: HMAC<SHA256>) -> ChainedEvents {
        var chained = ChainedEvents(first: head, rows: [])
        chained.rows.reserveCapacity(events.count)
        var previous = head
        for event in events {
            let row = EventRow(
                id: previous.id + 1, at: time, kind: event.kind, actor: event.actor, outcome: event.outcome.rawValue,
                organisation: event.organisation, environment: event.environment?.rawValue, username: event.username,
                loginID: event.loginID, enrolmentID: event.enrolmentID, app: event.app, detail: event.detail.json)
            let next = ChainHead(id: row.id, hash: row.chainHash(previous: previous.hash, keyedMAC: keyedMAC))
            chained.rows.append((row, previous.hash, next.hash))
            previous = next
        }
        return chained
    }

    /// Inserts chained events; returns the last id. Refused unless they follow the
    /// chain's current head, so a chain worked out early can never fork it.
    @discardableResult
    public func append(_ chained: ChainedEvents) throws -> Int64 {
        let head = try chainHead()
        guard head == chained.first else { throw StoreError.eventChainMoved }
        let insert = try database.cached(
            """
            INSERT INTO events (id, at, kind, actor, outcome, organisation, environment, username, login_id,
                                enrolment_id, app, detail, previous_hash, hash)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for (row, previousHash, hash) in chained.rows {
            try insert.bind(
                [row.id, row.at, row.kind, row.actor, row.outcome, row.organisation, row.environment, row.username, row.loginID,
                 row.enrolmentID, row.app, row.detail, previousHash, hash])
            try insert.run()
        }
        return chained.rows.last?.row.id ?? head.id
    }
}

/// Where the audit chain ends: the last event's id and hash.
public struct ChainHead: Sendable, Equatable {
    public var id: Int64
    public var hash: [UInt8]
}

/// Events with their ids and hashes worked out, to be appended after `first`.
public struct ChainedEvents: Sendable {
    public var first: ChainHead
    public var rows: [(row: EventRow, previousHash: [UInt8], hash: [UInt8])]
}

/// An event as stored, and how its chain hash is computed.
public struct EventRow: Sendable {
    public var id: Int64
    public var at: Int64
    public var kind: String
    public var actor: String
    public var outcome: String
    public var organisation: String?
    public var environment: String?
    public var username: String?
    public var loginID: Int64?
    public var enrolmentID: Int64?
    public var app: String?
    public var detail: String

    public init(
        id: Int64, at: Int64, kind: String, actor: String, outcome: String, organisation: String?, environment: String?,
        username: String?, loginID: Int64?, enrolmentID: Int64?, app: String?, detail: String
    ) {
        self.id = id
        self.at = at
        self.kind = kind
        self.actor = actor
        self.outcome = outcome
        self.organisation = organisation
        self.environment = environment
        self.username = username
        self.loginID = loginID
        self.enrolmentID = enrolmentID
        self.app = app
        self.detail = detail
    }

    /// HMAC-SHA256 under the audit key (`keyedMAC`) over the previous hash and every field,
    /// each length-prefixed so no two different rows serialise alike.
    public func chainHash(previous: [UInt8], keyedMAC: HMAC<SHA256>) -> [UInt8] {
        // Serialised into one buffer first: a dozen small HMAC updates through the
        // generic DataProtocol path cost more than the hash itself.
        var message = previous
        message.reserveCapacity(256 + detail.utf8.count)
        func append(_ text: String?) {
            guard let text else { return message.append(contentsOf: Self.absent) }
            withUnsafeBytes(of: UInt32(text.utf8.count).bigEndian) { message.append(contentsOf: $0) }
            message.append(contentsOf: text.utf8)
        }
        func append(_ number: Int64?) {
            guard let number else { return message.append(contentsOf: Self.absent) }
            message.append(contentsOf: Self.present)
            withUnsafeBytes(of: number.bigEndian) { message.append(contentsOf: $0) }
        }
        append(id)
        append(at)
        append(kind)
        append(actor)
        append(outcome)
        append(organisation)
        append(environment)
        append(username)
        append(loginID)
        append(enrolmentID)
        append(app)
        append(detail)
        var mac = keyedMAC
        message.withUnsafeBytes { mac.update(data: $0) }
        return Array(mac.finalize())
    }

    /// Markers for a missing field and a number: a string's 4-byte length can never be
    /// 0xFFFFFFFF, so neither can be confused with one.
    private static let absent: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0]
    private static let present: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 1]
}
