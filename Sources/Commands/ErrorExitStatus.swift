import CommandSupport
import Enrolment
import Expiry
import Lifecycle
import MFAStore
import RosterImport
import SQLiteDB
import Sheets

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
        case .loginIDsExhausted: .failure
        }
    }
}

extension EnrolmentError: ExitStatusProviding {
    public var exitStatus: ExitStatus {
        switch self {
        case .accountNameTaken, .invalidLabel, .noPendingEnrolment: .failure
        case .ambiguousUser, .invalidOption: .usage
        }
    }
}

extension SheetError: ExitStatusProviding {
    public var exitStatus: ExitStatus { .failure }
}

extension Refusal: ExitStatusProviding {
    public var exitStatus: ExitStatus { .failure }
}

extension ExpiryError: ExitStatusProviding {
    public var exitStatus: ExitStatus { .inputRejected }
}
