import Foundation
import Logging
import MFAStore
import RosterImport
import SQLiteDB

public struct ExpiryOptions: Sendable {
    public var organisation: String?
    public var environment: Environment?
    /// Logins to mark deleted first (`--deleted FILE`), already read and validated.
    public var deletedLogins: [LoginRecord] = []
    /// Also expire pending enrolments created longer ago than this (`--pending-max-age`).
    public var pendingMaxAge: Int64?
    public var maxExpiryFraction = 0.10
    public var allowMassExpiry = false
    public var dryRun = false

    public init() {}
}

public struct ExpirySummary: Sendable, Encodable {
    public struct Expired: Sendable, Encodable {
        public var organisation: String
        public var environment: Environment
        public var username: String
        public var reason: EndReason
    }

    public var loginsMarkedDeleted = 0
    /// Listed in the deletions file but not in the store.
    public var unknownLogins: [String] = []
    public var expiredUserDeleted = 0
    public var expiredNeverActivated = 0
    public var expired: [Expired] = []
    public var dryRun = false
    public var seconds = 0.0
}

public enum ExpiryError: Error, Equatable, Sendable, LocalizedError {
    case massExpiry([MassExpiry])

    /// One organisation and environment that would lose too many enrolments at once.
    public struct MassExpiry: Equatable, Sendable {
        public var organisation: String
        public var environment: String
        public var wouldExpire: Int
        public var current: Int
    }

    public var errorDescription: String? {
        switch self {
        case let .massExpiry(cases):
            cases.map { "\($0.organisation) \($0.environment): \($0.wouldExpire) of \($0.current) current enrolments would expire" }
                .joined(separator: "\n")
                + "\nexpiry refused: so many at once looks like a truncated or wrong roster; nothing was changed (check the last import, or pass --allow-mass-expiry)"
        }
    }
}

/// Ends the enrolments of deleted logins, and of pending enrolments nobody activated:
/// their secrets and recovery codes are erased, not flagged, so nothing verifies again.
/// One transaction, so a run killed at any moment leaves everything or nothing done.
public final class Expirer {
    private let store: Store
    private let logger: Logger
    private var database: Database { store.database }

    public init(store: Store, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    private struct Target {
        var enrolmentID: Int64
        var loginID: Int64
        var organisation: String
        var environment: Environment
        var username: String
        var reason: EndReason
    }

    public func run(_ options: ExpiryOptions) throws -> ExpirySummary {
        let start = DispatchTime.now().uptimeNanoseconds
        var summary = ExpirySummary(dryRun: options.dryRun)
        try store.useBulkCache()
        do {
            try database.inTransaction(.immediate) {
                let now = store.now
                try markDeleted(options.deletedLogins, at: now, summary: &summary)
                let targets = try findTargets(options, at: now)
                try guardAgainstMassExpiry(targets, options: options)
                try expire(targets, at: now, summary: &summary)
                if options.dryRun { throw DryRun() }
            }
            // The erased secrets may still sit in old write-ahead-log frames: fold the log
            // into the database (whose freed space secure_delete has zeroed) and empty it.
            if summary.expiredUserDeleted + summary.expiredNeverActivated > 0 { try store.eraseFreedContent() }
        } catch is DryRun {}
        summary.seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return summary
    }

    private struct DryRun: Error {}

    private func markDeleted(_ logins: [LoginRecord], at now: Int64, summary: inout ExpirySummary) throws {
        var found: [(id: Int64, login: LoginRecord)] = []
        let organisations = Dictionary(uniqueKeysWithValues: try database.rows("SELECT code, id FROM organisations") { ($0.text(0), $0.int64(1)) })
        for login in logins {
            guard let organisationID = organisations[login.organisation],
                let row = try database.row(
                    "SELECT id, status FROM logins WHERE organisation_id = ? AND environment = ? AND username = ?",
                    [organisationID, login.environment.rawValue, login.username], read: { ($0.int64(0), $0.text(1)) })
            else {
                summary.unknownLogins.append("\(login.organisation) \(login.environment.displayName) \(login.username)")
                continue
            }
            if row.1 == LoginStatus.active.rawValue { found.append((row.0, login)) }
        }
        // One table at a time and in id order, so each page is read and written once
        // rather than evicted between neighbouring rows by the other tables' pages.
        found.sort { $0.id < $1.id }
        let events = chainInBackground(
            found.map { id, login in
                Event(
                    kind: "login.deleted", actor: "mfa-expire", organisation: login.organisation, environment: login.environment,
                    username: login.username, loginID: id, detail: ["reason": .text("listed in a deletions file")])
            }, at: now)
        let update = try database.prepare("UPDATE logins SET status = 'deleted', deleted_at = ?, updated_at = ? WHERE id = ?")
        for (id, _) in found {
            try update.bind([now, now, id])
            try update.run()
        }
        try store.append(try events.wait())
        summary.loginsMarkedDeleted += found.count
    }

    /// The events' ids and chain hashes, worked out on the other core while the rows they
    /// describe are written: the chain's head cannot move meanwhile, since this run holds
    /// the write lock and appends nothing else first.
    private func chainInBackground(_ events: [Event], at now: Int64) -> BackgroundWork<ChainedEvents> {
        let head = Result { try store.chainHead() }
        let mac = store.vault.auditChainMAC
        return BackgroundWork { Store.chain(events, after: try head.get(), at: now, keyedMAC: mac) }
    }

    /// Ends `targets` (in enrolment id order): secrets and codes erased, events recorded.
    private func expire(_ targets: [Target], at now: Int64, summary: inout ExpirySummary) throws {
        // As in markDeleted, one table at a time.
        let events = chainInBackground(
            targets.map { target in
                Event(
                    kind: "enrolment.expired", actor: "mfa-expire", organisation: target.organisation,
                    environment: target.environment, username: target.username, loginID: target.loginID,
                    enrolmentID: target.enrolmentID, detail: ["reason": .text(target.reason.rawValue)])
            }, at: now)
        let expire = try database.prepare(
            "UPDATE enrolments SET \(Store.endingAssignments) WHERE id = ? AND state IN ('pending', 'active')")
        for target in targets {
            try expire.bind([EnrolmentState.expired.rawValue, target.reason.rawValue, now, target.enrolmentID])
            try expire.run()
        }
        summary.expired.reserveCapacity(targets.count)
        try store.append(try events.wait())
        for target in targets {
            if target.reason == .userDeleted { summary.expiredUserDeleted += 1 } else { summary.expiredNeverActivated += 1 }
            summary.expired.append(
                ExpirySummary.Expired(
                    organisation: target.organisation, environment: target.environment, username: target.username, reason: target.reason))
        }
    }

    private func findTargets(_ options: ExpiryOptions, at now: Int64) throws -> [Target] {
        let (filter, arguments) = LoginScope(organisation: options.organisation, environment: options.environment).sql
        let columns = "e.id, l.id, o.code, l.environment, l.username, l.status"
        let joins = "JOIN organisations o ON o.id = l.organisation_id"
        // Each half is driven by its partial index (deleted logins, pending enrolments by
        // age); an ORDER BY would make SQLite scan every enrolment instead, so sort here.
        var sql = """
            SELECT \(columns) FROM logins l JOIN enrolments e ON e.login_id = l.id \(joins)
            WHERE l.status = 'deleted' AND e.state IN ('pending', 'active')\(filter)
            """
        var allArguments = arguments
        if let maxAge = options.pendingMaxAge {
            sql += """

                UNION
                SELECT \(columns) FROM enrolments e JOIN logins l ON l.id = e.login_id \(joins)
                WHERE e.state = 'pending' AND e.created_at < ?\(filter)
                """
            allArguments += [now - maxAge] + arguments
        }
        return try database.rows(sql, allArguments) { row in
            Target(
                enrolmentID: row.int64(0), loginID: row.int64(1), organisation: row.text(2),
                environment: Environment(rawValue: row.text(3)) ?? .live, username: row.text(4),
                reason: row.text(5) == LoginStatus.deleted.rawValue ? .userDeleted : .neverActivated)
        }.sorted { $0.enrolmentID < $1.enrolmentID }
    }

    /// Refuses when one run would expire too large a share of an organisation's current
    /// enrolments in one environment.
    private func guardAgainstMassExpiry(_ targets: [Target], options: ExpiryOptions) throws {
        guard !options.allowMassExpiry, !targets.isEmpty else { return }
        let grouped = Dictionary(grouping: targets) { "\($0.organisation)\u{1F}\($0.environment.rawValue)" }
        var refused: [ExpiryError.MassExpiry] = []
        for key in grouped.keys.sorted() {
            let members = grouped[key]!
            let current = try database.integer(
                """
                SELECT count(*) FROM enrolments e JOIN logins l ON l.id = e.login_id JOIN organisations o ON o.id = l.organisation_id
                WHERE e.state IN ('pending', 'active') AND o.code = ? AND l.environment = ?
                """, [members[0].organisation, members[0].environment.rawValue]) ?? 0
            if Double(members.count) > Double(current) * options.maxExpiryFraction {
                refused.append(
                    ExpiryError.MassExpiry(
                        organisation: members[0].organisation, environment: members[0].environment.displayName,
                        wouldExpire: members.count, current: Int(current)))
            }
        }
        if !refused.isEmpty { throw ExpiryError.massExpiry(refused) }
    }
}
