import Foundation
import Logging
import MFAStore
import OTP
import SQLiteDB
import Sheets

public struct EnrolmentOptions: Sendable {
    public var organisation: String?
    public var environment: Environment?
    public var dryRun = false
    /// Where sheets go; nil for a run that only creates enrolments (`--no-sheets`).
    public var sheetsDirectory: String?
    public var qrFormat: QRImageFormat?
    /// `--reissue --user`: reprint this login's pending sheet with new recovery codes.
    public var reissueUsername: String?

    public init() {}

    var scope: LoginScope { LoginScope(organisation: organisation, environment: environment) }
}

public struct EnrolmentSummary: Sendable, Encodable {
    public struct Group: Sendable, Encodable {
        public var organisation: String
        public var environment: Environment
        public var enrolled = 0
        public var sheets = 0
        public var batchFile: String?
    }

    public var needingMFA = 0
    public var alreadyEnrolled = 0
    public var notNeedingMFA = 0
    public var enrolled = 0
    /// Sheets printed in this run, for new enrolments and for earlier ones whose sheet was never issued.
    public var sheetsIssued = 0
    public var sheetsReissued = 0
    public var groups: [Group] = []
    public var dryRun = false
    /// With `--dry-run`: who would be enrolled, and whose sheets would be issued.
    public var wouldEnrol: [Candidate]?
    public var wouldIssueSheets: [Candidate]?
    public var seconds = 0.0
}

/// Creates enrolments for every login that needs one and prints their sheets.
///
/// The database commits first and the sheets are written after; an enrolment is marked
/// as issued only once its sheet is on disk. A run that dies in between is finished by
/// the next one, which prints the missing sheets with fresh recovery codes (only their
/// hashes are kept).
public final class Enroller {
    private let store: Store
    private let configuration: Configuration
    private let logger: Logger
    private var database: Database { store.database }

    /// (done, total) as enrolments are created and sheets written.
    public var onProgress: ((String, Int, Int) -> Void)?

    public init(store: Store, configuration: Configuration, logger: Logger) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
    }

    public func run(_ options: EnrolmentOptions) throws -> EnrolmentSummary {
        let start = DispatchTime.now().uptimeNanoseconds
        if configuration.departsFromAuthenticatorDefaults {
            logger.warning(
                "TOTP settings \(configuration.algorithm.rawValue), \(configuration.digits) digits, \(configuration.period) s differ from SHA-1, 6 digits, 30 s: Microsoft Authenticator honours only those defaults")
        }
        try store.useBulkCache()
        var summary = options.reissueUsername == nil ? try enrolAll(options) : try reissue(options)
        summary.seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return summary
    }

    // MARK: Planning

    /// Active logins in scope, split by whether the policy asks MFA of them and whether
    /// they already have a current enrolment.
    private func plan(_ options: EnrolmentOptions, summary: inout EnrolmentSummary) throws -> [Candidate] {
        let (filter, arguments) = options.scope.sql
        var candidates: [Candidate] = []
        let rows = try database.prepare(
            """
            SELECT l.id, o.code, l.environment, l.username, l.display_name, l.roles, l.user_type,
                   EXISTS (SELECT 1 FROM enrolments e WHERE e.login_id = l.id AND e.state IN ('pending', 'active'))
            FROM logins l JOIN organisations o ON o.id = l.organisation_id
            WHERE l.status = 'active'\(filter)
            ORDER BY o.code, l.environment, l.id
            """)
        try rows.bind(arguments)
        while try rows.step() {
            guard let environment = Environment(rawValue: rows.text(2)), let userType = UserType(rawValue: rows.text(6)) else { continue }
            guard configuration.policy.needsMFA(environment: environment, userType: userType, roles: Role.parseStorage(rows.text(5))) else {
                summary.notNeedingMFA += 1
                continue
            }
            summary.needingMFA += 1
            if rows.int64(7) == 1 {
                summary.alreadyEnrolled += 1
                continue
            }
            candidates.append(
                Candidate(
                    loginID: rows.int64(0), organisation: rows.text(1), environment: environment, username: rows.text(3),
                    displayName: rows.text(4)))
        }
        return candidates
    }

    /// Pending enrolments in scope whose sheet was never issued.
    private func unissued(_ options: EnrolmentOptions, username: String? = nil) throws -> [(enrolmentID: Int64, candidate: Candidate)] {
        var (filter, arguments) = options.scope.sql
        if let username {
            filter += " AND l.username = ?"
            arguments.append(username.lowercased())
        } else {
            filter += " AND e.sheet_issued_at IS NULL"
        }
        return try database.rows(
            """
            SELECT e.id, l.id, o.code, l.environment, l.username, l.display_name
            FROM enrolments e JOIN logins l ON l.id = e.login_id JOIN organisations o ON o.id = l.organisation_id
            WHERE e.state = 'pending' AND l.status = 'active'\(filter)
            ORDER BY e.id
            """, arguments
        ) { row in
            (row.int64(0), Candidate(
                loginID: row.int64(1), organisation: row.text(2), environment: Environment(rawValue: row.text(3)) ?? .live,
                username: row.text(4), displayName: row.text(5)))
        }
    }

    // MARK: Enrolling

    private func enrolAll(_ options: EnrolmentOptions) throws -> EnrolmentSummary {
        var summary = EnrolmentSummary(dryRun: options.dryRun)
        let candidates = try plan(options, summary: &summary)
        let pendingSheets = options.sheetsDirectory == nil ? [] : try unissued(options)
        if options.dryRun {
            summary.wouldEnrol = candidates
            summary.wouldIssueSheets = pendingSheets.map(\.candidate)
            return summary
        }

        let (count, created) = try create(candidates, keep: options.sheetsDirectory != nil)
        summary.enrolled = count
        var toPrint = created
        if options.sheetsDirectory != nil && !pendingSheets.isEmpty {
            logger.notice("\(pendingSheets.count) earlier enrolments have no sheet yet; issuing them with new recovery codes")
            toPrint += try renewRecoveryCodes(pendingSheets, reason: "sheet never issued")
            summary.sheetsReissued = pendingSheets.count
        }
        summary.groups = enrolledGroups(candidates)
        if let directory = options.sheetsDirectory {
            let written = try SheetWriter(directory: directory, qrFormat: options.qrFormat, issuedAt: store.now).write(toPrint) { done, total in
                self.onProgress?("sheets", done, total)
            }
            try markIssued(written)
            summary.sheetsIssued = toPrint.count
            summary.groups = groups(created, printed: written)
        }
        return summary
    }

    /// Enrolments per organisation and environment, for a run that printed no sheets.
    private func enrolledGroups(_ candidates: [Candidate]) -> [EnrolmentSummary.Group] {
        Dictionary(grouping: candidates) { "\($0.organisation)\u{1F}\($0.environment.rawValue)" }.values.map {
            EnrolmentSummary.Group(organisation: $0[0].organisation, environment: $0[0].environment, enrolled: $0.count)
        }.sorted { ($0.organisation, $0.environment) < ($1.organisation, $1.environment) }
    }

    private func groups(_ created: [IssuedEnrolment], printed: [SheetWriter.WrittenGroup]) -> [EnrolmentSummary.Group] {
        var groups: [String: EnrolmentSummary.Group] = [:]
        func key(_ organisation: String, _ environment: Environment) -> String { "\(organisation)\u{1F}\(environment.rawValue)" }
        for enrolment in created {
            groups[key(enrolment.organisation, enrolment.environment), default: .init(organisation: enrolment.organisation, environment: enrolment.environment)].enrolled += 1
        }
        for group in printed {
            var entry = groups[key(group.organisation, group.environment), default: .init(organisation: group.organisation, environment: group.environment)]
            entry.sheets = group.sheets.count
            entry.batchFile = group.batchFile
            groups[key(group.organisation, group.environment)] = entry
        }
        return groups.values.sorted { ($0.organisation, $0.environment) < ($1.organisation, $1.environment) }
    }

    /// Secrets, recovery codes and their hashes for `count` enrolments: the CPU-heavy
    /// part, spread over the cores.
    private struct Material: Sendable {
        var secret: [UInt8]
        var sealedSecret: [UInt8]
        var recoveryCodes: [String]
        var hashedCodes: [UInt8]
    }

    private func material(for ids: [Int64]) throws -> [Material] {
        let vault = store.vault
        let hasher = vault.recoveryCodeHasher()
        let count = configuration.recoveryCodeCount
        return try ids.parallelMap { id in
            let secret = Secret.random()
            let codes = RecoveryCode.generate(count: count)
            return Material(secret: secret, sealedSecret: try vault.sealSecret(secret, enrolmentID: id), recoveryCodes: codes, hashedCodes: try hasher.hash(codes))
        }
    }

    static let chunkSize = 1024

    /// Creates a pending enrolment for each candidate, in one transaction; `first` runs
    /// at its start (a reset ends the old enrolment there, so both happen or neither).
    /// Returns the new enrolments with their secrets and codes when `keep` (their sheets
    /// are to be printed); otherwise only how many, so a large run holds no secrets.
    private func create(
        _ candidates: [Candidate], keep: Bool = true, actor: String = "mfa-enrol", first: () throws -> Void = {}
    ) throws -> (count: Int, enrolments: [IssuedEnrolment]) {
        guard !candidates.isEmpty else { return (0, []) }
        let now = store.now
        var created: [IssuedEnrolment] = []
        var count = 0
        if keep { created.reserveCapacity(candidates.count) }
        try database.inTransaction {
            try first()
            var naming = try AccountNaming(configuration: configuration, store: store)
            let firstID = (try database.integer("SELECT max(id) FROM enrolments") ?? 0) + 1
            let insertEnrolment = try database.prepare(
                """
                INSERT INTO enrolments (id, login_id, state, sealed_secret, algorithm, digits, period, issuer, account_name, created_at,
                                        recovery_codes, recovery_codes_issued)
                VALUES (?, ?, 'pending', ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            var next: BackgroundWork<[Material]>? = startMaterial(firstID: firstID, count: min(Self.chunkSize, candidates.count))
            for chunkStart in stride(from: 0, to: candidates.count, by: Self.chunkSize) {
                let chunk = candidates[chunkStart..<min(chunkStart + Self.chunkSize, candidates.count)]
                // The next chunk's secrets and hashes are made while this one is inserted.
                let materials = try next!.wait()
                let nextStart = chunkStart + Self.chunkSize
                next = nextStart < candidates.count
                    ? startMaterial(firstID: firstID + Int64(nextStart), count: min(Self.chunkSize, candidates.count - nextStart)) : nil
                var events: [Event] = []
                events.reserveCapacity(chunk.count)
                for (offset, (candidate, material)) in zip(chunk, materials).enumerated() {
                    let id = firstID + Int64(chunkStart + offset)
                    let issuer = naming.issuer(environment: candidate.environment, organisation: candidate.organisation, username: candidate.username)
                    let account = try naming.accountName(environment: candidate.environment, organisation: candidate.organisation, username: candidate.username)
                    try insertEnrolment.bind([
                        id, candidate.loginID, material.sealedSecret, configuration.algorithm.rawValue, configuration.digits,
                        configuration.period, issuer, account, now, material.hashedCodes, material.recoveryCodes.count,
                    ])
                    try insertEnrolment.run()
                    events.append(
                        Event(
                            kind: "enrolment.created", actor: actor, organisation: candidate.organisation,
                            environment: candidate.environment, username: candidate.username, loginID: candidate.loginID, enrolmentID: id,
                            detail: ["account_name": .text(account), "recovery_codes": .integer(Int64(material.recoveryCodes.count))]))
                    count += 1
                    guard keep else { continue }
                    created.append(
                        IssuedEnrolment(
                            enrolmentID: id, loginID: candidate.loginID, organisation: candidate.organisation,
                            environment: candidate.environment, username: candidate.username, displayName: candidate.displayName,
                            uri: OTPAuthURI(
                                issuer: issuer, accountName: account, secret: material.secret, algorithm: configuration.algorithm,
                                digits: configuration.digits, period: configuration.period),
                            recoveryCodes: material.recoveryCodes))
                }
                try store.record(events, at: now)
                onProgress?("enrolments", count, candidates.count)
            }
        }
        return (count, created)
    }

    /// Material for enrolment ids `firstID ..< firstID + count`, made on other threads.
    private func startMaterial(firstID: Int64, count: Int) -> BackgroundWork<[Material]> {
        let ids = (0..<count).map { firstID + Int64($0) }
        let work = UnsafeSendable(self)
        return BackgroundWork { try work.value.material(for: ids) }
    }

    /// New recovery codes for pending enrolments whose sheets are being (re)printed; the
    /// old codes, never seen or lost with the sheet, stop working.
    func renewRecoveryCodes(_ enrolments: [(enrolmentID: Int64, candidate: Candidate)], reason: String) throws -> [IssuedEnrolment] {
        let hasher = store.vault.recoveryCodeHasher()
        let count = configuration.recoveryCodeCount
        let codes = try enrolments.map { _ in RecoveryCode.generate(count: count) }.parallelMap { codes in (codes, try hasher.hash(codes)) }
        var renewed: [IssuedEnrolment] = []
        try database.inTransaction {
            let now = store.now
            for ((enrolmentID, candidate), (plain, hashes)) in zip(enrolments, codes) {
                guard let row = try database.row(
                    "SELECT sealed_secret, issuer, account_name, algorithm, digits, period FROM enrolments WHERE id = ? AND state = 'pending'",
                    [enrolmentID], read: { ($0.blob(0), $0.text(1), $0.text(2), $0.text(3), $0.int(4), $0.int(5)) })
                else { continue }
                let secret = try store.vault.openSecret(row.0, enrolmentID: enrolmentID)
                try store.replaceRecoveryCodes(hashes, count: plain.count, enrolmentID: enrolmentID)
                try store.record(
                    Event(
                        kind: "recovery_codes.renewed", actor: "mfa-enrol", organisation: candidate.organisation,
                        environment: candidate.environment, username: candidate.username, loginID: candidate.loginID,
                        enrolmentID: enrolmentID, detail: ["reason": .text(reason), "recovery_codes": .integer(Int64(plain.count))]),
                    at: now)
                renewed.append(
                    IssuedEnrolment(
                        enrolmentID: enrolmentID, loginID: candidate.loginID, organisation: candidate.organisation,
                        environment: candidate.environment, username: candidate.username, displayName: candidate.displayName,
                        uri: OTPAuthURI(
                            issuer: row.1, accountName: row.2, secret: secret, algorithm: (try? OTPAlgorithm(parsing: row.3)) ?? .sha1,
                            digits: row.4, period: row.5),
                        recoveryCodes: plain))
            }
        }
        return renewed
    }

    /// Records that the sheets are on disk, in one transaction.
    func markIssued(_ groups: [SheetWriter.WrittenGroup]) throws {
        try database.inTransaction {
            let now = store.now
            for group in groups {
                for sheet in group.sheets {
                    try database.run("UPDATE enrolments SET sheet_issued_at = ? WHERE id = ?", [now, sheet.enrolmentID])
                    try store.record(
                        Event(
                            kind: "sheet.issued", actor: "mfa-enrol", organisation: group.organisation, environment: group.environment,
                            username: sheet.username, loginID: sheet.loginID, enrolmentID: sheet.enrolmentID,
                            detail: ["file": .text(sheet.file)]),
                        at: now)
                }
            }
        }
    }

    // MARK: Resetting one login

    /// "Reset MFA enrolment": ends the login's current enrolment (its secret erased, its
    /// codes deleted) and creates a new pending one in the same transaction, then prints
    /// its sheet. `actor` says who asked; the caller has checked they may.
    public func reset(
        _ candidate: Candidate, actor: String, sheetsDirectory: String?, qrFormat: QRImageFormat?
    ) throws -> (ended: Int64?, enrolment: IssuedEnrolment, sheet: String?) {
        var ended: Int64?
        let (_, created) = try create([candidate], actor: actor) {
            let now = store.now
            ended = try store.endCurrentEnrolment(loginID: candidate.loginID, state: .ended, reason: .reset, at: now)
            try store.record(
                Event(
                    kind: "enrolment.reset", actor: actor, organisation: candidate.organisation, environment: candidate.environment,
                    username: candidate.username, loginID: candidate.loginID, enrolmentID: ended),
                at: now)
        }
        guard let enrolment = created.first else { throw EnrolmentError.invalidOption("the reset created no enrolment") }
        if ended != nil { try store.eraseFreedContent() }
        guard let sheetsDirectory else { return (ended, enrolment, nil) }
        let written = try SheetWriter(directory: sheetsDirectory, qrFormat: qrFormat, issuedAt: store.now).write(created) { _, _ in }
        try markIssued(written)
        return (ended, enrolment, written.first?.sheets.first.map { "\(sheetsDirectory)/\($0.file)" })
    }

    // MARK: Reprinting one sheet

    private func reissue(_ options: EnrolmentOptions) throws -> EnrolmentSummary {
        guard let username = options.reissueUsername else { return EnrolmentSummary() }
        guard let directory = options.sheetsDirectory else {
            throw EnrolmentError.invalidOption("--reissue prints a sheet: it needs --sheets DIR, not --no-sheets")
        }
        let matches = try unissued(options, username: username)
        guard !matches.isEmpty else {
            throw EnrolmentError.noPendingEnrolment(organisation: options.organisation, environment: options.environment?.displayName, username: username)
        }
        guard matches.count == 1 else {
            throw EnrolmentError.ambiguousUser(username: username, matches: matches.map { "\($0.candidate.organisation) \($0.candidate.environment.displayName)" })
        }
        var summary = EnrolmentSummary(dryRun: options.dryRun)
        if options.dryRun {
            summary.wouldIssueSheets = matches.map(\.candidate)
            return summary
        }
        let renewed = try renewRecoveryCodes(matches, reason: "sheet reissued")
        let written = try SheetWriter(directory: directory, qrFormat: options.qrFormat, issuedAt: store.now).write(renewed) { _, _ in }
        try markIssued(written)
        summary.sheetsIssued = renewed.count
        summary.sheetsReissued = renewed.count
        summary.groups = groups([], printed: written)
        return summary
    }
}
