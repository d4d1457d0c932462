import Foundation
import MFAStore
import SQLiteDB

/// What a report covers.
public struct ReportScope: Sendable {
    /// The moment the figures describe.
    public var asOf: Int64
    /// The start of the period (inclusive); the period ends at `asOf`.
    public var since: Int64
    public var organisation: String?
    public var environment: Environment?
    /// "Pending too long" means pending for more than this many days.
    public var pendingDays: Int

    public init(asOf: Int64, since: Int64, organisation: String? = nil, environment: Environment? = nil, pendingDays: Int = 14) {
        self.asOf = asOf
        self.since = since
        self.organisation = organisation?.uppercased()
        self.environment = environment
        self.pendingDays = pendingDays
    }
}

/// Computes the feeds from the store, as things stood at `asOf`.
///
/// Everything timestamped (logins' creation and deletion, enrolments' creation,
/// activation and end, recovery codes' use, events) is taken as of `asOf`; what is not
/// (roles, user types, names) is taken as it is now. The same store and the same `asOf`
/// give the same figures.
public struct ReportBuilder {
    let database: Database
    let policy: EnrolmentPolicy
    let scope: ReportScope
    private var asOf: Int64 { scope.asOf }
    private var since: Int64 { scope.since }

    /// `database` must be inside a read transaction, so every feed sees one state.
    public init(database: Database, policy: EnrolmentPolicy, scope: ReportScope) {
        self.database = database
        self.policy = policy
        self.scope = scope
    }

    /// The feeds asked for; adoption and adoption by role come from one pass over the store.
    public func tables(_ feeds: [Feed]) throws -> [Feed: FeedTable] {
        var tables: [Feed: FeedTable] = [:]
        if feeds.contains(.adoption) || feeds.contains(.adoptionByRole) {
            let (total, byRole) = try adoption()
            tables[.adoption] = total
            tables[.adoptionByRole] = byRole
        }
        if feeds.contains(.usage) || feeds.contains(.recoveryCodes) {
            // Counted once for both feeds, and let go before the others are built.
            let signIns = try signInEvents()
            if feeds.contains(.usage) { tables[.usage] = usage(signIns) }
            if feeds.contains(.recoveryCodes) { tables[.recoveryCodes] = try recoveryCodes(signIns) }
        }
        for feed in feeds where tables[feed] == nil {
            switch feed {
            case .history: tables[feed] = try history()
            case .pendingTooLong: tables[feed] = try pendingTooLong()
            case .noRecoveryCodesLeft: tables[feed] = try noRecoveryCodesLeft()
            case .adoption, .adoptionByRole, .usage, .recoveryCodes: break  // built above
            }
        }
        return tables
    }

    // MARK: Scope in SQL

    private var filter: (condition: String, arguments: [any SQLBindable]) {
        LoginScope(organisation: scope.organisation, environment: scope.environment).sql
    }

    /// Logins that existed, undeleted, at `asOf`.
    private var loginExists: String { "l.created_at <= :asOf AND (l.status = 'active' OR l.deleted_at > :asOf)" }
    /// The enrolment that was current at `asOf`.
    private var enrolmentCurrent: String { "e.created_at <= :asOf AND (e.ended_at IS NULL OR e.ended_at > :asOf)" }

    /// Runs `sql`, binding `:asOf`, `:since` and the filter's arguments (after them).
    private func query<Row>(_ sql: String, _ extra: [any SQLBindable] = [], read: (Statement) throws -> Row) throws -> [Row] {
        var rows: [Row] = []
        try forEachRow(sql, extra) { rows.append(try read($0)) }
        return rows
    }

    /// `query` without keeping the rows, for the largest results.
    private func forEachRow(_ sql: String, _ extra: [any SQLBindable] = [], _ body: (Statement) throws -> Void) throws {
        let (filterSQL, filterArguments) = filter
        let statement = try database.prepare(sql.replacingOccurrences(of: "/*filter*/", with: filterSQL))
        for (name, value) in [(":asOf", asOf), (":since", since), (":pendingBefore", asOf - Int64(scope.pendingDays) * Timestamp.secondsPerDay)] {
            let index = statement.parameterIndex(name)
            if index > 0 { try statement.bind(value, at: index) }
        }
        let positional = extra + filterArguments
        let first = Int32(statement.parameterCount - positional.count + 1)
        for (offset, value) in positional.enumerated() { try value.bind(to: statement, at: first + Int32(offset)) }
        while try statement.step() { try body(statement) }
    }

    // MARK: Adoption

    private struct GroupKey: Hashable, Comparable {
        var organisation: String
        var environment: String
        var role: String
        static func < (a: Self, b: Self) -> Bool { (a.organisation, a.environment, a.role) < (b.organisation, b.environment, b.role) }
    }

    private struct Adoption {
        var logins = 0, needing = 0, pending = 0, active = 0, pendingTooLong = 0, withoutEnrolment = 0, locked = 0
        var activatedInPeriod = 0, resets = 0, expiries = 0, lockouts = 0
        var daysToActivate: [Double] = []
    }

    /// Both adoption feeds: every figure is added to its organisation and environment (role
    /// "") and to each of the login's roles.
    private func adoption() throws -> (total: FeedTable, byRole: FeedTable) {
        var groups: [GroupKey: Adoption] = [:]
        func keys(_ organisation: String, _ environment: String, _ roles: String) -> [GroupKey] {
            let names = Role.parseStorage(roles).map(\.name)
            return [GroupKey(organisation: organisation, environment: environment, role: "")]
                + (names.isEmpty ? ["(none)"] : names).map { GroupKey(organisation: organisation, environment: environment, role: $0) }
        }
        // Logins and their enrolment as of asOf, counted here by kind of login: a GROUP BY
        // over a million logins sorted them all (5 of its 6 s).
        struct LoginKind: Hashable { var organisation, environment, userType, roles: String }
        struct Counts { var logins = 0, enrolled = 0, active = 0, pending = 0, pendingTooLong = 0, locked = 0 }
        var kinds: [LoginKind: Counts] = [:]
        try forEachRow(
            """
            SELECT o.code, l.environment, l.user_type, l.roles, e.id IS NOT NULL, e.activated_at <= :asOf,
                   e.id IS NOT NULL AND (e.activated_at IS NULL OR e.activated_at > :asOf),
                   e.id IS NOT NULL AND (e.activated_at IS NULL OR e.activated_at > :asOf) AND e.created_at <= :pendingBefore,
                   e.locked_at <= :asOf
            FROM logins l JOIN organisations o ON o.id = l.organisation_id
            LEFT JOIN enrolments e ON e.login_id = l.id AND \(enrolmentCurrent)
            WHERE \(loginExists)/*filter*/
            """
        ) { row in
            let kind = LoginKind(organisation: row.text(0), environment: row.text(1), userType: row.text(2), roles: row.text(3))
            var counts = kinds[kind, default: Counts()]
            counts.logins += 1
            counts.enrolled += row.int(4)
            counts.active += row.int(5)
            counts.pending += row.int(6)
            counts.pendingTooLong += row.int(7)
            counts.locked += row.int(8)
            kinds[kind] = counts
        }
        for (kind, counts) in kinds {
            let environment = Environment(rawValue: kind.environment) ?? .live
            let needs = policy.needsMFA(
                environment: environment, userType: UserType(rawValue: kind.userType) ?? .staff, roles: Role.parseStorage(kind.roles))
            for key in keys(kind.organisation, kind.environment, kind.roles) {
                var group = groups[key, default: Adoption()]
                group.logins += counts.logins
                if needs {
                    group.needing += counts.logins
                    group.active += counts.active
                    group.pending += counts.pending
                    group.pendingTooLong += counts.pendingTooLong
                    group.withoutEnrolment += counts.logins - counts.enrolled
                    group.locked += counts.locked
                }
                groups[key] = group
            }
        }
        // What happened to enrolments in the period.
        for row in try query(
            """
            SELECT o.code, l.environment, l.roles, e.created_at, e.activated_at, e.end_reason, e.ended_at
            FROM enrolments e JOIN logins l ON l.id = e.login_id JOIN organisations o ON o.id = l.organisation_id
            WHERE ((e.activated_at >= :since AND e.activated_at < :asOf) OR (e.ended_at >= :since AND e.ended_at < :asOf))/*filter*/
            """, read: { ($0.text(0), $0.text(1), $0.text(2), $0.int64(3), $0.optionalInt64(4), $0.optionalText(5), $0.optionalInt64(6)) })
        {
            for key in keys(row.0, row.1, row.2) {
                var group = groups[key, default: Adoption()]
                if let activated = row.4, activated >= since, activated < asOf {
                    group.activatedInPeriod += 1
                    group.daysToActivate.append(Double(activated - row.3) / Double(Timestamp.secondsPerDay))
                }
                if let ended = row.6, ended >= since, ended < asOf {
                    if row.5 == EndReason.reset.rawValue { group.resets += 1 } else { group.expiries += 1 }
                }
                groups[key] = group
            }
        }
        for row in try query(
            """
            SELECT o.code, l.environment, l.roles, count(*) FROM events v
            JOIN logins l ON l.id = v.login_id JOIN organisations o ON o.id = l.organisation_id
            WHERE v.kind = 'enrolment.locked' AND v.at >= :since AND v.at < :asOf/*filter*/ GROUP BY 1, 2, 3
            """, read: { ($0.text(0), $0.text(1), $0.text(2), $0.int(3)) })
        {
            for key in keys(row.0, row.1, row.2) { groups[key, default: Adoption()].lockouts += row.3 }
        }

        return (adoptionTable(groups.filter { $0.key.role.isEmpty }, byRole: false), adoptionTable(groups.filter { !$0.key.role.isEmpty }, byRole: true))
    }

    private func adoptionTable(_ groups: [GroupKey: Adoption], byRole: Bool) -> FeedTable {
        var columns: [FeedTable.Column] = [.init("organisation", .text), .init("environment", .text)]
        if byRole { columns.append(.init("role", .text)) }
        columns += [
            .init("active_logins", .integer), .init("needing_mfa", .integer), .init("pending", .integer), .init("active", .integer),
            .init("adoption_percent", .decimal), .init("pending_over_days", .integer), .init("needing_mfa_without_enrolment", .integer),
            .init("locked", .integer), .init("activated_in_period", .integer), .init("median_days_to_activate", .decimal),
            .init("resets_in_period", .integer), .init("expiries_in_period", .integer), .init("lockouts_in_period", .integer),
        ]
        var table = FeedTable(feed: byRole ? .adoptionByRole : .adoption, columns: columns)
        for key in groups.keys.sorted() {
            let group = groups[key]!
            var row: [FeedTable.Cell] = [.text(key.organisation), .text(Environment(rawValue: key.environment)?.displayName ?? key.environment)]
            if byRole { row.append(.text(key.role)) }
            row += [
                .integer(group.logins), .integer(group.needing), .integer(group.pending), .integer(group.active),
                group.needing == 0 ? .null : .decimal(Double(group.active) * 100 / Double(group.needing)),
                .integer(group.pendingTooLong), .integer(group.withoutEnrolment), .integer(group.locked),
                .integer(group.activatedInPeriod), Self.median(group.daysToActivate).map(FeedTable.Cell.decimal) ?? .null,
                .integer(group.resets), .integer(group.expiries), .integer(group.lockouts),
            ]
            table.rows.append(row)
        }
        return table
    }

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    // MARK: Recovery codes

    private func recoveryCodes(_ signIns: SignInEvents) throws -> FeedTable {
        struct Codes { var unused = 0, enrolments = 0, twoOrFewer = 0, none = 0, redeemed = 0, redeemers = 0, appSignIns = 0 }
        var groups: [GroupKey: Codes] = [:]
        // A correlated count per enrolment walks its few used codes by the primary key; a
        // grouped subquery over every use in the store took seven times as long.
        for row in try query(
            """
            SELECT o.code, l.environment,
                   e.recovery_codes_issued - (SELECT count(*) FROM recovery_code_uses u WHERE u.enrolment_id = e.id AND u.used_at <= :asOf)
            FROM enrolments e JOIN logins l ON l.id = e.login_id JOIN organisations o ON o.id = l.organisation_id
            WHERE \(enrolmentCurrent) AND \(loginExists)/*filter*/
            """, read: { ($0.text(0), $0.text(1), $0.int(2)) })
        {
            var group = groups[GroupKey(organisation: row.0, environment: row.1, role: ""), default: Codes()]
            group.enrolments += 1
            group.unused += row.2
            if row.2 <= 2 { group.twoOrFewer += 1 }
            if row.2 == 0 { group.none += 1 }
            groups[GroupKey(organisation: row.0, environment: row.1, role: "")] = group
        }
        for (key, counts) in signIns.byGroup {
            groups[key, default: Codes()].redeemed += Int(counts.redeemed)
            groups[key, default: Codes()].appSignIns += Int(counts.succeeded)
        }
        for (key, logins) in signIns.redeemers { groups[key, default: Codes()].redeemers += logins.count }
        var table = FeedTable(
            feed: .recoveryCodes,
            columns: [
                .init("organisation", .text), .init("environment", .text), .init("current_enrolments", .integer),
                .init("codes_unused", .integer), .init("codes_redeemed_in_period", .integer),
                .init("logins_redeemed_in_period", .integer), .init("logins_two_or_fewer_left", .integer),
                .init("logins_none_left", .integer), .init("sign_ins_in_period", .integer),
                .init("recovery_sign_in_percent", .decimal),
            ])
        for key in groups.keys.sorted() {
            let group = groups[key]!
            let signIns = group.appSignIns + group.redeemed
            table.rows.append([
                .text(key.organisation), .text(Environment(rawValue: key.environment)?.displayName ?? key.environment),
                .integer(group.enrolments), .integer(group.unused), .integer(group.redeemed), .integer(group.redeemers),
                .integer(group.twoOrFewer), .integer(group.none), .integer(signIns),
                signIns == 0 ? .null : .decimal(Double(group.redeemed) * 100 / Double(signIns)),
            ])
        }
        return table
    }

    // MARK: Usage

    private func usage(_ signIns: SignInEvents) -> FeedTable {
        var table = FeedTable(
            feed: .usage,
            columns: [
                .init("date", .date), .init("organisation", .text), .init("environment", .text), .init("app", .text),
                .init("verifications_succeeded", .integer), .init("verifications_failed", .integer),
                .init("recovery_code_sign_ins", .integer), .init("lockouts", .integer),
            ])
        let names = signIns.names
        // Ranks of the names in SQLite's order for text (by UTF-8 bytes), so the feed's
        // order does not depend on the locale or on the order events came in.
        func ranks(_ values: [String]) -> [UInt64] {
            var rank = [UInt64](repeating: 0, count: values.count)
            for (position, index) in values.indices.sorted(by: { values[$0].utf8.lexicographicallyPrecedes(values[$1].utf8) }).enumerated() {
                rank[index] = UInt64(position)
            }
            return rank
        }
        let (organisationRank, environmentRank, appRank) = (ranks(names.organisations), ranks(names.environments), ranks(names.apps))
        let ordered = signIns.usage.map { key, counts in
            let (day, organisation, environment, app) = SignInEvents.unpack(key)
            let order = UInt64(day) << 44 | organisationRank[organisation] << 20 | environmentRank[environment] << 16 | appRank[app]
            return (order: order, key: key, counts: counts)
        }.sorted { $0.order < $1.order }
        table.rows = ordered.map { entry in
            let (day, organisation, environment, app) = SignInEvents.unpack(entry.key)
            let environmentName = names.environments[environment]
            return [
                .time(Int64(day) * Timestamp.secondsPerDay), .text(names.organisations[organisation]),
                .text(Environment(rawValue: environmentName)?.displayName ?? environmentName), .text(names.apps[app]),
                .integer(Int(entry.counts.succeeded)), .integer(Int(entry.counts.failed)), .integer(Int(entry.counts.redeemed)),
                .integer(Int(entry.counts.lockouts)),
            ]
        }
        return table
    }

    // MARK: Sign-in events

    /// The period's sign-in events, counted in one pass: grouping millions of events in
    /// SQL sorts them all, which took 18 s for usage and recovery codes at ten million
    /// events; counting them here takes a few. Keys are numbers (day, and indexes into
    /// the names seen), which keeps 600,000 groups in tens of megabytes.
    private struct SignInEvents {
        struct Counts { var succeeded: Int32 = 0, failed: Int32 = 0, redeemed: Int32 = 0, lockouts: Int32 = 0 }
        struct Names {
            var organisations: [String] = [], environments: [String] = [], apps: [String] = []
        }
        var names = Names()
        private var organisationIndex: [String: Int] = [:], environmentIndex: [String: Int] = [:], appIndex: [String: Int] = [:]
        /// Per day, organisation, environment and app (see `pack`).
        var usage: [UInt64: Counts] = [:]
        /// Per organisation and environment.
        var byGroup: [GroupKey: Counts] = [:]
        /// The logins that redeemed a recovery code, per organisation and environment.
        var redeemers: [GroupKey: Set<Int64>] = [:]

        /// Day (20 bits: until the year 4840), organisation (24), environment (4), app (16).
        static func pack(day: Int64, organisation: Int, environment: Int, app: Int) -> UInt64 {
            precondition(day >= 0 && day < 1 << 20 && organisation < 1 << 24 && environment < 1 << 4 && app < 1 << 16)
            return UInt64(day) << 44 | UInt64(organisation) << 20 | UInt64(environment) << 16 | UInt64(app)
        }

        static func unpack(_ key: UInt64) -> (day: Int64, organisation: Int, environment: Int, app: Int) {
            (Int64(key >> 44), Int(key >> 20 & 0xFF_FFFF), Int(key >> 16 & 0xF), Int(key & 0xFFFF))
        }

        mutating func usageKey(day: Int64, organisation: String, environment: String, app: String) -> UInt64 {
            func index(_ name: String, _ indexes: inout [String: Int], _ names: inout [String]) -> Int {
                if let index = indexes[name] { return index }
                names.append(name)
                indexes[name] = names.count - 1
                return names.count - 1
            }
            return Self.pack(
                day: day, organisation: index(organisation, &organisationIndex, &names.organisations),
                environment: index(environment, &environmentIndex, &names.environments), app: index(app, &appIndex, &names.apps))
        }
    }

    private func signInEvents() throws -> SignInEvents {
        let eventFilter = filter.condition.replacingOccurrences(of: "o.code", with: "v.organisation")
            .replacingOccurrences(of: "l.environment", with: "v.environment")
        var events = SignInEvents()
        // By time, in one pass over the period's rows (the kind index would read them once per kind).
        try forEachRow(
            """
            SELECT v.at / 86400, v.organisation, v.environment, coalesce(v.app, '(none)'),
                   CASE v.kind WHEN 'verification.succeeded' THEN 0 WHEN 'recovery_code.redeemed' THEN 2
                               WHEN 'enrolment.locked' THEN 3 ELSE 1 END,
                   v.login_id
            FROM events v INDEXED BY events_by_at
            WHERE v.at >= :since AND v.at < :asOf AND v.organisation IS NOT NULL
              AND v.kind IN ('verification.succeeded', 'verification.failed', 'recovery_code.redeemed', 'recovery_code.failed', 'enrolment.locked')\(eventFilter)
            """
        ) { row in
            let organisation = row.text(1), environment = row.text(2)
            let usageKey = events.usageKey(day: row.int64(0), organisation: organisation, environment: environment, app: row.text(3))
            let group = GroupKey(organisation: organisation, environment: environment, role: "")
            switch row.int(4) {
            case 0:
                events.usage[usageKey, default: .init()].succeeded += 1
                events.byGroup[group, default: .init()].succeeded += 1
            case 2:
                events.usage[usageKey, default: .init()].redeemed += 1
                events.byGroup[group, default: .init()].redeemed += 1
                if let login = row.optionalInt64(5) { events.redeemers[group, default: []].insert(login) }
            case 3: events.usage[usageKey, default: .init()].lockouts += 1
            default: events.usage[usageKey, default: .init()].failed += 1
            }
        }
        return events
    }

    // MARK: History

    /// Counts at the end of each day of the period, from the timestamps of logins and
    /// enrolments: each change is a +1 or -1 on the day it happened, summed in order.
    private func history() throws -> FeedTable {
        let firstDay = Timestamp.day(of: since)
        let lastDay = Timestamp.day(of: asOf - 1)
        let days = Int(max(0, lastDay - firstDay + 1))
        struct Series { var needing: [Int], active: [Int], pending: [Int] }
        var series: [GroupKey: Series] = [:]
        /// The index of the first day whose end-of-day count includes a change at `time`
        /// (0 for anything before the period), or nil if it is after `asOf`.
        func slot(_ time: Int64) -> Int? {
            guard time < asOf else { return nil }
            return Int(max(0, Timestamp.day(of: time) - firstDay))
        }
        func add(_ key: GroupKey, _ path: WritableKeyPath<Series, [Int]>, at time: Int64?, _ delta: Int) {
            guard let time, let index = slot(time), index < days else { return }
            series[key, default: Series(needing: Array(repeating: 0, count: days), active: Array(repeating: 0, count: days), pending: Array(repeating: 0, count: days))][keyPath: path][index] += delta
        }
        for row in try query(
            """
            SELECT o.code, l.environment, l.user_type, l.roles, l.created_at, l.deleted_at
            FROM logins l JOIN organisations o ON o.id = l.organisation_id WHERE l.created_at < :asOf/*filter*/
            """, read: { ($0.text(0), $0.text(1), $0.text(2), $0.text(3), $0.int64(4), $0.optionalInt64(5)) })
        {
            let environment = Environment(rawValue: row.1) ?? .live
            guard policy.needsMFA(environment: environment, userType: UserType(rawValue: row.2) ?? .staff, roles: Role.parseStorage(row.3)) else { continue }
            let key = GroupKey(organisation: row.0, environment: row.1, role: "")
            add(key, \.needing, at: row.4, 1)
            add(key, \.needing, at: row.5, -1)
        }
        for row in try query(
            """
            SELECT o.code, l.environment, e.created_at, e.activated_at, e.ended_at
            FROM enrolments e JOIN logins l ON l.id = e.login_id JOIN organisations o ON o.id = l.organisation_id
            WHERE e.created_at < :asOf/*filter*/
            """, read: { ($0.text(0), $0.text(1), $0.int64(2), $0.optionalInt64(3), $0.optionalInt64(4)) })
        {
            let key = GroupKey(organisation: row.0, environment: row.1, role: "")
            add(key, \.pending, at: row.2, 1)
            let leftPending = [row.3, row.4].compactMap { $0 }.min()
            add(key, \.pending, at: leftPending, -1)
            if let activated = row.3, row.4.map({ $0 >= activated }) ?? true {
                add(key, \.active, at: activated, 1)
                add(key, \.active, at: row.4, -1)
            }
        }
        var table = FeedTable(
            feed: .history,
            columns: [
                .init("date", .date), .init("organisation", .text), .init("environment", .text), .init("needing_mfa", .integer),
                .init("pending", .integer), .init("active", .integer), .init("adoption_percent", .decimal),
            ])
        var rows: [(Int, GroupKey, [FeedTable.Cell])] = []
        for (key, values) in series {
            var needing = 0, pending = 0, active = 0
            for day in 0..<days {
                needing += values.needing[day]
                pending += values.pending[day]
                active += values.active[day]
                rows.append((day, key, [
                    .time((firstDay + Int64(day)) * Timestamp.secondsPerDay), .text(key.organisation),
                    .text(Environment(rawValue: key.environment)?.displayName ?? key.environment), .integer(needing),
                    .integer(pending), .integer(active), needing == 0 ? .null : .decimal(Double(active) * 100 / Double(needing)),
                ]))
            }
        }
        table.rows = rows.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map(\.2)
        return table
    }

    // MARK: Action lists

    private func pendingTooLong() throws -> FeedTable {
        var table = FeedTable(
            feed: .pendingTooLong,
            columns: [
                .init("organisation", .text), .init("environment", .text), .init("username", .text), .init("display_name", .text),
                .init("enrolled_at", .dateTime), .init("days_pending", .integer), .init("sheet_printed_at", .dateTime),
            ])
        table.rows = try query(
            """
            SELECT o.code, l.environment, l.username, l.display_name, e.created_at, e.sheet_issued_at
            FROM enrolments e JOIN logins l ON l.id = e.login_id JOIN organisations o ON o.id = l.organisation_id
            WHERE \(enrolmentCurrent) AND \(loginExists) AND (e.activated_at IS NULL OR e.activated_at > :asOf)
              AND e.created_at <= :pendingBefore/*filter*/
            ORDER BY o.code, l.environment, l.username
            """
        ) { row in
            [
                .text(row.text(0)), .text(Environment(rawValue: row.text(1))?.displayName ?? row.text(1)), .text(row.text(2)),
                .text(row.text(3)), .time(row.int64(4)), .integer(Int((asOf - row.int64(4)) / Timestamp.secondsPerDay)),
                row.optionalInt64(5).flatMap { $0 <= asOf ? FeedTable.Cell.time($0) : nil } ?? .null,
            ]
        }
        return table
    }

    private func noRecoveryCodesLeft() throws -> FeedTable {
        var table = FeedTable(
            feed: .noRecoveryCodesLeft,
            columns: [
                .init("organisation", .text), .init("environment", .text), .init("username", .text), .init("display_name", .text),
                .init("enrolled_at", .dateTime), .init("last_code_used_at", .dateTime),
            ])
        table.rows = try query(
            """
            SELECT o.code, l.environment, l.username, l.display_name, e.created_at,
                   (SELECT max(u.used_at) FROM recovery_code_uses u WHERE u.enrolment_id = e.id AND u.used_at <= :asOf)
            FROM enrolments e JOIN logins l ON l.id = e.login_id JOIN organisations o ON o.id = l.organisation_id
            WHERE \(enrolmentCurrent) AND \(loginExists) AND e.recovery_codes_issued > 0
              AND e.recovery_codes_issued = (SELECT count(*) FROM recovery_code_uses u WHERE u.enrolment_id = e.id AND u.used_at <= :asOf)/*filter*/
            ORDER BY o.code, l.environment, l.username
            """
        ) { row in
            [
                .text(row.text(0)), .text(Environment(rawValue: row.text(1))?.displayName ?? row.text(1)), .text(row.text(2)),
                .text(row.text(3)), .time(row.int64(4)), row.optionalInt64(5).map(FeedTable.Cell.time) ?? .null,
            ]
        }
        return table
    }
}
