import Foundation
import MFAStore

/// The records `--skip-invalid` left out, with their reasons, as a CSV that can be
/// corrected and imported again (its extra columns are ignored with a note).
enum RejectFile {
    static func write(_ failures: [ValidationFailure], to path: String) throws {
        var text = CSVText.record([
            "Organisation", "Environment", "Username", "Email", "Display Name", "Given Name", "Family Name", "Roles",
            "User Type", "Status", "Source", "Line", "Problems",
        ])
        for failure in failures {
            let record = failure.record
            let fields: [String?] = [
                record.organisation, record.environment, record.username, record.email, record.displayName, record.givenName,
                record.familyName, record.roles.joined(separator: ";"), record.userType, record.status,
            ]
            let problems = failure.problems.map { "\($0.field.map { "\($0): " } ?? "")\($0.message)" }.joined(separator: "; ")
            text += CSVText.record(
                fields.map { CSVText.text($0 ?? "") } + [CSVText.text(record.location.file), CSVText.number(record.location.line), CSVText.text(problems)])
        }
        try AtomicFile.write(Data(text.utf8), to: path, mode: 0o600)
    }
}
