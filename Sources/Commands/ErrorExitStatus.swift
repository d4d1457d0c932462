import CommandSupport
import MFAStore
import RosterImport
import SQLiteDB

// How each library's errors end a run; the codes are documented in the README.

extension StoreError: ExitStatusProviding {
    public var exitStatus: ExitStatus { .failure }
}

extension DatabaseError: ExitStatusProviding {
    public var exitStatus: ExitStatus { .failure }
}

extension ConfigurationError: ExitStatusProviding {
    public var exitStatus: ExitStatus { .usage }
}

extension AtomicFile.Failure: ExitStatusProviding {
    public var exitStatus: ExitStatus { .failure }
}

extension ImportError: ExitStatusProviding {
    public var exitStatus: ExitStatus {
        switch self {
        case .rejected, .partlyRejected, .massDeletion, .cannotRead: .inputRejected
        case .unknownFormat, .invalidOption: .usage
        }
    }
}
