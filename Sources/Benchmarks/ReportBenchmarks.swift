import Foundation
import Logging
import MFAStore
import OTP
import SyntheticRoster

/// `mfa-report`, all feeds and formats over 90 days, on a store of `logins` logins and
/// `events` events over 180 days, in time order as a live store appends them. The
/// enrolments, recovery codes and events are made with SQL (set-up, not measured): ten
/// million sign-ins through the tools would take hours.
func benchmarkReport(logins: Int, events: Int) throws -> [Figure] {
    let workspace = try BenchWorkspace("report")
    let csv = workspace.path("users.csv")
    // 2 % of the list are leavers the store never had, so the list is that much longer.
    try RosterWriter.write(RosterGenerator(count: logins * 100 / 98, seed: 19, deletedShare: 0.02), format: .csv, to: csv)
    let paths = try workspace.freshStore("report")
    let asOf = Timestamp.parse("2026-11-29T00:00:00Z")!
    let start = asOf - 180 * Timestamp.secondsPerDay
    _ = try workspace.tool("mfa-import", [csv, "--quiet"], store: paths, environment: ["MFA_NOW": "\(start)"])

    let store = try Store.open(path: paths.database, keyFilePath: paths.keyFile, logger: Logger(label: "bench"))
    let imported = try store.database.integer("SELECT max(id) FROM logins") ?? 1
    try store.database.execute(
        """
        BEGIN IMMEDIATE;
        INSERT INTO enrolments (id, login_id, state, sealed_secret, algorithm, digits, period, issuer, account_name,
                                created_at, activated_at, sheet_issued_at, last_step, recovery_codes, recovery_codes_issued)
        SELECT l.id, l.id, CASE WHEN l.id % 10 < 7 THEN 'active' ELSE 'pending' END, randomblob(48), 'sha1', 6, 30,
               'Inhealthcare', 'account-' || l.id, \(start) + (l.id % 170) * 86400,
               CASE WHEN l.id % 10 < 7 THEN \(start) + (l.id % 170) * 86400 + (l.id % 7) * 86400 END, \(start) + (l.id % 170) * 86400, 0,
               randomblob(\(RecoveryCodeHasher.headerBytes + 10 * RecoveryCodeHasher.digestBytes)), 10
        FROM logins l WHERE l.user_type <> 'patient' AND l.status = 'active';
        INSERT INTO recovery_code_uses (enrolment_id, slot, used_at, used_app)
        SELECT e.id, n.value - 1, e.activated_at + 86400, 'Portal'
        FROM enrolments e, (WITH RECURSIVE n(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM n WHERE value < 10) SELECT value FROM n) n
        WHERE (e.id + n.value) % 23 = 0 AND e.activated_at IS NOT NULL;
        INSERT INTO events (at, kind, actor, outcome, organisation, environment, username, login_id, enrolment_id, app,
                            detail, previous_hash, hash)
        SELECT \(start) + c.value * (180 * 86400) / \(events),
               CASE WHEN c.value % 100 < 70 THEN 'verification.succeeded' WHEN c.value % 100 < 85 THEN 'verification.failed'
                    WHEN c.value % 100 < 90 THEN 'recovery_code.redeemed' WHEN c.value % 100 < 91 THEN 'enrolment.locked'
                    ELSE 'sheet.issued' END,
               'mfa-admin', 'ok', o.code, l.environment, l.username, l.id, l.id,
               CASE c.value % 7 WHEN 0 THEN 'Portal' WHEN 1 THEN 'IHDA-SA' WHEN 2 THEN 'IHDA-GP' WHEN 3 THEN 'IHMA'
                    WHEN 4 THEN 'Reporting dashboard' WHEN 5 THEN 'Organisation data' ELSE 'Toolkit' END,
               '{}', zeroblob(32), zeroblob(32)
        FROM (WITH RECURSIVE c(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM c WHERE value < \(events)) SELECT value FROM c) c
        JOIN logins l ON l.id = 1 + (c.value * 7919) % \(imported) JOIN organisations o ON o.id = l.organisation_id;
        COMMIT;
        """)
    let eventCount = try store.database.integer("SELECT count(*) FROM events") ?? 0
    let loginCount = try store.database.integer("SELECT count(*) FROM logins") ?? 0
    // As a store stands between nightly jobs: its log folded in and on disk, so the run
    // is not timed against the kernel writing back the gigabytes just inserted.
    try store.eraseFreedContent()
    sync()

    let run = try workspace.tool(
        "mfa-report", ["--output-dir", workspace.path("reports"), "--as-of", "2026-11-29", "--days", "90", "--json"], store: paths)
    return [
        Figure("report", "all feeds, csv+json+html, 90 days: \(loginCount) logins, \(eventCount) events", run.seconds, "s"),
        Figure("report", "peak RSS", run.peakResidentMiB, "MiB"),
    ]
}
