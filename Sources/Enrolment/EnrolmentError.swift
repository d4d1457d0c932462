import Foundation

public enum EnrolmentError: Error, Equatable, Sendable, LocalizedError {
    case accountNameTaken(String)
    case invalidLabel(String, String)
    case noPendingEnrolment(organisation: String?, environment: String?, username: String)
    case ambiguousUser(username: String, matches: [String])
    case invalidOption(String)

    public var errorDescription: String? {
        switch self {
        case let .accountNameTaken(name):
            "the account name '\(name)' is already used by a current enrolment; make the account name templates include {organisation} and {environment}"
        case let .invalidLabel(name, reason):
            "the account name '\(name)' cannot be used: \(reason)"
        case let .noPendingEnrolment(organisation, environment, username):
            "\([organisation, environment, username].compactMap { $0 }.joined(separator: " ")) has no pending enrolment to reprint; an active enrolment needs `mfa-admin reset`"
        case let .ambiguousUser(username, matches):
            "\(username) has pending enrolments in \(matches.joined(separator: ", ")); narrow it with --org and --env"
        case let .invalidOption(message):
            message
        }
    }
}
