import Foundation

/// Why an import did not happen. Every case leaves the store as it was.
public enum ImportError: Error, Sendable, Equatable {
    case cannotRead(path: String, reason: String)
    case unknownFormat(path: String)
    /// Problems with records or files: the whole import is refused (exit 3).
    case rejected([Problem])
    /// Some records were invalid and skipped (`--skip-invalid`): the rest was imported.
    case partlyRejected(count: Int, rejectFile: String?)
    case massDeletion([MassDeletion])
    case invalidOption(String)
    /// The store's login ids have passed what the import's key table holds.
    case loginIDsExhausted(maxID: Int64)

    /// A full-roster import that would delete too large a share of one organisation.
    public struct MassDeletion: Sendable, Equatable {
        public var organisation: String
        public var environment: String
        public var wouldDelete: Int
        public var active: Int
    }
}

extension ImportError: LocalizedError {
    public var errorDescription: String? {
        switch self {
        case let .cannotRead(path, reason):
            return "cannot read \(path): \(reason)"
        case let .unknownFormat(path):
            return "cannot tell the format of \(path) from its extension; name it .csv or .xml, or pass --format csv|xml"
        case let .rejected(problems):
            let noun = problems.count == 1 ? "problem" : "problems"
            return problems.map(\.description).joined(separator: "\n")
                + "\nimport refused: \(problems.count) \(noun); nothing was changed (fix the file, or pass --skip-invalid to import the valid records)"
        case let .partlyRejected(count, rejectFile):
            return "\(count) invalid \(count == 1 ? "record was" : "records were") not imported"
                + (rejectFile.map { "; see \($0)" } ?? "; pass --reject-file to keep them with their reasons")
        case let .massDeletion(cases):
            let lines = cases.map {
                "\($0.organisation) \($0.environment): \($0.wouldDelete) of \($0.active) active logins would be deleted"
            }
            return lines.joined(separator: "\n")
                + "\nimport refused: a full roster this short looks truncated or wrong; nothing was changed (check the file, raise --max-delete-fraction, or pass --allow-mass-delete)"
        case let .invalidOption(message):
            return message
        case let .loginIDsExhausted(maxID):
            return "the store's login ids have passed \(maxID), the most an import can index; nothing was changed"
        }
    }
}
