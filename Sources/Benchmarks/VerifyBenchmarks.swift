import Foundation
import Lifecycle
import Logging
import MFAStore
import OTP
import SyntheticRoster

/// Verifications against a store of `count` active enrolments: in-process through the
/// library, and as `mfa-admin verify` runs (process start included).
func benchmarkVerify(count: Int) throws -> [Figure] {
    let workspace = try BenchWorkspace("verify")
    let csv = workspace.path("users.csv")
    try RosterWriter.write(RosterGenerator(count: count * 100 / 89, seed: 13, deletedShare: 0), format: .csv, to: csv)
    let paths = try workspace.freshStore("verify")
    _ = try workspace.tool("mfa-import", [csv, "--quiet"], store: paths)
    _ = try workspace.tool("mfa-enrol", ["--no-sheets", "--quiet"], store: paths)

    let now = Int64(Date().timeIntervalSince1970)
    let store = try Store.open(path: paths.database, keyFilePath: paths.keyFile, logger: Logger(label: "bench"), clock: { now })
    // Set-up, not measured: every enrolment active, as after a first sign-in.
    try store.database.execute("UPDATE enrolments SET state = 'active', activated_at = created_at WHERE state = 'pending'")
    let active = try store.database.integer("SELECT count(*) FROM enrolments WHERE state = 'active'") ?? 0
    let sample = try store.database.rows(
        """
        SELECT o.code, l.environment, l.username, e.id, e.sealed_secret FROM enrolments e
        JOIN logins l ON l.id = e.login_id JOIN organisations o ON o.id = l.organisation_id
        ORDER BY random() LIMIT 20000
        """
    ) { row in
        (LoginReference(organisation: row.text(0), environment: Environment(rawValue: row.text(1)) ?? .live, username: row.text(2)),
         try TOTP(secret: try store.vault.openSecret(row.blob(4), enrolmentID: row.int64(3))).code(at: now))
    }
    let authenticator = try Authenticator(store: store, configuration: Configuration())
    var accepted = 0
    let elapsed = try seconds {
        for (login, code) in sample where try authenticator.verify(login, code: code, app: "Portal").accepted { accepted += 1 }
    }
    guard accepted == sample.count else { throw BenchmarkError("only \(accepted) of \(sample.count) verifications were accepted") }

    // Through the command line: each call starts a process and opens the store.
    let calls = 200
    var cliSeconds = 0.0
    for (login, _) in sample.prefix(calls) {
        let run = try workspace.tool(
            "mfa-admin", ["verify", "--org", login.organisation, "--env", login.environment.rawValue, "--user", login.username, "--code", "000000", "--quiet"],
            store: paths, environment: ["MFA_NOW": "\(now + 600)"], expectFailure: true)
        cliSeconds += run.seconds
    }
    return [
        Figure("verify", "in-process, store of \(active) active enrolments", Double(sample.count) / elapsed, "verifications/s"),
        Figure("verify", "per mfa-admin verify call (process start included)", Double(calls) / cliSeconds, "verifications/s"),
        Figure("verify", "peak RSS (in-process)", peakResidentMiB(), "MiB"),
    ]
}
