import Foundation
import SyntheticRoster

/// `mfa-expire` ending the enrolments of `deleted` of `count` enrolled logins.
func benchmarkExpire(count: Int, deleted: Int) throws -> [Figure] {
    let workspace = try BenchWorkspace("expire")
    let roster = RosterGenerator(count: count, seed: 17, deletedShare: 0)
    let csv = workspace.path("users.csv")
    try RosterWriter.write(roster, format: .csv, to: csv)
    let store = try workspace.freshStore("expire")
    _ = try workspace.tool("mfa-import", [csv, "--quiet"], store: store)
    _ = try workspace.tool("mfa-enrol", ["--no-sheets", "--quiet"], store: store)

    // Leavers spread through the roster, all of them enrolled (patients are not).
    let leavers = workspace.path("leavers.csv")
    var text = "Organisation,Environment,Username,Display Name\n"
    var listed = 0
    var enrolled = 0
    for user in roster where user.userType != "patient" && listed < deleted {
        enrolled += 1
        if enrolled % 8 == 0 {
            text += "\(user.organisation),\(user.environment),\(user.username),x\n"
            listed += 1
        }
    }
    try text.write(toFile: leavers, atomically: true, encoding: .utf8)
    // The enrolment run just wrote 1.3 GB: let the kernel finish writing it back first,
    // or the expiry is timed competing with that for the disk.
    sync()
    let run = try workspace.tool("mfa-expire", ["--deleted", leavers, "--allow-mass-expiry", "--json"], store: store)
    let summary = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
    let expired = summary?["expired_user_deleted"] as? Int ?? 0
    return [
        Figure("expire", "\(expired) of \(count) logins: time", run.seconds, "s"),
        Figure("expire", "rate", Double(expired) / run.seconds, "enrolments/s"),
        Figure("expire", "peak RSS", run.peakResidentMiB, "MiB"),
    ]
}
